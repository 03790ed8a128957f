"""Comparing communes fairly: per 1 000 inhabitants, similar communes, and ranks with ties.

Figures come from ``indicators.compute_indicator_table`` grouped by commune — the same code
path as every page and ``tne-dash indicators``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection, func, select

from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicator_table, compute_monthly_table
from tne_dash.figures.objectives import ObjectivesProgress, objectives_progress, period_filters
from tne_dash.figures.rollout import commune_phases
from tne_dash.figures.scope import COMMUNE, NATIONAL, Scope
from tne_dash.labels import format_number
from tne_dash.periods import Period, school_year_of
from tne_dash.store.models import Commune, Departement, RolloutYear, School, Workshop
from tne_dash.vocabulary import Source

MIN_SELECTED, MAX_SELECTED = 2, 6
SIMILAR_COUNT = 5
# Similar communes added to a lone commune for the default comparison (3 columns read well).
DEFAULT_COMPANIONS = 2
# Weights of the similarity distance: one order of magnitude of population weighs as much as
# two differences of REP presence, or four years of engagement apart.
REP_WEIGHT = 0.5
YEAR_WEIGHT = 0.25
SIMILARITY_RULE = (
    "Communes engagées les plus proches par la taille (écart de population, en ordre de "
    "grandeur), la présence d'écoles ou de collèges en éducation prioritaire (REP/REP+) et "
    "l'année d'engagement dans le volet parentalité, tous départements TNE confondus."
)


def comparison_table(conn: Connection, codes: tuple[str, ...], filters: Filters) -> pd.DataFrame:
    """The catalogue's indicators for each commune of ``codes`` (one row each, in that order)
    with ``schools``: the commune's écoles, collèges and lycées, for per-school values."""
    table = compute_indicator_table(conn, Scope(NATIONAL), replace(filters, communes=codes),
                                    level="commune").set_index("key")
    schools = dict(conn.execute(
        select(School.commune_code, func.count(School.uai))
        .where(School.commune_code.in_(codes)).group_by(School.commune_code)).all())
    table["schools"] = [schools.get(code, 0) for code in table.index]
    return table.reindex(list(codes)).rename_axis("code_insee").reset_index()


def per_school(value: float | int | None, schools: int) -> float | None:
    """``value`` per school of the commune; None without schools."""
    if value is None or schools <= 0:
        return None
    return float(value) / schools


def commune_profiles(conn: Connection, include_demo: bool = True) -> pd.DataFrame:
    """Every engaged commune: code_insee, name, departement_code, population, has_rep, and
    first_year (the calendar year its year 1 started)."""
    first = (select(RolloutYear.commune_code, func.min(RolloutYear.start_date).label("start"))
             .where(RolloutYear.year_number == 1,
                    *([] if include_demo else [RolloutYear.source != Source.DEMO.value]))
             .group_by(RolloutYear.commune_code).subquery())
    rep = select(School.commune_code).where(School.education_prioritaire.is_not(None))
    frame = pd.read_sql(
        select(Commune.code_insee, Commune.name, Commune.departement_code, Commune.population,
               Commune.code_insee.in_(rep).label("has_rep"), first.c.start)
        .join(first, first.c.commune_code == Commune.code_insee)
        .order_by(Commune.code_insee), conn)
    frame["has_rep"] = frame["has_rep"].astype(bool)
    frame["first_year"] = pd.to_datetime(frame["start"]).dt.year
    return frame.drop(columns=["start"])


def similarity_distance(a: pd.Series, b: pd.DataFrame) -> pd.Series:
    """Distance of commune ``a`` to each row of ``b`` (lower is closer): population gap in
    orders of magnitude, + 0.5 when REP presence differs, + 0.25 per year of engagement."""
    size = (b["population"].clip(lower=1).map(math.log10)
            - math.log10(max(int(a["population"]), 1))).abs()
    rep = (b["has_rep"] != bool(a["has_rep"])).astype(float) * REP_WEIGHT
    years = (b["first_year"] - a["first_year"]).abs().fillna(0) * YEAR_WEIGHT \
        if pd.notna(a.get("first_year")) else 0.0
    return size + rep + years


def similar_communes(profiles: pd.DataFrame, reference: pd.Series,
                     count: int = SIMILAR_COUNT) -> pd.DataFrame:
    """The ``count`` engaged communes closest to ``reference`` (itself excluded), closest
    first, ties broken by INSEE code — deterministic."""
    others = profiles[profiles["code_insee"] != reference["code_insee"]]
    ranked = others.assign(distance=similarity_distance(reference, others).round(6))
    return ranked.sort_values(["distance", "code_insee"]).head(count).reset_index(drop=True)


def similar_to(profiles: pd.DataFrame, code: str, count: int = SIMILAR_COUNT) -> pd.DataFrame:
    """``similar_communes`` of the commune ``code``; empty when it is not engaged."""
    match = profiles[profiles["code_insee"] == code]
    if match.empty:
        return profiles.iloc[0:0]
    return similar_communes(profiles, match.iloc[0], count)


