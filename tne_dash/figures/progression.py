"""Month by month, how far a scope has got through a period towards its objectives.

Each point is the indicator « from the period's start to that day », computed by the shared
indicator function: the last point equals the figure of the objectives table.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection

from tne_dash.catalogue import CATALOGUE
from tne_dash.figures.indicators import compute_indicator_table
from tne_dash.figures.objectives import elapsed_share, period_filters
from tne_dash.figures.scope import Scope
from tne_dash.periods import Period

# The key indicators of the roll-out, in the order the page shows them.
PROGRESSION_CODES = ("workshops", "parents_reached", "parents_ressources_recruited")


def month_ends(period: Period, as_of: dt.date) -> list[dt.date]:
    """Last day of each month of ``period`` up to ``as_of``, then ``as_of`` itself when it
    falls inside a month (the last point is « to date »). Empty before the period starts."""
    last = min(as_of, period.end)
    days: list[dt.date] = []
    month = period.start.replace(day=1)
    while month <= last:
        following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        days.append(min(following - dt.timedelta(days=1), last))
        month = following
    return days


def progress_point(conn: Connection, scope: Scope, period: Period, day: dt.date,
                   codes: tuple[str, ...] = PROGRESSION_CODES,
                   include_demo: bool = True) -> dict:
    """The figures ``codes`` from the period's start to ``day`` (one indicator table), and
    ``demo``: True when demo rows are in them. A point depends on its day alone, not on the
    date the page is read at: a caller may keep it (the page keeps the past month ends)."""
    table = compute_indicator_table(conn, scope, period_filters(period, day, include_demo),
                                    codes=codes)
    return {**{code: float(table.at[0, code]) for code in codes},
            "demo": bool(table.at[0, "demo"])}


def progress_frame(points: list[tuple[dt.date, dict]], period: Period,
                   targets: dict[str, float],
                   codes: tuple[str, ...] = PROGRESSION_CODES) -> pd.DataFrame:
    """The points (day, ``progress_point``) as one row per indicator and day with ``value``,
    the ``target`` (NaN without one), ``expected`` — the target prorated to the share of the
    period elapsed that day, the pace « en bonne voie » asks for — and ``demo``."""
    rows = []
    for day, point in points:
        for code in codes:
            target = targets.get(code)
            rows.append({
                "indicator": code, "label": CATALOGUE[code].label, "date": day,
                "value": point[code],
                "target": float("nan") if target is None else float(target),
                "expected": float("nan") if target is None else
                float(target) * elapsed_share(period, day),
                "demo": point["demo"],
            })
    return pd.DataFrame(rows, columns=["indicator", "label", "date", "value", "target",
                                       "expected", "demo"])


def monthly_progress(conn: Connection, scope: Scope, period: Period, as_of: dt.date,
                     targets: dict[str, float], codes: tuple[str, ...] = PROGRESSION_CODES,
                     include_demo: bool = True) -> pd.DataFrame:
    """Cumulative value of ``codes`` at each month end up to ``as_of`` (``month_ends``), as
    ``progress_frame`` rows."""
    return progress_frame(
        [(day, progress_point(conn, scope, period, day, codes, include_demo))
         for day in month_ends(period, as_of)], period, targets, codes)
