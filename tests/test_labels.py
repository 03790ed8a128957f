"""French formatting: thousands with a narrow no-break space, decimal comma, month names."""

from __future__ import annotations

import datetime as dt

import pytest

from tne_dash.labels import (
    NNBSP,
    format_date,
    format_month,
    format_number,
    format_percent,
    format_value,
)


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (33717, 0, f"33{NNBSP}717"),
        (3925, 0, f"3{NNBSP}925"),
        (12, 0, "12"),
        (1234567.5, 1, f"1{NNBSP}234{NNBSP}567,5"),
        (0.25, 2, "0,25"),
        (-1500, 0, f"-1{NNBSP}500"),
        (None, 0, "—"),
        (float("nan"), 1, "—"),
    ],
)
def test_numbers_are_formatted_the_french_way(value, decimals, text):
    assert format_number(value, decimals) == text


def test_percentages_have_a_comma_and_a_spaced_sign():
    assert format_percent(12.5) == f"12,5{NNBSP}%"
    assert format_value(25, "%", 0) == f"25{NNBSP}%"
    assert format_percent(None) == "—"


@pytest.mark.parametrize(
    ("day", "month_text", "date_text"),
    [
        (dt.date(2024, 1, 15), "janv. 2024", "15 janvier 2024"),
        (dt.date(2023, 4, 17), "avr. 2023", "17 avril 2023"),
        (dt.date(2021, 9, 1), "sept. 2021", "1er septembre 2021"),
        (dt.date(2022, 2, 28), "févr. 2022", "28 février 2022"),
        (dt.date(2022, 8, 3), "août 2022", "3 août 2022"),
    ],
)
def test_months_and_dates_use_french_names(day, month_text, date_text):
    assert format_month(day) == month_text
    assert format_date(day) == date_text
