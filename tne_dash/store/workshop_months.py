"""Monthly workshop sums (table ``workshop_month``), exact because the writes keep them.

A million workshops summed again for every new question is what made a shared link slow; the
same figures summed per commune, venue, month and source are five times fewer rows, and
whole months of a period read them instead (``figures/indicators.py``).

They can never be stale because nothing writes them but this module, called **inside the
transaction of every write of a workshop**: a build calls ``rebuild`` (everything summed
again), an import, a Saisie entry or an undo calls ``refresh`` with the (commune, day) of
every workshop it touched — before and after the change — and the rows of those (commune,
month) pairs are deleted and summed again from ``workshop`` itself. ``workshop`` stays the
reference: ``tests/test_workshop_months.py`` checks the fast path against it on random
activity and filters (hypothesis), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, Date, Select, delete, func, insert, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from tne_dash.store.models import Workshop, WorkshopMonth

# Communes refreshed per statement: an IN list every driver accepts.
COMMUNES_PER_REFRESH = 500
SUMMED = ("workshops", "participations", "parents_reached", "children_reached",
          "duration_minutes")


class month_start(FunctionElement):  # noqa: N801 — reads as the SQL function it compiles to
    """The first day of the month of a DATE column, as a DATE, on every database."""

    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start)
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after ``month``."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _summed(*where) -> Select:
    month = month_start(Workshop.date)
    return (
        select(Workshop.commune_code, Workshop.venue_id, month.label("month"), Workshop.source,
               func.count(Workshop.id), func.sum(Workshop.parents_count),
               func.sum(Workshop.first_time_parents_count), func.sum(Workshop.children_count),
               func.sum(Workshop.duration_minutes), func.max(Workshop.date))
        .where(*where)
        .group_by(Workshop.commune_code, Workshop.venue_id, month, Workshop.source)
    )


_COLUMNS = ["commune_code", "venue_id", "month", "source", *SUMMED, "last_date"]


def rebuild(conn: Connection | Session) -> None:
    """Every row summed again from ``workshop`` (a build, a migration)."""
    conn.execute(delete(WorkshopMonth))
    conn.execute(insert(WorkshopMonth).from_select(_COLUMNS, _summed()))


def refresh(conn: Connection | Session, touched: Iterable[tuple[str, dt.date]]) -> None:
    """Sum again the months of the communes a write touched: ``touched`` holds the (commune,
    day) of each workshop written, deleted or changed, before and after the change. Call it
    in the write's transaction, after the write."""
    months: dict[str, set[dt.date]] = defaultdict(set)
    for commune_code, day in touched:
        months[commune_code].add(first_of_month(day))
    # Communes grouped by their span of months: one delete and one insert per group.
    spans: dict[tuple[dt.date, dt.date], list[str]] = defaultdict(list)
    for commune_code, chosen in months.items():
        spans[(min(chosen), max(chosen))].append(commune_code)
    for (first, last), communes in spans.items():
        for start in range(0, len(communes), COMMUNES_PER_REFRESH):
            chunk = sorted(communes[start:start + COMMUNES_PER_REFRESH])
            conn.execute(delete(WorkshopMonth).where(
                WorkshopMonth.commune_code.in_(chunk),
                WorkshopMonth.month >= first, WorkshopMonth.month <= last))
            conn.execute(insert(WorkshopMonth).from_select(_COLUMNS, _summed(
                Workshop.commune_code.in_(chunk), Workshop.date >= first,
                Workshop.date < next_month(last))))
