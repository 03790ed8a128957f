"""Where each commune stands in its yearly roll-out at a given date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, select

from tne_dash.figures.filters import Filters, source_clauses, territory_clauses
from tne_dash.figures.scope import Scope
from tne_dash.store.frames import read_frame
from tne_dash.store.models import Commune, RolloutYear
from tne_dash.vocabulary import NOT_ENGAGED, PHASE_LABELS, PHASE_ORDER


def commune_phases(conn: Connection, scope: Scope, filters: Filters, day: dt.date) -> pd.Series:
    """Phase on ``day`` of every commune of the territory, indexed by INSEE code: not engaged
    before its year 1, then the phase of its current year, autonomie after year 3."""
    return phases_at(territory_codes(conn, scope, filters), plan_starts(conn, scope, filters),
                     day)


def territory_codes(conn: Connection, scope: Scope, filters: Filters) -> pd.Series:
    """The INSEE codes of the territory's communes (``commune_phases`` with ``rollout_plan``:
    what does not depend on the date, for a caller that keeps it across dates)."""
    return read_frame(conn, select(Commune.code_insee)
                      .where(*territory_clauses(scope, filters)))["code_insee"]


def plan_starts(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """What ``phases_at`` reads of the territory's plan, one row per planned year: code_insee,
    year_number, phase, start_date — ``rollout_plan`` without the names, ends and school
    years, and without joining the communes when the territory is France (35 ms against 90
    for France's 22 000 years: every map, presentation and card of France reads its
    phases)."""
    stmt = select(RolloutYear.commune_code.label("code_insee"), RolloutYear.year_number,
                  RolloutYear.phase, RolloutYear.start_date).where(
        *source_clauses(RolloutYear.source, filters))
    if territory := territory_clauses(scope, filters):
        stmt = stmt.join(Commune, Commune.code_insee == RolloutYear.commune_code).where(
            *territory)
    return read_frame(conn, stmt)


def phases_at(codes, plans: pd.DataFrame, day: dt.date) -> pd.Series:
    """Phase on ``day`` of each commune of ``codes`` given the plan rows of ``plan_starts``
    (or ``rollout_plan``):
    not engaged before its year 1, then the phase of the latest year started — autonomie
    stays after year 3."""
    phases = pd.Series(NOT_ENGAGED, index=pd.Index(codes, name="code_insee"), dtype=object)
    started = plans[pd.to_datetime(plans["start_date"]) <= pd.Timestamp(day)]
    latest = started.sort_values("year_number").groupby("code_insee").tail(1)
    phases.loc[latest["code_insee"].to_numpy()] = latest["phase"].to_numpy()
    return phases

def rollout_plan(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """The planned years of every engaged commune of the territory, one row per year:
    code_insee, name, year_number, phase, school_year, start_date, end_date, source."""
    frame = read_frame(
        conn,
        select(RolloutYear.commune_code.label("code_insee"), Commune.name,
               RolloutYear.year_number, RolloutYear.phase, RolloutYear.school_year,
               RolloutYear.start_date, RolloutYear.end_date, RolloutYear.source)
        .join(Commune, Commune.code_insee == RolloutYear.commune_code)
        .where(*territory_clauses(scope, filters),
               *source_clauses(RolloutYear.source, filters))
        .order_by(RolloutYear.commune_code, RolloutYear.year_number),
    )
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def phase_funnel(phases: pd.Series) -> pd.DataFrame:
    """Communes per phase, in roll-out order: ``communes`` in the phase now, and ``reached``
    (in this phase or further along) — the funnel not engaged → … → autonomous."""
    counts = phases.value_counts().reindex(PHASE_ORDER, fill_value=0).astype(int)
    reached = counts[::-1].cumsum()[::-1]
    reached.iloc[0] = int(counts.sum())  # « not engaged or further » is every commune
    return pd.DataFrame({
        "phase": PHASE_ORDER,
        "label": [PHASE_LABELS[p] for p in PHASE_ORDER],
        "communes": counts.to_numpy(),
        "reached": reached.to_numpy(),
    })
