"""The Indicateurs page's filters as query parameters — the same parser serves the page and
``tne-dash indicators --query``, so a link copied from the address bar gives the same
figures on the command line. Bad values are named in French and left out.

``?dep=95,86&communes=95063&from=2022-09-01&to=2023-04-17&phase=parents_ressources
&lieu=college&format=atelier_collectif&theme=ent&animateur=cnfs&niveau=college&rep=1&demo=0
&par=commune``
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from tne_dash.figures.filter_scope import FILTER_TITLES as WORKSHOP_FILTER_TITLES
from tne_dash.figures.filters import LEGACY_SCHOOL_LEVELS, Filters, SchoolLevelFilter
from tne_dash.figures.scope import NATIONAL, TNE, Scope
from tne_dash.periods import school_year_of
from tne_dash.ui.urlstate import parse_choices
from tne_dash.vocabulary import FacilitatorKind, Phase, Theme, VenueKind, WorkshopFormat

LEVELS = {"departement": "Département", "epci": "Intercommunalité (EPCI)",
          "commune": "Commune"}
DEFAULT_LEVEL = "departement"
# Who is responsible for each school level (the filter reminds it).
SCHOOL_RESPONSIBLE = {SchoolLevelFilter.ECOLE.value: "commune",
                      SchoolLevelFilter.COLLEGE.value: "département",
                      SchoolLevelFilter.LYCEE.value: "région"}
# The school-level filter, in words (sidebar help): what it keeps, and why maternelle and
# élémentaire are one level.
SCHOOL_LEVEL_HELP = (
    "Garde les ateliers tenus dans un établissement de ce niveau et les établissements cibles "
    "de ce niveau. Maternelle et élémentaire forment un seul niveau, « École » : un atelier "
    "dit qu'il a lieu dans une école, pas dans laquelle des deux.")
# The REP/REP+ filter, in words: its sidebar label and help, and its line in the first rows
# of exports. It keeps communes, and everything in them (workshops, Parents Ressources, CNFS,
# target schools — REP or not).
REP_FILTER_LABEL = "Communes REP/REP+ seulement"
REP_FILTER_TITLE = "Éducation prioritaire"
REP_FILTER_WORDING = ("communes ayant au moins une école ou un collège REP/REP+ : toute leur "
                      "activité et tous leurs établissements cibles, REP/REP+ ou non")
REP_FILTER_HELP = (
    "Garde les communes qui ont au moins une école ou un collège REP/REP+, et dans ces "
    "communes tout ce qui s'y passe : tous les ateliers (un atelier ne dit pas si son public "
    "vient d'un établissement REP), les Parents Ressources, les CNFS et tous les "
    "établissements cibles, qu'ils soient REP/REP+ ou non.")
# URL key → (Filters field, enum) of the multi-valued workshop filters.
CHOICE_PARAMS = {
    "phase": ("phases", Phase), "lieu": ("venue_kinds", VenueKind),
    "format": ("formats", WorkshopFormat), "theme": ("themes", Theme),
    "animateur": ("facilitator_kinds", FacilitatorKind), "niveau": ("school_levels",
                                                                     SchoolLevelFilter),
}
# Their names, on the sidebar and in the first rows of exports (the figures' names, so that
# « non filtré par thème » names a filter as the sidebar does).
FILTER_TITLES = {key: WORKSHOP_FILTER_TITLES[name] for key, (name, _) in CHOICE_PARAMS.items()}
_FLAGS = {"1": True, "oui": True, "true": True, "0": False, "non": False, "false": False}
_CODE = re.compile(r"^[0-9AB]{2,3}$|^\d{5}$|^2[AB]\d{3}$")


@dataclass(frozen=True)
class IndicateursView:
    """The filters, the grouping of the table, and what was wrong with the address."""

    filters: Filters
    level: str = DEFAULT_LEVEL
    problems: tuple[str, ...] = field(default=())

    @property
    def scope(self) -> Scope:
        """The 12 TNE départements unless départements or communes are chosen."""
        if self.filters.departements or self.filters.communes:
            return Scope(NATIONAL)
        return Scope(TNE)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current school year, to date."""
    return school_year_of(today).start, today


