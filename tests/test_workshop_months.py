"""The monthly workshop sums: the fast path gives the figures of every workshop read one by
one, and every write (import, update, Saisie, undo) keeps the sums exact in its transaction.

Every test runs on SQLite and on the real PostgreSQL server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imports_helpers import ADMIN, NOW, TODAY, make_reference
from imports_helpers import run as run_import
from sqlalchemy import select

# The random worlds, territories and filters of the independent recomputation.
from test_indicators_differential import _write, cases

from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import (
    ADDITIVE_WORKSHOP_CODES,
    DEMO_START_CODES,
    MONTHLY_CODES,
    _row_parts,
    compute_breakdown,
    compute_indicator_sums,
    compute_indicator_table,
    compute_monthly_table,
    demo_groups,
    period_split,
    read_demo_starts,
    reads_monthly_sums,
)
from tne_dash.figures.scope import Scope
from tne_dash.store.imports.service import record_workshop, undo_import
from tne_dash.store.models import Workshop, WorkshopMonth

HEADER = ("date;code_insee;lieu;type_lieu;phase;format;thematiques;duree_minutes;animateur;"
          "nb_parents;nb_nouveaux_parents;nb_enfants;reference")
LEVELS = ("total", "departement", "commune")


def _without_workshop_attributes(filters: Filters) -> Filters:
    return replace(filters, phases=(), formats=(), themes=(), facilitator_kinds=(),
                   venue_kinds=(), school_levels=())


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases(), level=st.sampled_from(LEVELS))
def test_the_monthly_sums_give_the_figures_of_every_workshop_read_one_by_one(engine, case,
                                                                             level):
    """Random activity, territory, period (its ends anywhere in a month) and demo filter: the
    workshop figures, whole and month by month, are the raw path's to the last digit."""
    filters = _without_workshop_attributes(case.filters)
    assert reads_monthly_sums(filters)
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            _write(conn, case.world)
            for f in (filters, replace(filters, include_demo=not filters.include_demo),
                      replace(filters, date_from=None)):
                # With the count of distinct venues, the rows are summed together; without
                # it, each part of the rows is summed first (``_summed_by_part``).
                for codes in (MONTHLY_CODES, tuple(sorted(ADDITIVE_WORKSHOP_CODES))):
                    fast = compute_indicator_table(conn, case.scope, f, level, codes=codes)
                    raw = compute_indicator_table(conn, case.scope, f, level, codes=codes,
                                                  raw=True)
                    pd.testing.assert_frame_equal(fast, raw, check_dtype=False)
                pd.testing.assert_frame_equal(
                    compute_monthly_table(conn, case.scope, f, level),
                    compute_monthly_table(conn, case.scope, f, level, raw=True),
                    check_dtype=False)
        finally:
            transaction.rollback()


COUNTS = (*MONTHLY_CODES, "parents_ressources_recruited", "parents_ressources_meetings",
          "communes_engaged")


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases(), level=st.sampled_from(LEVELS),
       codes=st.lists(st.sampled_from(COUNTS), min_size=1, max_size=4, unique=True))
def test_the_counts_without_the_territory_rows_are_the_tables_counts(engine, case, level,
                                                                     codes):
    """``compute_indicator_sums`` (the points de vigilance's reading): random activity,
    territory, filters and counts — each group it gives has the table's counts and demo flag,
    and every group it leaves out has only zeros and no demo row in the table;
    ``demo_groups`` names exactly the groups whose demo flag is up."""
    codes = tuple(codes)
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            _write(conn, case.world)
            for f in (case.filters, replace(case.filters, date_from=None),
                      *case.more_workshop_filters):
                table = compute_indicator_table(conn, case.scope, f, level,
                                                codes=codes).set_index("key")
                sums = compute_indicator_sums(conn, case.scope, f, level, codes)
                assert set(sums.index) <= set(table.index)
                if len(sums):
                    kept = table.loc[list(sums.index)]
                    pd.testing.assert_frame_equal(sums[[*codes, "demo"]],
                                                  kept[[*codes, "demo"]],
                                                  check_dtype=False, check_names=False)
                left_out = table.drop(index=list(sums.index))
                assert (left_out[list(codes)] == 0).all().all()
                assert not left_out["demo"].any()
                assert demo_groups(conn, case.scope, f, level, codes) == \
                    set(table.index[table["demo"]])
        finally:
            transaction.rollback()


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases(), picks=st.lists(st.integers(0, 10_000), max_size=4))
def test_the_first_demo_rows_name_each_days_demo_communes_as_the_indicator_path_does(
        engine, case, picks):
    """Random activity, territory and days — the period's ends, a report's end, and the day
    of some communes' first demo workshop or report and the day before it: the communes that
    ``DemoStarts`` (the points de vigilance's, read once per territory) says hold demo rows
    up to a day are exactly those ``demo_groups`` finds reading the whole period up to it."""
    firsts: dict[str, dt.date] = {}
    for row in (*case.world.workshops, *case.world.reports):
        if row["source"] == "demo":
            code, day = row["commune_code"], row.get("date", row.get("period_end"))
            firsts[code] = min(day, firsts.get(code, day))
    picked = [sorted(firsts.items())[pick % len(firsts)][1] for pick in picks if firsts]
    days = {case.filters.date_from, case.filters.date_to, case.edge,
            *picked, *(day - dt.timedelta(days=1) for day in picked)} - {None}
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            _write(conn, case.world)
            starts = read_demo_starts(conn, case.scope)
            for day in sorted(days):
                assert starts.demo_communes(conn, day) == demo_groups(
                    conn, case.scope, Filters(date_to=day), "commune", DEMO_START_CODES)
        finally:
            transaction.rollback()


