"""Comparing communes fairly: per 1 000 inhabitants, similar communes, and ranks with ties.

Figures come from ``indicators.compute_indicator_table`` grouped by commune — the same code
path as every page and ``tne-dash indicators``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
from sqlalchemy import Connection, func, select

from tne_dash.catalogue import CATALOGUE, PER_1000
from tne_dash.filters import Filters
from tne_dash.indicators import compute_indicator_table
from tne_dash.labels import format_number
from tne_dash.models import Commune, RolloutYear, School
from tne_dash.scope import NATIONAL, Scope
from tne_dash.vocabulary import Source

MIN_SELECTED, MAX_SELECTED = 2, 6
SIMILAR_COUNT = 5
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
    (ties share a rank): code_insee, name, value, rank, tied — best first."""
    engaged = select(RolloutYear.commune_code).where(RolloutYear.year_number == 1)
    if filters.date_to is not None:
        engaged = engaged.where(RolloutYear.start_date <= filters.date_to)
    codes = tuple(conn.scalars(
        select(Commune.code_insee).where(Commune.departement_code == departement,
                                         Commune.code_insee.in_(engaged))).all())
    if not codes:
        return pd.DataFrame(columns=["code_insee", "name", "value", "rank", "tied"])
    table = compute_indicator_table(
        conn, Scope(NATIONAL), replace(filters, communes=codes), level="commune",
        codes=(indicator,))
    out = pd.DataFrame({"code_insee": table["key"], "name": table["name"],
                        "value": table[indicator].astype(float)})
    higher = CATALOGUE[indicator.removesuffix(PER_1000)].higher_is_better
    out["rank"] = competition_ranks(out["value"], higher)
    out["tied"] = out["rank"].duplicated(keep=False)
    return out.sort_values(["rank", "code_insee"]).reset_index(drop=True)