def parse_indicateurs_view(params: Mapping[str, str], today: dt.date,
                           departements: Collection[str],
                           communes: Collection[str]) -> IndicateursView:
    """Read the filters; ``departements`` and ``communes``: the codes the database knows."""
    problems: list[str] = []
    start, end = default_period(today)
    date_from = _date(params.get("from"), "from", start, problems)
    date_to = _date(params.get("to"), "to", end, problems)
    if date_from > date_to:
        problems.append(f"Période invalide dans l'adresse : le début ({date_from:%d/%m/%Y}) est "
                        f"après la fin ({date_to:%d/%m/%Y}). Année scolaire en cours.")
        date_from, date_to = start, end
    params = _legacy_school_levels(params, problems)
    choices = {
        name: parse_choices(params.get(key), tuple(e.value for e in enum), key, problems,
                            enum.labels())
        for key, (name, enum) in CHOICE_PARAMS.items()}
    level = params.get("par") or DEFAULT_LEVEL
    if level not in LEVELS:
        problems.append(f"Regroupement inconnu dans l'adresse : « {level} » — attendu "
                        f"{', '.join(LEVELS)}. Regroupement par département.")
        level = DEFAULT_LEVEL
    filters = Filters(
        date_from=date_from, date_to=date_to,
        departements=_codes(params.get("dep"), departements, "Département", problems),
        communes=_codes(params.get("communes"), communes, "Commune", problems),
        rep_only=_flag(params.get("rep"), "rep", False, problems),
        include_demo=_flag(params.get("demo"), "demo", True, problems),
        **choices)
    return IndicateursView(filters, level, tuple(problems))


def indicateurs_params(view: IndicateursView) -> dict[str, str]:
    """The query parameters that reopen ``view`` (empty filters left out)."""
    f = view.filters
    params = {"from": f.date_from.isoformat(), "to": f.date_to.isoformat()}
    if f.departements:
        params["dep"] = ",".join(f.departements)
    if f.communes:
        params["communes"] = ",".join(f.communes)
    for key, (name, _) in CHOICE_PARAMS.items():
        if values := getattr(f, name):
            params[key] = ",".join(values)
    if f.rep_only:
        params["rep"] = "1"
    if not f.include_demo:
        params["demo"] = "0"
    if view.level != DEFAULT_LEVEL:
        params["par"] = view.level
    return params


def query_params_of(link: str) -> dict[str, str]:
    """The parameters of a copied link (``http://…/indicateurs?dep=95&…``) or of a bare
    query string (``dep=95&…``)."""
    query = urlsplit(link).query if "?" in link or "://" in link else link
    return dict(parse_qsl(query.lstrip("?")))


def _date(raw: str | None, key: str, default: dt.date, problems: list[str]) -> dt.date:
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(f"Date invalide dans l'adresse ({key}) : « {raw} » — attendu "
                        f"AAAA-MM-JJ. Date par défaut : {default:%d/%m/%Y}.")
        return default


def _flag(raw: str | None, key: str, default: bool, problems: list[str]) -> bool:
    if raw is None or raw == "":
        return default
    if raw.lower() not in _FLAGS:
        problems.append(f"Valeur de « {key} » inconnue dans l'adresse : « {raw} » — attendu "
                        "1 ou 0. Valeur ignorée.")
        return default
    return _FLAGS[raw.lower()]


def _codes(raw: str | None, known: Collection[str], what: str,
           problems: list[str]) -> tuple[str, ...]:
    codes: list[str] = []
    for code in (c.strip().upper() for c in (raw or "").split(",") if c.strip()):
        if code in known:
            if code not in codes:
                codes.append(code)
        else:
            shown = code if _CODE.match(code) else code[:20]
            problems.append(f"{what} inconnu(e) dans l'adresse : code « {shown} ». Ignoré(e).")
    return tuple(codes)


def _legacy_school_levels(params: Mapping[str, str], problems: list[str]) -> Mapping[str, str]:
    """Older links chose « maternelle » or « elementaire »: both read « ecole » now, with a
    note (the figures are those of every école)."""
    raw = params.get("niveau")
    if not raw:
        return params
    values = [v.strip() for v in raw.split(",") if v.strip()]
    old = [v for v in values if v in LEGACY_SCHOOL_LEVELS]
    if not old:
        return params
    problems.append(
        f"Niveau scolaire « {', '.join(old)} » : les ateliers ne disent pas si une école est "
        f"maternelle ou élémentaire, ce niveau est donc lu « "
        f"{SchoolLevelFilter.ECOLE.label} » (ateliers et établissements cibles de toutes les "
        "écoles).")
    return {**params, "niveau": ",".join(LEGACY_SCHOOL_LEVELS.get(v, v) for v in values)}
