"""The Déploiement page's view as query parameters: territory, date, school year, the
timeline's phase and status filters and sort, and the points de vigilance's reasons,
severities and follow-up (« suivies », « non suivies »). Bad values fall back with a French
message.

``?scope=departement:95&to=2023-04-17&annee=2022-2023&phase=parents_ressources&statut=en_retard
&tri=statut&vigilance=retard,baisse&gravite=prioritaire&suivi=oui``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from tne_dash.figures.objectives import Status
from tne_dash.figures.scope import Scope
from tne_dash.figures.vigilance_rules import (
    ACTIVITY_DOWN,
    BELOW_PEERS,
    COMPLETE,
    LATE_OBJECTIVE,
    MANY_LATE_COMMUNES,
    NO_RECENT_REPORT,
    NO_RECENT_WORKSHOP,
    OBJECTIVES_WITHOUT_PLAN,
    RULES,
    SEVERITY_LABELS,
    URGENT,
    WATCH,
    YEAR_WITHOUT_OBJECTIVES,
)
from tne_dash.periods import Period, school_year_of
from tne_dash.ui.urlstate import View, parse_choices, parse_school_year, parse_view, view_params
from tne_dash.vocabulary import PHASE_LABELS, PHASE_ORDER

SORTS = {
    "debut": "Date d'engagement",
    "nom": "Nom de la commune",
    "phase": "Phase actuelle",
    "statut": "Statut (en retard d'abord)",
}
DEFAULT_SORT = "debut"
TIMELINE_PHASES = PHASE_ORDER[1:]  # engaged communes only
# The points de vigilance's reasons and severities as the address spells them (French words).
REASON_SLUGS = {
    LATE_OBJECTIVE: "retard",
    BELOW_PEERS: "comparables",
    ACTIVITY_DOWN: "baisse",
    NO_RECENT_WORKSHOP: "sans_atelier",
    NO_RECENT_REPORT: "sans_releve",
    YEAR_WITHOUT_OBJECTIVES: "sans_objectifs",
    OBJECTIVES_WITHOUT_PLAN: "sans_plan",
    MANY_LATE_COMMUNES: "communes_en_retard",
}
SEVERITY_SLUGS = {URGENT: "prioritaire", WATCH: "a_surveiller", COMPLETE: "a_completer"}
# The points of the communes an editor follows, or of the others (« » : all of them).
FOLLOWED_ONLY, NOT_FOLLOWED = "oui", "non"
FOLLOW_CHOICES = {"": "Tous les points", FOLLOWED_ONLY: "Communes suivies",
                  NOT_FOLLOWED: "Non suivies"}


@dataclass(frozen=True)
class DeploiementView:
    """A territory, the date figures are read at, the school year of the objectives, and
    the timeline's filters and sort."""

    scope: Scope
    as_of: dt.date
    period: Period
    phases: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    sort: str = DEFAULT_SORT
    reasons: tuple[str, ...] = ()  # rule codes of vigilance.VIGILANCE_RULES
    severities: tuple[int, ...] = ()  # vigilance.URGENT, WATCH, COMPLETE
    follow: str = ""  # FOLLOWED_ONLY, NOT_FOLLOWED, or all the points
    problems: tuple[str, ...] = ()


def parse_deploiement_view(params: Mapping[str, str], today: dt.date) -> DeploiementView:
    """Read the page's query parameters; every bad value is named and replaced by its default."""
    base: View = parse_view(params, today)
    problems = list(base.problems)
    as_of = base.date_to or today
    period = parse_school_year(params.get("annee"), problems,
                               f"Affichage de {school_year_of(as_of).label}.") \
        or school_year_of(as_of)
    phases = parse_choices(params.get("phase"), TIMELINE_PHASES, "phase", problems,
                      {p: PHASE_LABELS[p] for p in TIMELINE_PHASES})
    statuses = parse_choices(params.get("statut"), tuple(s.value for s in Status), "statut",
                        problems, Status.labels())
    sort = params.get("tri") or DEFAULT_SORT
    if sort not in SORTS:
        problems.append(f"Tri inconnu dans l'adresse : « {sort} » — attendu "
                        f"{', '.join(SORTS)}. Tri par date d'engagement.")
        sort = DEFAULT_SORT
    slugs = {slug: code for code, slug in REASON_SLUGS.items()}
    reasons = parse_choices(params.get("vigilance"), tuple(slugs), "vigilance", problems,
                            {slug: RULES[code].title for slug, code in slugs.items()})
    levels = {slug: severity for severity, slug in SEVERITY_SLUGS.items()}
    severities = parse_choices(params.get("gravite"), tuple(levels), "gravite", problems,
                               {slug: SEVERITY_LABELS[s] for slug, s in levels.items()})
    follow = parse_choices(params.get("suivi"), (FOLLOWED_ONLY, NOT_FOLLOWED), "suivi",
                           problems, {FOLLOWED_ONLY: "suivies", NOT_FOLLOWED: "non suivies"})
    return DeploiementView(base.scope, as_of, period, phases, statuses, sort,
                           tuple(slugs[r] for r in reasons), tuple(levels[s] for s in severities),
                           follow[0] if len(follow) == 1 else "", tuple(problems))


def deploiement_params(view: DeploiementView) -> dict[str, str]:
    """The query parameters that reopen ``view`` (defaults left out, except the date)."""
    params = view_params(View(view.scope, view.as_of))
    if view.period != school_year_of(view.as_of):
        params["annee"] = view.period.label
    if view.phases:
        params["phase"] = ",".join(view.phases)
    if view.statuses:
        params["statut"] = ",".join(view.statuses)
    if view.sort != DEFAULT_SORT:
        params["tri"] = view.sort
    if view.reasons:
        params["vigilance"] = ",".join(REASON_SLUGS[r] for r in view.reasons)
    if view.severities:
        params["gravite"] = ",".join(SEVERITY_SLUGS[s] for s in view.severities)
    if view.follow:
        params["suivi"] = view.follow
    return params
