"""What the presentation's slides show, read in one go: headline figures, communes by phase,
objectives against achieved, the month's workshops and the commune à l'honneur.

Everything is public (projected to a room): small counts of people of a commune read « < 5 »,
whoever is signed in. Every figure comes from ``indicators`` through ``metrics`` and
``objectives``, like the other pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, func, select

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.filters import Filters
from tne_dash.figures.freshness import latest_workshop_date, months_before
from tne_dash.figures.indicators import (
    IndicatorValues,
    compute_breakdown,
    compute_indicator_sums,
    compute_indicators,
)
from tne_dash.figures.metrics import Kpi, headline_kpis
from tne_dash.figures.objectives import Status, objectives_progress
from tne_dash.figures.privacy import mask_value, public_share
from tne_dash.figures.rollout import commune_phases, phase_funnel
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, NATIONAL, TNE, Scope, scope_label
from tne_dash.labels import format_number, format_value
from tne_dash.periods import school_year_of
from tne_dash.store.models import (
    Commune,
    Departement,
    ImportBatch,
    Objective,
    ParentsRessourcesCount,
    RolloutYear,
    Workshop,
)
from tne_dash.vocabulary import PHASE_LABELS, Theme

HEADLINE_SLOTS = 6
# Too detailed for a room (the structures are on the dashboard); the count of TNE
# départements is projected only for national and TNE scopes.
NOT_PROJECTED = ("cnfs_structures",)
MONTH_CODES = {"workshops": "Ateliers", "parents_reached": "Parents touchés",
               "participations": "Participations", "workshop_hours": "Heures d'atelier"}
HONOUR_CODES = {"workshops": "Ateliers", "parents_reached": "Parents touchés",
                "parents_ressources_recruited": "Parents Ressources recrutés",
                "workshops_per_1000_inhabitants": "Ateliers pour 1 000 habitants"}
HONOUR_DAYS = 30
# The tables whose rows the slides count; any insert, delete or import changes the version.
_VERSIONED = (Workshop, ParentsRessourcesCount, RolloutYear, Objective, ImportBatch)


@dataclass(frozen=True)
class MonthFigures:
    """The workshops of one month: ``current`` is False when the month in progress has none
    yet and the latest month with a workshop is shown instead."""

    start: dt.date
    end: dt.date
    current: bool
    kpis: tuple[Kpi, ...]
    themes: pd.DataFrame  # label, workshops — largest first


@dataclass(frozen=True)
class Honour:
    """The commune à l'honneur: who, why, and its figures for the school year."""

    code: str
    name: str
    departement: str  # « Val-d'Oise (95) »
    population: int
    phase: str
    reason: str
    kpis: tuple[Kpi, ...]


@dataclass(frozen=True)
class LiveFigures:
    """Every figure of the presentation for one scope, at one date, public."""

    scope: Scope
    label: str
    departement: str | None  # the scope's département (a commune's own), None above
    as_of: dt.date
    headline: tuple[Kpi, ...]
    phases: pd.DataFrame  # phase, label, communes (phase_funnel) of the map's territory
    map_label: str  # the map's territory: the scope, or a commune's département
    objectives: pd.DataFrame  # label, achieved, target, pct, status, status_label
    school_year: str
    elapsed: float  # share of the school year gone by on as_of (0–1)
    month: MonthFigures
    honour: Honour | None
    demo: bool

    def shown_values(self) -> dict[str, str]:
        """The headline figures as displayed (masked), by code: what a viewer can see change."""
        return {kpi.code: kpi.value for kpi in self.headline}


def data_version(conn: Connection) -> tuple[int | None, ...]:
    """A cheap fingerprint of the activity: row count and largest id of each table the slides
    read, and the undone imports. A workshop recorded, imported, deleted or undone changes it."""
    parts = []
    for table in _VERSIONED:
        parts.append(select(func.count()).select_from(table).scalar_subquery())
        parts.append(select(func.max(table.id)).scalar_subquery())
    parts.append(select(func.count(ImportBatch.undone_at)).scalar_subquery())
    return tuple(conn.execute(select(*parts)).one())


def changed_figures(before: Mapping[str, str] | None, now: Mapping[str, str]) -> frozenset[str]:
    """The codes whose displayed value differs from the previous refresh (none the first
    time). Displayed values, so a masked count moving from 2 to 3 is not given away."""
    if before is None:
        return frozenset()
    return frozenset(code for code, value in now.items()
                     if code in before and before[code] != value)


def live_figures(conn: Connection, scope: Scope, as_of: dt.date,
                 honour: str | None = None) -> LiveFigures:
    """Read every slide's figures for ``scope`` on ``as_of``. ``honour`` forces the commune
    à l'honneur (otherwise: the scope's commune, or the most active one lately)."""
    values = compute_indicators(conn, scope, Filters(date_to=as_of))
    hidden = NOT_PROJECTED + (() if scope.kind in (NATIONAL, TNE) else ("tne_departements",))
    headline = [k for k in headline_kpis(values, exact=False) if k.code not in hidden]
    school_year = school_year_of(as_of)
    progress = objectives_progress(conn, scope, school_year, as_of)
    month = month_figures(conn, scope, as_of)
    departement = (scope.code if scope.kind == DEPARTEMENT else conn.scalar(
        select(Commune.departement_code).where(Commune.code_insee == scope.code))
        if scope.kind == COMMUNE else None)
    # A commune is shown on the map of its département, among its neighbours.
    mapped = Scope(DEPARTEMENT, departement) if scope.kind == COMMUNE else scope
    label = scope_label(conn, scope)
    return LiveFigures(
        scope=scope,
        label=label,
        departement=departement,
        as_of=as_of,
        headline=tuple(headline[:HEADLINE_SLOTS]),
        phases=phase_funnel(commune_phases(conn, mapped, Filters(), as_of)),
        map_label=label if mapped == scope else scope_label(conn, mapped),
        objectives=objectives_frame(progress.table, commune_level=scope.kind == COMMUNE),
        school_year=school_year.label,
        elapsed=progress.elapsed,
        month=month,
        honour=honour_commune(conn, scope, as_of, honour),
        demo=values.demo or progress.demo,
    )


