"""What the embeddable card shows: a commune's or a département's headline figures at a date,
as the public sees them.

The figures are the Accueil page's headline tiles (``metrics.headline_kpis``) computed by the
one indicator path (``compute_indicators``) from the start of the programme to the date, with
the public small-count rule (``figures/privacy.py``): a card travels to any website, so it is
always the public view. A commune's card adds its roll-out phase at the date, a
département's its TNE cohort and its engaged communes per phase.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from tne_dash.figures.filters import Filters
from tne_dash.figures.freshness import latest_workshop_date
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.metrics import Kpi, headline_kpis
from tne_dash.figures.rollout import commune_phases, phase_funnel, phases_at, rollout_plan
from tne_dash.figures.scope import (
    COMMUNE,
    DEPARTEMENT,
    Scope,
    check_scope_exists,
    scope_label,
)
from tne_dash.store.models import Commune, Departement
from tne_dash.vocabulary import NOT_ENGAGED, PHASE_LABELS, PHASE_STATES, Cohort

# The kinds of territory a card can show, as in its address (/embed/<kind>/<code>).
CARD_KINDS = (COMMUNE, DEPARTEMENT)
# On a département's card « Départements TNE : 1 » says less than its cohort line.
LEFT_OUT = ("tne_departements",)


@dataclass(frozen=True)
class CardFigures:
    """Everything one card shows, already in its public form."""

    scope: Scope
    name: str  # « Bezons », « Val-d'Oise »
    label: str  # « Bezons (95) », « Val-d'Oise (95) »: names told apart (scope_label)
    context: str  # « Val-d'Oise (95) »; « Département 95 — TNE, pilote (rentrée 2020) »
    population: int
    as_of: dt.date
    kpis: tuple[Kpi, ...]
    # A commune's phase at the date (« Année 2 — Parents Ressources », « Non engagée »).
    phase: str | None
    # A département's engaged communes per phase at the date, in order:
    # (« en acculturation », 10), (« en phase Parents Ressources », 9)…
    phases: tuple[tuple[str, int], ...]
    # Counts of people of one commune are rounded to 5 (1 to 4: « < 5 »).
    masked: bool
    demo: bool
    latest_workshop: dt.date | None


def card_figures(conn: Connection, scope: Scope, as_of: dt.date) -> CardFigures:
    """The card of a commune or a département on ``as_of`` (raises ``InvalidScope`` for an
    unknown territory, with its French message)."""
    if scope.kind not in CARD_KINDS:
        raise ValueError(f"Pas de carte pour le périmètre « {scope} ».")
    check_scope_exists(conn, scope)
    values = compute_indicators(conn, scope, Filters(date_to=as_of))
    kpis = tuple(k for k in headline_kpis(values, exact=False) if k.code not in LEFT_OUT)
    phase: str | None = None
    phases: tuple[tuple[str, int], ...] = ()
    if scope.kind == COMMUNE:
        row = conn.execute(
            select(Commune.name, Commune.departement_code, Departement.name.label("dep_name"))
            .join(Departement, Departement.code == Commune.departement_code)
            .where(Commune.code_insee == scope.code)).one()
        name, context = row.name, f"{row.dep_name} ({row.departement_code})"
        phase = PHASE_LABELS[phases_at([scope.code], rollout_plan(conn, scope, Filters()),
                                       as_of)[scope.code]]
    else:
        row = conn.execute(select(Departement.name, Departement.tne_cohort)
                           .where(Departement.code == scope.code)).one()
        name = row.name
        cohort = Cohort.labels().get(row.tne_cohort) if row.tne_cohort else None
        context = (f"Département {scope.code} — TNE, {cohort[0].lower()}{cohort[1:]}"
                   if cohort else f"Département {scope.code} — hors TNE")
        funnel = phase_funnel(commune_phases(conn, scope, Filters(), as_of))
        phases = tuple((PHASE_STATES[code], int(count)) for code, count in
                       zip(funnel["phase"], funnel["communes"], strict=True)
                       if code != NOT_ENGAGED)
    return CardFigures(scope=scope, name=name, label=scope_label(conn, scope), context=context,
                       population=values.population, as_of=as_of, kpis=kpis, phase=phase,
                       phases=phases, masked=scope.kind == COMMUNE, demo=values.demo,
                       latest_workshop=latest_workshop_date(conn, scope, as_of))
