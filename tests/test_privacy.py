"""The public small-count rule: a commune's counts of people rounded to 5 for the public,
1 to 4 read « < 5 »."""

from __future__ import annotations

import pandas as pd

from tne_dash.figures.privacy import (
    MASK,
    mask_small_counts,
    mask_value,
    public_count,
    public_share,
)


def test_counts_of_people_from_1_to_4_are_masked_in_commune_rows_for_the_public():
    table = pd.DataFrame({"parents_reached": [0, 1, 4, 5], "workshops": [1, 2, 3, 4],
                          "parents_reached_per_1000_inhabitants": [0.0, 0.1, 0.4, 0.5]})
    masked = mask_small_counts(table, commune_level=True, exact=False)
    assert masked["parents_reached"].tolist() == [0, MASK, MASK, 5]
    assert masked["parents_reached_per_1000_inhabitants"].tolist() == [0.0, MASK, MASK, 0.5]
    assert masked["workshops"].tolist() == [1, 2, 3, 4]  # not a count of people


def test_editors_and_totals_above_commune_level_stay_exact():
    table = pd.DataFrame({"children_reached": [2, 3]})
    assert mask_small_counts(table, commune_level=True, exact=True).equals(table)
    assert mask_small_counts(table, commune_level=False, exact=False).equals(table)


def test_one_value_follows_the_same_rule():
    assert mask_value("parents_ressources_recruited", 3, commune_level=True, exact=False) == MASK
    assert mask_value("parents_ressources_recruited", 3, commune_level=False, exact=False) == 3
    assert mask_value("cnfs_posts", 3, commune_level=True, exact=False) == 3


def test_counts_of_people_of_a_commune_are_rounded_to_5_for_the_public_halves_up():
    assert [public_count(v) for v in (0, 4, 5, 7, 8, 109, 112, 113)] == [
        0, MASK, 5, 5, 10, 110, 110, 115]
    assert mask_value("parents_reached", 109, commune_level=True, exact=False) == 110
    assert mask_value("parents_reached", 109, commune_level=True, exact=True) == 109
    assert mask_value("workshops", 109, commune_level=True, exact=False) == 109


def test_a_rate_follows_its_rounded_count_so_the_population_cannot_give_it_back():
    table = pd.DataFrame({"parents_reached": [109], "population": [27_000],
                          "parents_reached_per_1000_inhabitants": [109 / 27]})
    masked = mask_small_counts(table, commune_level=True, exact=False)
    assert masked.at[0, "parents_reached"] == 110
    assert masked.at[0, "parents_reached_per_1000_inhabitants"] == 110 / 27
    assert public_share(50.0, 109, 110) == 50.0 * 110 / 109
    assert public_share(50.0, 3, MASK) == MASK


def test_a_masked_commune_cannot_be_recovered_by_subtracting_two_selections():
    """The reported attack: ``communes=A`` reads « < 5 », ``communes=A,B`` and ``communes=B``
    are published; every value of A from 1 to 4 (but one case, below) stays possible."""
    for a in range(1, 5):
        for b in range(5, 300):
            possible = {a2 for a2 in range(1, 5) for b2 in range(0, 400)
                        if public_count(b2) == public_count(b)
                        and public_count(a2 + b2) == public_count(a + b)}
            assert len(possible) >= 2, (a, b, possible)


def test_a_public_change_is_computed_from_the_rounded_figures_never_the_exact_ones():
    """Shown 100 and « +81 » would give the exact 101 back: both ends are rounded."""
    from tne_dash.catalogue import CATALOGUE
    from tne_dash.figures.filters import Filters
    from tne_dash.figures.indicators import IndicatorValues
    from tne_dash.figures.metrics import explorer_kpis
    from tne_dash.figures.scope import Scope

    selection = Filters(communes=("95063",))

    def figures(participations):
        values = {code: 0 for code in CATALOGUE} | {"participations": participations}
        return IndicatorValues(scope=Scope("tne"), filters=selection, population=1,
                               demo=False, values=values)

    kpis = {k.code: k for k in explorer_kpis(figures(101), figures(22), "avant", exact=False)}
    assert kpis["participations"].value == "100"
    assert kpis["participations"].delta == "+80 (+400,0 %)"