def objectives_frame(table: pd.DataFrame, commune_level: bool) -> pd.DataFrame:
    """Objectives in words for a room: a masked achieved count also hides its %, which would
    give it away with the target."""
    rows = []
    for r in table.itertuples():
        shown = mask_value(r.indicator, r.achieved, commune_level=commune_level, exact=False)
        masked = isinstance(shown, str)
        rows.append({
            "label": r.label,
            "achieved": format_value(shown, r.unit, r.decimals),
            "target": format_value(r.target, r.unit, r.decimals),
            "pct": None if masked or pd.isna(r.pct_reached)
            else float(public_share(r.pct_reached, r.achieved, shown)),
            "status": r.status,
            "status_label": Status(r.status).label,
        })
    return pd.DataFrame(rows, columns=["label", "achieved", "target", "pct", "status",
                                       "status_label"])


def month_figures(conn: Connection, scope: Scope, as_of: dt.date) -> MonthFigures:
    """The month in progress; when it has no workshop yet, the latest month that has one."""
    start, end, current = as_of.replace(day=1), as_of, True
    filters = Filters(date_from=start, date_to=end)
    values = compute_indicators(conn, scope, filters, codes=tuple(MONTH_CODES))
    if not values["workshops"]:
        latest = latest_workshop_date(conn, scope, as_of)
        if latest is not None:
            start, current = latest.replace(day=1), False
            end = months_before(start, -1) - dt.timedelta(days=1)
            filters = Filters(date_from=start, date_to=end)
            values = compute_indicators(conn, scope, filters, codes=tuple(MONTH_CODES))
    kpis = public_kpis(values, MONTH_CODES, commune_level=scope.kind == COMMUNE)
    themes = compute_breakdown(conn, scope, filters, by="theme")
    labels = Theme.labels()
    themes = pd.DataFrame({"label": [labels.get(k, k) for k in themes["key"]],
                           "workshops": themes["workshops"].astype(int)})
    return MonthFigures(start, end, current, kpis, themes)


def honour_commune(conn: Connection, scope: Scope, as_of: dt.date,
                   requested: str | None = None) -> Honour | None:
    """The commune à l'honneur and why: the one asked for, the scope's own commune, or the
    commune of the scope with the most workshops in the last 30 days (then this school year;
    ties: the larger population). None when the scope has no workshop yet."""
    if requested:
        return _honour(conn, requested, as_of, "Choisie pour cette présentation.")
    if scope.kind == COMMUNE:
        return _honour(conn, scope.code, as_of, "La commune présentée.")
    recent = Filters(date_from=as_of - dt.timedelta(days=HONOUR_DAYS - 1), date_to=as_of)
    for filters, when in ((recent, f"ces {HONOUR_DAYS} derniers jours"),
                          (Filters(date_from=school_year_of(as_of).start, date_to=as_of),
                           "depuis la rentrée")):
        # The communes with workshops only (France's 35 000 rows of names are not read).
        workshops = compute_indicator_sums(conn, scope, filters, "commune", ("workshops",))
        workshops = workshops.loc[workshops["workshops"] > 0, "workshops"]
        if not workshops.empty:
            most = int(workshops.max())
            code = _most_populated(conn, workshops.index[workshops == most].tolist())
            reason = (f"La commune qui a organisé le plus d'ateliers {when} : "
                      f"{format_number(most)}.")
            return _honour(conn, code, as_of, reason)
    return None


def _most_populated(conn: Connection, codes: list[str]) -> str:
    """Of ``codes``, the commune with the larger population (ties: the smaller code)."""
    populations = dict(conn.execute(
        select(Commune.code_insee, func.coalesce(Commune.population, 0))
        .where(Commune.code_insee.in_(codes))).all())
    return min(codes, key=lambda code: (-populations.get(code, 0), code))


def public_kpis(values: IndicatorValues, codes: Mapping[str, str],
                commune_level: bool) -> tuple[Kpi, ...]:
    """Tiles of ``codes`` (code → short label) as the public sees them."""
    return tuple(
        Kpi(code, label, format_value(mask_value(code, values[code], commune_level=commune_level,
                                                 exact=False),
                                      CATALOGUE[code].unit, CATALOGUE[code].decimals),
            f"{CATALOGUE[code].label} : {CATALOGUE[code].computation}")
        for code, label in codes.items())


def _honour(conn: Connection, code: str, as_of: dt.date, reason: str) -> Honour:
    commune = conn.execute(
        select(Commune.name, Commune.departement_code, Commune.population,
               Departement.name.label("departement_name"))
        .join(Departement, Departement.code == Commune.departement_code)
        .where(Commune.code_insee == code)).one()
    scope = Scope(COMMUNE, code)
    phase = commune_phases(conn, scope, Filters(), as_of).get(code)
    values = compute_indicators(
        conn, scope, Filters(date_from=school_year_of(as_of).start, date_to=as_of),
        codes=tuple(HONOUR_CODES))
    kpis = public_kpis(values, HONOUR_CODES, commune_level=True)
    return Honour(code, commune.name,
                  f"{commune.departement_name} ({commune.departement_code})",
                  int(commune.population),
                  PHASE_LABELS.get(phase, PHASE_LABELS["not_engaged"]), reason, kpis)
