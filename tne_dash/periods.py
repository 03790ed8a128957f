"""Objective periods: school years (1 September → 31 August) and calendar years."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# The pilot départements' first school year: the earliest any page offers.
FIRST_SCHOOL_YEAR = 2020
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


def shift_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The comparable period just before [start, end]: the same dates one year earlier for a
    whole year (12 months, school or calendar year) or a year to date (from 1 September or
    1 January), so that the same months are compared; otherwise the same number of days
    ending the day before ``start``."""
    year_start = (start.month, start.day) in ((9, 1), (1, 1))
    if end < shift_years(start, 1) and (year_start or
                                        shift_years(start, 1) - dt.timedelta(days=1) == end):
        return shift_years(start, -1), shift_years(end, -1)
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def last_twelve_months(end: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 months ending on ``end`` (inclusive)."""
    return shift_years(end, -1) + dt.timedelta(days=1), end


def quick_periods(as_of: dt.date, first_year: int) -> dict[str, tuple[dt.date, dt.date]]:
    """The period shortcuts of the filters, most recent first: school years, calendar years,
    and the last 12 months — each clipped to ``as_of``."""
    choices: dict[str, tuple[dt.date, dt.date]] = {
        f"12 derniers mois (au {as_of:%d/%m/%Y})": last_twelve_months(as_of)}
    current = school_year_of(as_of).start.year
    for year in range(current, first_year - 1, -1):
        start, end = school_year_bounds(year)
        choices[f"Année scolaire {school_year_label(year)}"] = (start, min(end, as_of))
    for year in range(as_of.year, first_year - 1, -1):
        choices[f"Année civile {year}"] = (dt.date(year, 1, 1), min(dt.date(year, 12, 31),
                                                                    as_of))
    return choices
