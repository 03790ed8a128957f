"""The national-scale scenario: big enough (20 000 venues, a million workshops), the same
every time, coherent row by row, and loaded in bulk on both databases with figures equal to
the indicators'."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from factories import make_commune, make_venue, make_workshop

from tne_dash import REFERENCE_DIR
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.scope import Scope
from tne_dash.store import reference
from tne_dash.store.build import _write_national
from tne_dash.store.national import MIN_VENUES, generate_national_activity, school_days


@pytest.fixture(scope="module")
def france() -> pd.DataFrame:
    return reference.load_communes(REFERENCE_DIR)


@pytest.fixture(scope="module")
def national(france):
    return generate_national_activity(france)


def test_the_national_scenario_reaches_the_scale_the_programme_aims_at(national, france):
    counts = national.counts()
    assert counts["venues"] >= MIN_VENUES
    assert counts["workshops"] >= 1_000_000
    engaged = set(national.rollout_years["commune_code"])
    assert len(engaged) > 5_000
    assert len({c[:2] for c in engaged}) >= 95  # every département takes part
    # Parents Ressources and objectives for every engaged commune with activity.
    with_workshops = set(national.workshops["commune_code"])
    assert set(national.objectives["scope_code"]) == with_workshops
    assert set(national.parents_ressources["commune_code"]) <= engaged
    years = pd.to_datetime(national.workshops["date"])
    school_years = set(years.dt.year - (years.dt.month < 9))
    assert school_years == {2022, 2023, 2024, 2025}


def test_the_national_scenario_is_the_same_every_time(france):
    subset = france[france["departement_code"].isin(["86", "95"])]
    first = generate_national_activity(subset, seed=7)
    again = generate_national_activity(subset, seed=7)
    other = generate_national_activity(subset, seed=8)
    for name in first.counts():
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    assert not first.workshops["venue_id"].equals(other.workshops["venue_id"])


def test_each_workshop_is_in_its_commune_on_a_school_day_of_its_engaged_years(national):
    workshops = national.workshops.sample(50_000, random_state=1)
    venues = national.venues.set_index("id")
    assert (venues.loc[workshops["venue_id"], "commune_code"].to_numpy()
            == workshops["commune_code"].to_numpy()).all()
    dates = pd.to_datetime(workshops["date"])
    assert (dates.dt.day_of_week < 5).all() and not (dates.dt.month == 8).any()
    first = national.rollout_years.query("year_number == 1").set_index("commune_code")
    started = pd.to_datetime(first.loc[workshops["commune_code"], "start_date"]).to_numpy()
    assert (dates.to_numpy() >= started).all()
    assert (workshops["first_time_parents_count"] <= workshops["parents_count"]).all()
    themes = national.workshop_themes
    assert not themes.duplicated().any()


def test_school_days_leave_out_weekends_and_the_summer_break():
    days = pd.DatetimeIndex(school_days(2022, 1))
    assert days[0] == pd.Timestamp("2022-09-01") and days[-1] == pd.Timestamp("2023-07-13")
    assert pd.Timestamp("2022-09-03") not in days  # a Saturday


def test_the_scenario_loads_in_bulk_and_the_indicators_count_it(session, engine):
    for code, name in (("86194", "Poitiers"), ("86066", "Châtellerault"), ("86001", "A")):
        make_commune(session, code, name=name, population=80_000, departement_code="86")
    session.commit()
    communes = pd.DataFrame({"code_insee": ["86001", "86066", "86194"],
                             "name": ["A", "Châtellerault", "Poitiers"],
                             "departement_code": "86", "population": 80_000,
                             "lat": 46.6, "lon": 0.3})
    activity = generate_national_activity(communes, seed=3)
    activity = type(activity)(**{  # a small slice, to keep the test quick
        **{name: getattr(activity, name) for name in activity.counts()},
        "workshops": activity.workshops.head(2_000),
        "workshop_themes": activity.workshop_themes[
            activity.workshop_themes["workshop_id"] <= 2_000]})
    with session.begin():
        _write_national(session, activity, lambda _label, _fraction: None)
    # The sequences moved past the given ids: the next workshop recorded gets a new one.
    make_workshop(session, make_venue(session, "86194"), date=dt.date(2026, 3, 2))
    session.commit()
    with engine.connect() as conn:
        values = compute_indicators(conn, Scope("departement", "86"),
                                    Filters(date_to=dt.date(2026, 8, 31)))
    assert values["workshops"] == 2_001
    assert values["parents_reached"] == activity.workshops["first_time_parents_count"].sum() + 5
