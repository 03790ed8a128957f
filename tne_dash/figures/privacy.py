"""The public small-count rule: one module, used by every page that shows commune figures.

A count of people (parents, children, Parents Ressources …) of a commune — one commune, a
selection of communes, one month of a commune — is shown to anonymous viewers **rounded to
the nearest 5**, and from 1 to 4 as « < 5 ». Zero stays zero (nobody to identify).
Rounding is what makes the rule hold across views: « < 5 » alone could be undone by
subtraction (a selection with and without the commune, a département's exact total minus
its other communes, a year minus its months), whereas differences of rounded figures leave
several possible values. Rates, shares and per-school values of such a count are computed
from the rounded count. Totals above commune level stay exact, and signed-in editors see
exact values everywhere.
"""

from __future__ import annotations

import math

import pandas as pd

from tne_dash.catalogue import CATALOGUE, PER_1000

SMALL_COUNT_MIN = 1
SMALL_COUNT_MAX = 4
ROUNDED_TO = 5
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


def public_count(value):
    """A count of people as the public sees it: 0, « < 5 », or a multiple of 5 (halves up)."""
    if not isinstance(value, int | float) or pd.isna(value) or value == 0:
        return value
    if is_small_count(value):
        return MASK
    return int(ROUNDED_TO * math.floor(value / ROUNDED_TO + 0.5))


def public_share(derived, count, shown):
    """A value derived from ``count`` (a rate, a share, a value per school), recomputed from
    the count as shown: hidden with it (or replaced by the same words), scaled to its
    rounding."""
    if isinstance(shown, str):
        return shown
    if not isinstance(derived, int | float) or pd.isna(derived) or not count or shown == count:
        return derived
    return derived * shown / count


def mask_value(code: str, value, *, commune_level: bool, exact: bool):
    """``value``, or its public form when the rule applies to this indicator, level and
    viewer (« < 5 », or rounded to 5)."""
    if exact or not commune_level or code not in CATALOGUE or not CATALOGUE[code].counts_people:
        return value
    return public_count(value)


def mask_small_counts(table: pd.DataFrame, *, commune_level: bool, exact: bool) -> pd.DataFrame:
    """A copy of ``table`` (columns named by indicator code) with its counts of people in
    their public form, and their rates per 1 000 inhabitants computed from it.

    A column with a masked cell becomes a text column; other columns are untouched.
    """
    if exact or not commune_level:
        return table
    out = table.copy()
    for column in people_columns(out.columns):
        shown = table[column].map(public_count)
        out[column] = shown.astype(object) if (shown == MASK).any() else shown
        # A rate per 1 000 inhabitants gives the count back with the population.
        rate = column + PER_1000
        if rate in out:
            rates = [public_share(r, c, s) for r, c, s in zip(table[rate], table[column], shown,
                                                               strict=True)]
            out[rate] = pd.Series(rates, index=out.index,
                                  dtype=object if MASK in rates else float)
    return out
