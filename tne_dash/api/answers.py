"""What each route answers, as plain data: the request's parameters read (``parameters``),
the figures computed on the one code path the pages and the CLI use, put in their public
form unless the token's account may see them exact, and shaped as the CLI shapes them
(``payloads``). Blocking work: ``routes`` runs it in a worker thread.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Engine

from tne_dash.access import Account
from tne_dash.api.database import Reference
from tne_dash.api.parameters import (
    CSV,
    ApiError,
    IndicateursRequest,
    output_format,
    parse_departements,
    parse_indicateurs,
    parse_vigilance,
)
from tne_dash.api.payloads import (
    indicator_groups,
    indicator_payload,
    indicators_csv,
    neutral_cell,
    vigilance_csv,
    vigilance_payload,
)
from tne_dash.catalogue import PER_1000
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.privacy import ROUNDED_TO, people_columns, public_count, public_share
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, InvalidScope, Scope, check_scope_exists
from tne_dash.figures.scope import scope_label as territory_label
from tne_dash.figures.vigilance import vigilance_points, with_follow_ups
from tne_dash.screens.indicateurs.view import CHOICE_PARAMS, indicateurs_params
from tne_dash.store.sources import SOURCES

JSON_TYPE = "application/json; charset=utf-8"
# par=commune answers at most this many communes (a TNE département has a few hundred).
MAX_COMMUNE_GROUPS = 5000
CSV_TYPE = "text/csv; charset=utf-8"
PUBLIC_RULE = (f"Effectifs de personnes d'une commune (une commune, une sélection de "
               f"communes, une ligne par commune) arrondis à {ROUNDED_TO} près, de 1 à 4 "
               "écrits « < 5 » ; 0 reste 0 ; leurs taux pour 1 000 habitants recalculés sur "
               "l'effectif arrondi. Les totaux au-dessus de la commune restent exacts. Un jeton "
               "d'API d'éditeur donne les effectifs exacts de ses départements.")


@dataclass(frozen=True)
class Answer:
    """A computed answer: its body, its type, and whether it is exact for a token (then
    never cached, anywhere)."""

    body: bytes
    media_type: str
    private: bool


def _plain(value):
    """``value`` with NaN and infinities as null (JSON has neither), recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, str):  # a numpy scalar
        return _plain(value.item())
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def json_bytes(payload: dict) -> bytes:
    return json.dumps(_plain(payload), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _answer(payload: dict | None, text: str | None, private: bool) -> Answer:
    if text is not None:
        return Answer(text.encode("utf-8") + b"\n", CSV_TYPE, private)
    return Answer(json_bytes(payload), JSON_TYPE, private)


# -- Who sees exact counts ----------------------------------------------------------------

def exact_for(account: Account | None, departements: set[str] | None) -> bool:
    """The rule of the pages for a signed-in editor, held to the token's account's own
    départements: exact when it may write every one of ``departements`` (None: the whole
    country — an administrator only)."""
    if account is None or not account.sees_exact_counts:
        return False
    if departements is None:
        return account.is_admin
    return all(account.may_write(code) for code in departements)


def public_figures(figures: dict, *, commune_level: bool, exact: bool) -> tuple[dict, list[str]]:
    """``figures`` (indicator code → value) as the pages show them (``privacy``): counts of
    people of a commune rounded to 5 or « < 5 », their rates per 1 000 inhabitants from the
    rounded count — the rule of ``privacy.mask_small_counts``, on one row. Returns the
    figures and the codes put in their public form."""
    if exact or not commune_level:
        return figures, []
    out = dict(figures)
    changed: list[str] = []
    for code in people_columns(figures):
        count = figures[code]
        if count is None:
            continue
        shown = public_count(count)
        out[code] = shown
        changed.append(code)
        rate = code + PER_1000
        if figures.get(rate) is not None:
            out[rate] = public_share(figures[rate], count, shown)
            changed.append(rate)
    return out, changed


def _access(account: Account | None) -> dict:
    if account is None:
        return {"jeton": False}
    return {"jeton": True, "compte": account.name, "droits": account.describe_rights()}


def _sources(reference: Reference) -> list[dict]:
    return [{"donnees": s.what, "fichier": s.file, "millesime": s.vintage, "licence": s.licence}
            for s in SOURCES]


def _build(reference: Reference) -> dict:
    return {"construite_le": reference.build.get("built_at"),
            "activite_de_demonstration": reference.build.get("demo") == "true"}


# -- /api/v1/indicateurs --------------------------------------------------------------------

def _filters_as_understood(request: IndicateursRequest, reference: Reference) -> dict:
    f = request.view.filters
    deps = dict(zip(reference.departements["code"], reference.departements["name"],
                    strict=True))
    communes = reference.communes.set_index("code_insee")["name"]
    understood = {"from": f.date_from.isoformat(), "to": f.date_to.isoformat(),
                  "dep": list(f.departements), "communes": list(f.communes)}
    understood |= {key: list(getattr(f, name)) for key, (name, _) in CHOICE_PARAMS.items()}
    understood |= {"rep": f.rep_only, "demo": f.include_demo,
                   "par": request.view.level if request.grouped else None,
                   "noms": {**{c: deps[c] for c in f.departements},
                            **{c: communes[c] for c in f.communes}},
                   "lien": "/indicateurs?" + urlencode(indicateurs_params(request.view))}
    return understood


def _check_commune_groups(filters, reference: Reference) -> None:
    """``par=commune`` over at most ``MAX_COMMUNE_GROUPS`` communes (a whole country of
    communes is tens of megabytes computed at each request)."""
    if filters.communes:
        count = len(filters.communes)
    else:
        deps = reference.departements
        chosen = (set(filters.departements) if filters.departements
                  else set(deps.loc[deps["tne_cohort"].notna(), "code"]))
        count = int(reference.communes["departement_code"].isin(chosen).sum())
    if count > MAX_COMMUNE_GROUPS:
        raise ApiError(400, f"Paramètre « par » refusé : par=commune sur {count} communes, au "
                            f"plus {MAX_COMMUNE_GROUPS} par requête — demandez moins de "
                            "départements à la fois (dep=…).", "par")


def indicateurs_answer(engine: Engine, reference: Reference, params: dict[str, str],
                       account: Account | None, today: dt.date) -> Answer:
    """The Indicateurs page's figures for its parameters: the total (and a block per
    territory with ``par``), as ``tne-dash indicators --query`` gives them, with the
    filters as understood, the period, the demo flag, the sources and the masking."""
    request = parse_indicateurs(params, today, reference.departement_codes,
                                reference.commune_codes)
    view, f = request.view, request.view.filters
    level = view.level if request.grouped else None
    if level == "commune":
        _check_commune_groups(f, reference)
    with engine.connect() as conn:
        values = compute_indicators(conn, view.scope, f)
        groups = indicator_groups(conn, view.scope, f, level) if level else None
    payload = indicator_payload(values, level, groups)
    chosen = {reference.departement_of[c] for c in f.communes}
    payload["indicators"], rounded = public_figures(
        payload["indicators"], commune_level=bool(f.communes),
        exact=exact_for(account, chosen))
    every_exact = not rounded
    for group in payload.get("groupes") or ():
        group_deps = (chosen if f.communes and level == "epci" else
                      {group["code"]} if level == "departement" else
                      {reference.departement_of.get(group["code"], "")} if level == "commune"
                      else set())
        group["indicators"], group_rounded = public_figures(
            group["indicators"], commune_level=level == "commune" or bool(f.communes),
            exact=exact_for(account, group_deps))
        if group_rounded:
            group["arrondis"] = group_rounded
            every_exact = False
    payload["filtres"] = _filters_as_understood(request, reference)
    payload["masquage"] = {"regle": PUBLIC_RULE, "effectifs_exacts": every_exact,
                           "arrondis": rounded}
    payload["acces"] = _access(account)
    payload["sources"] = _sources(reference)
    payload["base"] = _build(reference)
    return _answer(payload, indicators_csv(payload) if request.output == CSV else None,
                   private=account is not None)


# -- /api/v1/territoires --------------------------------------------------------------------

def territoires_answer(reference: Reference, params: dict[str, str], today: dt.date) -> Answer:
    """Every département (code, name, TNE cohort) and the communes (code, name, département,
    population, EPCI) — of ``dep`` only when given."""
    output = output_format(params)
    chosen = parse_departements(params, today, reference.departement_codes)
    communes = reference.communes
    deps = reference.departements
    if chosen:
        communes = communes[communes["departement_code"].isin(chosen)]
        deps = deps[deps["code"].isin(chosen)]
    rows = [{"code": r.code_insee, "nom": r.name, "departement": r.departement_code,
             "population": int(r.population), "epci": r.epci_code, "nom_epci": r.epci_name}
            for r in communes.itertuples()]
    if output == CSV:
        lines = [["code", "nom", "departement", "population", "epci", "nom_epci"]]
        lines += [[neutral_cell("" if v is None else v) for v in row.values()] for row in rows]
        return _answer(None, _csv(lines), private=False)
    payload = {"departements": [{"code": r.code, "nom": r.name, "tne": r.tne_cohort is not None,
                                 "cohorte_tne": r.tne_cohort} for r in deps.itertuples()],
               "communes": rows, "filtres": {"dep": list(chosen)},
               "sources": _sources(reference), "base": _build(reference)}
    return _answer(payload, None, private=False)


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().rstrip("\n")


# -- /api/v1/vigilance ----------------------------------------------------------------------

def _scope_departements(scope: Scope, reference: Reference) -> set[str] | None:
    if scope.kind == DEPARTEMENT:
        return {scope.code}
    if scope.kind == COMMUNE:
        return {reference.departement_of.get(scope.code, "")}
    return None


def vigilance_answer(engine: Engine, reference: Reference, params: dict[str, str],
                     account: Account | None, today: dt.date) -> Answer:
    """The points de vigilance of ``scope`` on ``to``, as ``tne-dash vigilance`` gives
    them: public wording (counts of a commune rounded) unless the token's account may see
    this territory exact."""
    scope, as_of, output = parse_vigilance(params, today)
    exact = exact_for(account, _scope_departements(scope, reference))
    with engine.connect() as conn:
        try:
            check_scope_exists(conn, scope)
        except InvalidScope as exc:
            raise ApiError(400, f"Paramètre « scope » refusé : {exc}", "scope") from None
        points = with_follow_ups(conn, vigilance_points(conn, scope, as_of, exact=exact),
                                 with_notes=exact)
        place = territory_label(conn, scope)
    if output == CSV:
        return _answer(None, vigilance_csv(points), private=account is not None)
    payload = vigilance_payload(scope, place, as_of, points, exact)
    payload["masquage"] = {"regle": PUBLIC_RULE, "effectifs_exacts": exact}
    payload["acces"] = _access(account)
    return _answer(payload, None, private=account is not None)
