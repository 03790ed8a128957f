"""The public small-count rule: 1 to 4 people in a commune cell read « < 5 »."""

from __future__ import annotations

import pandas as pd

from tne_dash.figures.privacy import MASK, mask_small_counts, mask_value


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