ADDITIVE = ("workshops", "participations", "parents_reached", "children_reached",
            "workshop_hours")


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_a_departements_workshop_figures_are_its_communes_summed(engine, case):
    """The rows summed by département carry their département (no join around them): its
    counts are those of its communes added up, its venues as many as its communes' venues
    at most — fast path and raw path, random activity, territory and filters."""
    departement_of = {c["code_insee"]: c["departement_code"] for c in case.world.communes}
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            _write(conn, case.world)
            for f in (case.filters, replace(case.filters, date_from=None),
                      *case.more_workshop_filters):
                for raw in (False, True):
                    deps = compute_indicator_table(conn, case.scope, f, "departement",
                                                   codes=MONTHLY_CODES, raw=raw)
                    communes = compute_indicator_table(conn, case.scope, f, "commune",
                                                       codes=MONTHLY_CODES, raw=raw)
                    summed = communes.groupby(communes["key"].map(departement_of))[
                        [*ADDITIVE, "venues"]].sum()
                    for row in deps.itertuples():
                        for code in ADDITIVE:
                            assert getattr(row, code) == pytest.approx(
                                summed.at[row.key, code] if row.key in summed.index else 0)
                        assert row.venues <= (summed.at[row.key, "venues"]
                                              if row.key in summed.index else 0)
                    assert set(deps.loc[deps["workshops"] > 0, "key"]) == set(
                        summed.index[summed["workshops"] > 0])
        finally:
            transaction.rollback()


def test_a_rate_is_not_read_without_the_territory_rows(engine):
    with engine.connect() as conn, pytest.raises(ValueError, match="comptes de base"):
        compute_indicator_sums(conn, Scope("national"), Filters(), "commune",
                               ("workshops_per_1000",))


@pytest.mark.parametrize(("date_from", "date_to", "whole", "edges"), [
    (None, None, (None, None), []),
    (dt.date(2023, 9, 1), dt.date(2024, 6, 30), (dt.date(2023, 9, 1), dt.date(2024, 6, 1)), []),
    (dt.date(2023, 9, 5), dt.date(2024, 4, 17), (dt.date(2023, 10, 1), dt.date(2024, 3, 1)),
     [(dt.date(2023, 9, 5), dt.date(2023, 9, 30)), (dt.date(2024, 4, 1), dt.date(2024, 4, 17))]),
    (None, dt.date(2023, 4, 17), (None, dt.date(2023, 3, 1)),
     [(dt.date(2023, 4, 1), dt.date(2023, 4, 17))]),
    (dt.date(2024, 4, 5), dt.date(2024, 5, 10), None,
     [(dt.date(2024, 4, 5), dt.date(2024, 5, 10))]),
    (dt.date(2024, 2, 1), dt.date(2024, 2, 29), (dt.date(2024, 2, 1), dt.date(2024, 2, 1)), []),
])
def test_a_period_reads_its_whole_months_from_the_sums_and_its_ends_day_by_day(
        date_from, date_to, whole, edges):
    assert period_split(date_from, date_to) == (whole, edges)


def test_the_days_at_the_ends_of_a_period_of_all_france_are_read_by_date_on_sqlite(engine):
    """SQLite's planner skipped through the (commune, date) index, commune by commune, for a
    few days of every commune; the days' part names the date index, on SQLite only (a
    territory keeps its communes' index)."""
    days = Filters(date_from=dt.date(2024, 2, 20), date_to=dt.date(2024, 4, 10))
    parts = _row_parts(Scope("national"), days)
    with engine.connect() as conn:
        for part in parts[1:]:  # the two ends; the whole month reads the monthly sums
            compiled = part.compile(conn)
            sql = str(compiled)
            assert ("INDEXED BY ix_workshop_date" in sql) == (engine.dialect.name == "sqlite")
            if engine.dialect.name == "sqlite":
                values = tuple(str(compiled.params[name]) for name in compiled.positiontup)
                plan = " ".join(row[3] for row in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + sql, values).all())
                assert "ix_workshop_date (date>? AND date<?)" in plan
    for part in _row_parts(Scope("departement", "95"), days)[1:]:
        assert "INDEXED BY" not in str(part.compile(engine))


