"""Objective periods: school years (1 September → 31 August) and calendar years."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

SCHOOL_YEAR = "school_year"
CALENDAR_YEAR = "calendar_year"
_SCHOOL_YEAR = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{4})\s*$")
_CALENDAR_YEAR = re.compile(r"^\s*(\d{4})\s*$")


def school_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """1 September of ``start_year`` to 31 August of the next year."""
    return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)


def school_year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


@dataclass(frozen=True)
class Period:
    """A named objective period: « 2023-2024 » (school year) or « 2024 » (calendar year)."""

    kind: str
    label: str
    start: dt.date
    end: dt.date


def parse_period(text: str) -> Period:
    """« 2023-2024 » or « 2024 »; ValueError otherwise (the caller words the message)."""
    if match := _SCHOOL_YEAR.match(text):
        first, second = int(match[1]), int(match[2])
        if second != first + 1:
            raise ValueError(text)
        start, end = school_year_bounds(first)
        return Period(SCHOOL_YEAR, school_year_label(first), start, end)
    if match := _CALENDAR_YEAR.match(text):
        year = int(match[1])
        return Period(CALENDAR_YEAR, str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))
    raise ValueError(text)


def school_year_of(day: dt.date) -> Period:
    """The school year containing ``day`` (1 September → 31 August)."""
    first = day.year if day.month >= 9 else day.year - 1
    start, end = school_year_bounds(first)
    return Period(SCHOOL_YEAR, school_year_label(first), start, end)
