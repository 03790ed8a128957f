"""The demo generator: deterministic, realistic in scale, flagged, and faithful to Bezons."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from tne_dash import REFERENCE_DIR
from tne_dash.store.demo import BEZONS, generate_demo_activity
from tne_dash.store.reference import TNE_COHORTS, load_communes, load_schools


@pytest.fixture(scope="module")
def reference():
    return load_communes(REFERENCE_DIR), load_schools(REFERENCE_DIR)


@pytest.fixture(scope="module")
def activity(reference):
    return generate_demo_activity(*reference, seed=42)


def test_the_same_seed_gives_the_same_activity(reference, activity):
    again = generate_demo_activity(*reference, seed=42)
    assert again.workshops == activity.workshops
    assert again.parents_ressources == activity.parents_ressources
    assert again.venues == activity.venues


def test_another_seed_gives_other_activity(reference, activity):
    other = generate_demo_activity(*reference, seed=7)
    assert other.workshops != activity.workshops


def test_every_row_is_flagged_demo(activity):
    for rows in (activity.venues, activity.workshops, activity.parents_ressources,
                 activity.rollout_years, activity.objectives, activity.strategies,
                 activity.external_measures):
        assert rows and {r["source"] for r in rows} == {"demo"}


def test_activity_stays_in_the_tne_departements(activity):
    deps = {w["commune_code"][:3] if w["commune_code"].startswith("97") else
            w["commune_code"][:2] for w in activity.workshops}
    assert deps <= set(TNE_COHORTS)


def test_not_every_commune_is_engaged_and_later_cohorts_start_later(reference, activity):
    communes, _ = reference
    tne = communes[communes["departement_code"].isin(list(TNE_COHORTS))]
    first_years = {r["commune_code"]: r["start_date"].year
                   for r in activity.rollout_years if r["year_number"] == 1}
    assert 0.03 * len(tne) < len(first_years) < 0.3 * len(tne)
    pilots = [y for c, y in first_years.items() if c[:2] in ("02", "95")]
    extension = [y for c, y in first_years.items() if c[:2] not in ("02", "95")]
    assert min(pilots) == 2020
    assert min(extension) == 2021
    assert sum(extension) / len(extension) > sum(pilots) / len(pilots)


def test_a_commune_holds_a_few_to_a_few_dozen_workshops_a_year(activity):
    per_commune_year = Counter(
        (w["commune_code"], w["date"].year if w["date"].month >= 9 else w["date"].year - 1)
        for w in activity.workshops)
    counts = sorted(per_commune_year.values())
    assert counts[len(counts) // 2] <= 30
    assert max(counts) <= 80


def test_first_time_parents_never_exceed_parents_present(activity):
    assert all(w["first_time_parents_count"] <= w["parents_count"] for w in activity.workshops)


def test_bezons_reproduces_its_published_figures(activity):
    cutoff = dt.date(2023, 4, 17)
    workshops = [w for w in activity.workshops
                 if w["commune_code"] == BEZONS and w["date"] <= cutoff]
    assert len(workshops) == 50
    assert {w["duration_minutes"] for w in workshops} == {90}
    assert sum(w["first_time_parents_count"] for w in workshops) == 109
    counts = [p for p in activity.parents_ressources
              if p["commune_code"] == BEZONS and p["period_end"] <= cutoff]
    assert sum(p["recruited"] for p in counts) == 20
    assert sum(p["meetings"] for p in counts) == 14


def test_bezons_roll_out_runs_from_2021_to_2024(activity):
    plan = sorted((r["year_number"], r["phase"], r["school_year"])
                  for r in activity.rollout_years if r["commune_code"] == BEZONS)
    assert plan == [(1, "acculturation", "2021-2022"),
                    (2, "parents_ressources", "2022-2023"),
                    (3, "autonomie", "2023-2024")]