def test_a_workshop_attribute_filter_reads_the_workshops_themselves():
    assert reads_monthly_sums(Filters(date_to=dt.date(2024, 1, 1), departements=("95",),
                                      rep_only=True, include_demo=False))
    for attribute in ("phases", "formats", "themes", "facilitator_kinds", "venue_kinds",
                      "school_levels"):
        assert not reads_monthly_sums(Filters(**{attribute: ("x",)}))


def _sums(engine) -> pd.DataFrame:
    """The monthly sums as stored, in a stable order."""
    columns = ["commune_code", "venue_id", "month", "source", "workshops", "participations",
               "parents_reached", "children_reached", "duration_minutes"]
    with engine.connect() as conn:
        frame = pd.read_sql(select(*(getattr(WorkshopMonth, c) for c in columns)), conn)
    return _ordered(frame, columns)


def _sums_of_the_workshops(engine) -> pd.DataFrame:
    """What the sums must be: every workshop read and summed here, in pandas."""
    with engine.connect() as conn:
        w = pd.read_sql(select(Workshop), conn)
    w["month"] = [day.replace(day=1) for day in pd.to_datetime(w["date"]).dt.date]
    sums = (w.assign(workshops=1)
            .groupby(["commune_code", "venue_id", "month", "source"], dropna=False)
            .agg(workshops=("workshops", "sum"), participations=("parents_count", "sum"),
                 parents_reached=("first_time_parents_count", "sum"),
                 children_reached=("children_count", "sum"),
                 duration_minutes=("duration_minutes", "sum"))
            .reset_index())
    return _ordered(sums, list(sums.columns))


def _ordered(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame[columns].copy()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["venue_id"] = frame["venue_id"].astype("Int64")
    return frame.sort_values(columns[:4]).reset_index(drop=True).astype(
        {c: "int64" for c in columns[4:]})


def _file(rows: list[tuple[str, str, int, str]]) -> bytes:
    """Template rows: (date, commune, parents, reference)."""
    return "\n".join([HEADER] + [
        f"{day};{commune};Médiathèque;médiathèque;acculturation;café des parents;ENT|Pix;90;"
        f"CNFS;{parents};7;3;{ref}" for day, commune, parents, ref in rows]).encode()


def test_every_write_keeps_the_monthly_sums_equal_to_the_workshops(engine, session):
    """Insert, update (a workshop moved to another month and commune), a Saisie entry, then
    undo each import: after every write the stored sums are the workshops' own."""
    make_reference(session)
    first = run_import(engine, "workshops", "a.csv", _file([
        ("12/03/2024", "95063", 12, "A-1"), ("30/03/2024", "95063", 8, "A-2"),
        ("02/04/2024", "95018", 9, "A-3")]))
    assert _sums(engine).equals(_sums_of_the_workshops(engine))
    assert _sums(engine)["workshops"].sum() == 3
    moved = run_import(engine, "workshops", "a.csv", _file([
        ("12/03/2024", "95063", 20, "A-1"), ("01/05/2024", "95018", 10, "A-2"),
        ("02/04/2024", "95018", 9, "A-3")]))
    assert moved.counts.updated == 2
    assert _sums(engine).equals(_sums_of_the_workshops(engine))
    saved = record_workshop(engine, {
        "date": dt.date(2024, 3, 20), "code_insee": "95063", "lieu": "Médiathèque",
        "type_lieu": "médiathèque", "phase": "acculturation", "format": "atelier collectif",
        "thematiques": "ENT", "duree_minutes": 60, "animateur": "CNFS", "nb_parents": 5,
        "nb_nouveaux_parents": 2, "nb_enfants": 0}, account=ADMIN, today=TODAY, now=NOW)
    assert saved.errors == []
    assert _sums(engine).equals(_sums_of_the_workshops(engine))
    assert undo_import(engine, moved.batch_id, account=ADMIN, now=NOW) == 2
    assert _sums(engine).equals(_sums_of_the_workshops(engine))
    assert undo_import(engine, first.batch_id, account=ADMIN, now=NOW) >= 3
    assert _sums(engine).equals(_sums_of_the_workshops(engine))
    assert _sums(engine)["workshops"].sum() == 1  # the Saisie entry is left


def test_a_theme_breakdown_reads_each_workshop_once_per_theme(built_db_url):
    from tne_dash.store.db import make_engine

    engine = make_engine(built_db_url)
    with engine.connect() as conn:
        scope = Scope("departement", "95")
        total = compute_indicator_table(conn, scope, Filters(), codes=("workshops",))
        themes = compute_breakdown(conn, scope, Filters(), "theme")
        formats = compute_breakdown(conn, scope, Filters(), "format")
    assert formats["workshops"].sum() == total["workshops"].iloc[0]
    assert themes["workshops"].sum() > total["workshops"].iloc[0]  # two themes: counted twice
    engine.dispose()