def competition_ranks(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1 for the best value; equal values share a rank and the next rank skips (1, 2, 2, 4)."""
    return values.rank(method="min", ascending=not higher_is_better).astype(int)


def ordinal(n: int) -> str:
    """« 1er », « 2e », « 27e »."""
    return "1er" if n == 1 else f"{n}e"


def rank_phrase(rank: int, total: int, tied: bool = False) -> str:
    """« 3e sur 27 », « 2e ex aequo sur 27 »."""
    return f"{ordinal(rank)}{' ex aequo' if tied else ''} sur {format_number(total)}"


def departement_ranking(conn: Connection, departement: str, indicator: str,
                        filters: Filters) -> pd.DataFrame:
    """Every engaged commune of ``departement`` with its value of ``indicator`` and its rank
    (ties share a rank): code_insee, name, value, count (the base count of a rate, for the
    small-count rule), rank, tied — best first."""
    engaged = select(RolloutYear.commune_code).where(RolloutYear.year_number == 1)
    if filters.date_to is not None:
        engaged = engaged.where(RolloutYear.start_date <= filters.date_to)
    codes = tuple(conn.scalars(
        select(Commune.code_insee).where(Commune.departement_code == departement,
                                         Commune.code_insee.in_(engaged))).all())
    if not codes:
        return pd.DataFrame(columns=["code_insee", "name", "value", "count", "rank", "tied"])
    base = indicator.removesuffix(PER_1000)
    table = compute_indicator_table(
        conn, Scope(NATIONAL), replace(filters, communes=codes), level="commune",
        codes=(indicator, base))
    out = pd.DataFrame({"code_insee": table["key"], "name": table["name"],
                        "value": table[indicator].astype(float), "count": table[base]})
    higher = CATALOGUE[indicator.removesuffix(PER_1000)].higher_is_better
    out["rank"] = competition_ranks(out["value"], higher)
    out["tied"] = out["rank"].duplicated(keep=False)
    return out.sort_values(["rank", "code_insee"]).reset_index(drop=True)


def default_selection(profiles: pd.DataFrame, codes: tuple[str, ...]) -> tuple[str, ...]:
    """The communes to compare when fewer than two are asked: the asked commune (or, with
    none, the most populous engaged commune) followed by its most similar communes."""
    if len(codes) >= MIN_SELECTED or profiles.empty:
        return codes
    if codes and codes[0] in set(profiles["code_insee"]):
        reference = profiles[profiles["code_insee"] == codes[0]].iloc[0]
    elif codes:
        return codes  # a commune that is not engaged: nothing to measure similarity on
    else:
        reference = profiles.sort_values(["population", "code_insee"],
                                         ascending=[False, True]).iloc[0]
    similar = similar_communes(profiles, reference, DEFAULT_COMPANIONS)
    return (reference["code_insee"], *similar["code_insee"])


def comparison_filters(period: Period | None, as_of: dt.date) -> Filters:
    """Activity of a school year up to ``as_of``, or since the start of the programme."""
    return period_filters(period, as_of) if period is not None else Filters(date_to=as_of)


@dataclass(frozen=True)
class Comparison:
    """Everything the side-by-side view shows for a few communes at a date."""

    codes: tuple[str, ...]
    as_of: dt.date
    period: Period | None
    # comparison_table: one row per commune, in ``codes`` order.
    table: pd.DataFrame
    # Phase of each commune at ``as_of`` (INSEE code → phase code).
    phases: dict[str, str]
    # Objectives of the school year (``period``, or the school year of ``as_of``).
    objectives: dict[str, ObjectivesProgress]
    # Département code of each commune, and the name of each of those départements.
    departements: dict[str, str]
    departement_names: dict[str, str]
    # The latest workshop recorded for these communes up to ``as_of`` (data freshness).
    latest_activity: dt.date | None = None

    @property
    def objectives_period(self) -> Period:
        return self.period or school_year_of(self.as_of)

    @property
    def demo(self) -> bool:
        return bool(self.table["demo"].any()) or any(p.demo for p in self.objectives.values())


def compare_communes(conn: Connection, codes: tuple[str, ...], period: Period | None,
                     as_of: dt.date) -> Comparison:
    """Indicators, phase and objectives of each commune of ``codes`` — every figure from the
    shared indicator path."""
    filters = comparison_filters(period, as_of)
    table = comparison_table(conn, codes, filters)
    phases = commune_phases(conn, Scope(NATIONAL), Filters(communes=codes), as_of)
    objectives_year = period or school_year_of(as_of)
    objectives = {code: objectives_progress(conn, Scope(COMMUNE, code), objectives_year, as_of)
                  for code in codes}
    rows = conn.execute(
        select(Commune.code_insee, Commune.departement_code, Departement.name)
        .join(Departement, Departement.code == Commune.departement_code)
        .where(Commune.code_insee.in_(codes))).all()
    latest = conn.scalar(select(func.max(Workshop.date)).where(
        Workshop.commune_code.in_(codes), Workshop.date <= as_of))
    return Comparison(codes, as_of, period, table, phases.to_dict(), objectives,
                      {r[0]: r[1] for r in rows}, {r[1]: r[2] for r in rows},
                      pd.Timestamp(latest).date() if latest is not None else None)


def monthly_series(conn: Connection, codes: tuple[str, ...], filters: Filters) -> pd.DataFrame:
    """Workshops and parents reached of each commune of ``codes``, month by month (months
    without activity at 0): code_insee, month, workshops, parents_reached."""
    table = compute_monthly_table(conn, Scope(NATIONAL), replace(filters, communes=codes))
    columns = ["code_insee", "month", "workshops", "parents_reached"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    first, last = min(table["month"]), max(table["month"])
    months = pd.date_range(first, last, freq="MS").date
    grid = pd.MultiIndex.from_product([codes, months], names=["code_insee", "month"])
    out = (table.rename(columns={"key": "code_insee"}).set_index(["code_insee", "month"])
           [["workshops", "parents_reached"]].reindex(grid, fill_value=0))
    return out.reset_index()
