"""The public small-count rule: one function, used by every page that shows commune figures.

A count of people (parents, children, first-time parents, Parents Ressources …) from 1 to 4 in
a commune-level cell could point at a family; anonymous viewers see « < 5 » instead. Zero stays
zero (nobody to identify), totals above commune level stay exact, and signed-in editors see
exact values.
"""

from __future__ import annotations

import pandas as pd

from tne_dash.catalogue import CATALOGUE, PER_1000

SMALL_COUNT_MIN = 1
SMALL_COUNT_MAX = 4
MASK = "< 5"


def people_columns(columns) -> list[str]:
    """The columns of ``columns`` that hold counts of people (catalogue ``counts_people``)."""
    return [c for c in columns if c in CATALOGUE and CATALOGUE[c].counts_people]


def reveals_people_count(code: str) -> bool:
    """A count of people, or its rate per 1 000 inhabitants."""
    return bool(people_columns([code.removesuffix(PER_1000)]))


def is_small_count(value) -> bool:
    return (isinstance(value, int | float) and not pd.isna(value)
            and SMALL_COUNT_MIN <= value <= SMALL_COUNT_MAX)


def mask_value(code: str, value, *, commune_level: bool, exact: bool):
    """``value`` or « < 5 » when the rule applies to this indicator, level and viewer."""
    if exact or not commune_level or code not in CATALOGUE or not CATALOGUE[code].counts_people:
        return value
    return MASK if is_small_count(value) else value


def mask_small_counts(table: pd.DataFrame, *, commune_level: bool, exact: bool) -> pd.DataFrame:
    """A copy of ``table`` (columns named by indicator code) with small counts masked.

    Masked columns become text columns; other columns are untouched.
    """
    if exact or not commune_level:
        return table
    out = table.copy()
    for column in people_columns(out.columns):
        small = table[column].map(is_small_count)
        if not small.any():
            continue
        out[column] = table[column].astype(object).where(~small, MASK)
        # A rate per 1 000 inhabitants gives the count back with the population: mask it too.
        rate = column + PER_1000
        if rate in out:
            out[rate] = table[rate].astype(object).where(~small, MASK)
    return out
