"""``read_frame``: the values SQLAlchemy gives, read the fast way — dates stored as text by
SQLite converted once per distinct value — on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Date, Float, Integer, MetaData, String, Table, func, select

from tne_dash.store.frames import read_frame

PROBE = Table("frame_probe", MetaData(), Column("id", Integer, primary_key=True),
              Column("day", Date), Column("label", String(20)), Column("amount", Float))

rows = st.lists(st.fixed_dictionaries({
    "day": st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
    "label": st.none() | st.sampled_from(["Bezons", "Argenteuil", "L'Île-Saint-Denis", ""]),
    "amount": st.none() | st.floats(-1e6, 1e6, allow_nan=False),
}), max_size=40)


def _sqlalchemy_rows(conn, stmt) -> pd.DataFrame:
    """The reference: each row as SQLAlchemy converts it."""
    result = conn.execute(stmt)
    return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=rows)
def test_a_frame_read_the_fast_way_holds_the_values_sqlalchemy_gives(engine, written):
    """Dates (some missing, many repeated), text and numbers, as stored and as computed (the
    latest day of each label): the same frame as SQLAlchemy's rows, dates as ``date``."""
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            PROBE.create(conn, checkfirst=True)  # SQLite keeps its tables past a rollback
            conn.execute(PROBE.delete())
            if written:
                conn.execute(PROBE.insert(), written)
            for stmt in (select(PROBE.c.day, PROBE.c.label, PROBE.c.amount).order_by(PROBE.c.id),
                         select(PROBE.c.label, func.max(PROBE.c.day).label("latest"))
                         .group_by(PROBE.c.label).order_by(PROBE.c.label),
                         select(PROBE.c.label, PROBE.c.amount).order_by(PROBE.c.id)):
                fast, reference = read_frame(conn, stmt), _sqlalchemy_rows(conn, stmt)
                pd.testing.assert_frame_equal(fast, reference)
                for name in {"day", "latest"}.intersection(fast.columns):
                    assert all(type(day) is dt.date for day in fast[name] if day is not None)
        finally:
            transaction.rollback()


def test_an_empty_result_keeps_its_columns(engine):
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            PROBE.create(conn, checkfirst=True)
            conn.execute(PROBE.delete())
            frame = read_frame(conn, select(PROBE.c.day, PROBE.c.label))
            assert list(frame.columns) == ["day", "label"] and frame.empty
        finally:
            transaction.rollback()
