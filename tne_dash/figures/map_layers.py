"""Point layers of the map as frames: CNFS host structures, workshop venues, schools.

Aggregated in SQL (one row per point); the map builders turn them into GeoJSON.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Connection, and_, func, select

from tne_dash.figures.filters import Filters, school_clauses, territory_clauses
from tne_dash.figures.indicators import workshop_rows
from tne_dash.figures.scope import Scope
from tne_dash.store.models import CnfsStructure, Commune, School, Venue
from tne_dash.vocabulary import Source

# Structures of one commune share its point: spread them on a small circle (~300 m).
SPREAD_DEGREES = 0.003


def spread_shared_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Move points that share a position onto a small circle around it, deterministically."""
    if frame.empty:
        return frame
    frame = frame.copy()
    rank = frame.groupby(["lat", "lon"]).cumcount()
    size = frame.groupby(["lat", "lon"])["lat"].transform("size")
    angle = 2 * math.pi * rank / size
    shared = size > 1
    frame.loc[shared, "lat"] = frame.loc[shared, "lat"] + SPREAD_DEGREES * angle[shared].map(
        math.sin)
    frame.loc[shared, "lon"] = frame.loc[shared, "lon"] + 1.5 * SPREAD_DEGREES * angle[
        shared].map(math.cos)
    return frame


def cnfs_points(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """CNFS host structures of the territory at their commune's point (the file is not
    geocoded), with employer kind and posts."""
    stmt = (
        select(CnfsStructure.name, CnfsStructure.employer_kind, CnfsStructure.posts,
               CnfsStructure.public_private, Commune.name.label("commune"),
               Commune.lat, Commune.lon)
        .join(Commune, Commune.code_insee == CnfsStructure.commune_code)
        .where(*territory_clauses(scope, filters), Commune.lat.is_not(None))
        .order_by(CnfsStructure.commune_code, CnfsStructure.name)
    )
    return spread_shared_points(pd.read_sql(stmt, conn))


def venue_points(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Workshop venues of the territory with their count of the filters' workshops held in
    the territory (read like every workshop figure: ``indicators.workshop_rows``)."""
    rows = workshop_rows(scope, filters)
    counts = (
        select(rows.c.venue_id, func.sum(rows.c.workshops).label("workshops"))
        .group_by(rows.c.venue_id)
        .subquery()
    )
    clauses = [*territory_clauses(scope, filters), Venue.lat.is_not(None)]
    if filters.venue_kinds:
        clauses.append(Venue.kind.in_(filters.venue_kinds))
    if not filters.include_demo:
        clauses.append(Venue.source != Source.DEMO.value)
    stmt = (
        select(Venue.id, Venue.name, Venue.kind, Commune.name.label("commune"), Venue.lat,
               Venue.lon, func.coalesce(counts.c.workshops, 0).label("workshops"))
        .join(Commune, Commune.code_insee == Venue.commune_code)
        .outerjoin(counts, counts.c.venue_id == Venue.id)
        .where(and_(*clauses))
        .order_by(Venue.id)
    )
    return pd.read_sql(stmt, conn)


def school_points(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Schools of the territory (collèges, lycées, REP/REP+ écoles) with their EP and PCN
    status at the end of the period."""
    stmt = (
        select(School.uai, School.name, School.level, School.education_prioritaire,
               School.strategy_target, School.pcn_since, School.position_is_commune,
               Commune.name.label("commune"), School.lat, School.lon)
        .join(Commune, Commune.code_insee == School.commune_code)
        .where(*territory_clauses(scope, filters), *school_clauses(filters),
               School.lat.is_not(None))
        .order_by(School.uai)
    )
    frame = pd.read_sql(stmt, conn)
    pcn = pd.to_datetime(frame["pcn_since"])
    frame["has_pcn"] = (pcn.notna() if filters.date_to is None
                        else pcn.le(pd.Timestamp(filters.date_to)))
    frame.loc[frame["position_is_commune"].astype(bool)] = spread_shared_points(
        frame[frame["position_is_commune"].astype(bool)])
    return frame
