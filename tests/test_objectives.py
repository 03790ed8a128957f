"""Objectives against achievements: the status rule, and the tables built on it, on both
SQLite and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from factories import (
    make_commune,
    make_objective,
    make_parents_ressources,
    make_venue,
    make_workshop,
)
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators
from tne_dash.figures.objectives import (
    Status,
    commune_progress,
    commune_statuses,
    elapsed_share,
    objective_status,
    objective_statuses,
    objectives_progress,
    period_filters,
    share_reached,
    worst_status,
)
from tne_dash.figures.scope import Scope
from tne_dash.periods import parse_period
from tne_dash.store.db import make_engine
from tne_dash.store.models import Commune, Objective

YEAR = parse_period("2022-2023")  # 1 Sept 2022 → 31 Aug 2023: 365 days
BEZONS = Scope("commune", "95063")


@pytest.mark.parametrize(
    ("achieved", "target", "elapsed", "status"),
    [
        pytest.param(8, 10, 0.5, Status.ON_TRACK, id="ahead of pace"),
        pytest.param(5, 10, 0.5, Status.ON_TRACK, id="exactly on pace"),
        pytest.param(4, 10, 0.5, Status.LATE, id="behind pace"),
        pytest.param(10, 10, 0.3, Status.REACHED, id="reached early"),
        pytest.param(12, 10, 1.0, Status.REACHED, id="beyond the target"),
        pytest.param(3, None, 0.5, Status.NO_TARGET, id="no target"),
        pytest.param(3, 0, 0.5, Status.NO_TARGET, id="zero target"),
        pytest.param(0, 10, 0.0, Status.ON_TRACK, id="period not started"),
        pytest.param(9, 10, 1.0, Status.LATE, id="period over, not reached"),
        pytest.param(None, 10, 0.2, Status.LATE, id="nothing recorded yet"),
    ],
)
def test_status_compares_the_share_achieved_with_the_share_of_the_year_elapsed(
        achieved, target, elapsed, status):
    assert objective_status(achieved, target, elapsed) == status


_AMOUNTS = st.one_of(st.none(), st.just(float("nan")), st.integers(-3, 60),
                    st.floats(-5, 80, allow_nan=False))


@given(st.lists(st.tuples(_AMOUNTS, _AMOUNTS), max_size=30), st.floats(0, 1))
def test_the_statuses_of_many_objectives_at_once_are_each_objectives_status(pairs, elapsed):
    achieved = [a for a, _ in pairs]
    target = [t for _, t in pairs]
    assert list(objective_statuses(achieved, target, elapsed)) == [
        objective_status(a, t, elapsed).value for a, t in pairs]


def test_the_statuses_at_once_cover_the_examples_of_each_status():
    examples = [(8, 10, Status.ON_TRACK), (4, 10, Status.LATE), (10, 10, Status.REACHED),
                (3, None, Status.NO_TARGET), (None, 10, Status.LATE)]
    found = objective_statuses([a for a, _, _ in examples], [t for _, t, _ in examples], 0.5)
    assert list(found) == [status.value for _, _, status in examples]


@pytest.mark.parametrize(
    ("day", "share"),
    [
        (dt.date(2022, 8, 31), 0.0),
        (dt.date(2022, 9, 1), 1 / 365),
        (dt.date(2023, 3, 1), 182 / 365),
        (dt.date(2023, 8, 31), 1.0),
        (dt.date(2024, 1, 1), 1.0),
    ],
)
def test_elapsed_share_counts_whole_days_of_the_school_year(day, share):
    assert elapsed_share(YEAR, day) == pytest.approx(share)


def test_share_reached_needs_a_positive_target():
    assert share_reached(15, 20) == 75.0
    assert share_reached(None, 20) == 0.0
    assert share_reached(3, 0) is None


def test_the_worst_status_of_a_commune_is_the_most_worrying_one():
    assert worst_status([Status.REACHED, Status.LATE, Status.ON_TRACK]) == Status.LATE
    assert worst_status([Status.REACHED, Status.NO_TARGET]) == Status.REACHED
    assert worst_status([]) == Status.NO_TARGET


@pytest.fixture
def bezons_year(session):
    """Bezons: 3 workshops in 2022-2023 (8 + 5 + 4 first-time parents), one the year before;
    objectives of 10 workshops and 20 parents reached; a neighbour with no objective."""
    make_commune(session, "95063", name="Bezons")
    make_commune(session, "95018", name="Argenteuil")
    venue = make_venue(session, "95063")
    make_workshop(session, venue, date=dt.date(2022, 6, 1), first_time_parents_count=9)
    for day, first in ((dt.date(2022, 9, 20), 8), (dt.date(2022, 11, 8), 5),
                       (dt.date(2023, 2, 2), 4)):
        make_workshop(session, venue, date=day, first_time_parents_count=first)
    make_objective(session, indicator="workshops", target=10)
    make_objective(session, indicator="parents_reached", target=20)
    make_objective(session, indicator="parents_reached", target=99, first_year=2021)
    session.commit()


def test_objectives_are_measured_from_the_start_of_the_year_to_the_date(engine, bezons_year):
    as_of = dt.date(2022, 12, 31)  # 122 days of 365: a third of the year
    with engine.connect() as conn:
        progress = objectives_progress(conn, BEZONS, YEAR, as_of)
        same = compute_indicators(conn, BEZONS, Filters(date_from=YEAR.start, date_to=as_of))
    table = progress.table.set_index("indicator")
    assert list(table.index) == ["workshops", "parents_reached"]  # catalogue order
    assert table.at["workshops", "achieved"] == same["workshops"] == 2
    assert table.at["parents_reached", "achieved"] == same["parents_reached"] == 13
    assert table.at["workshops", "status"] == "en_retard"  # 20 % done, 33 % of the year gone
    assert table.at["parents_reached", "pct_reached"] == pytest.approx(65.0)
    assert table.at["parents_reached", "status"] == "en_bonne_voie"
    assert progress.elapsed == pytest.approx(122 / 365)


def test_an_objective_behind_pace_is_late_and_a_met_one_reached(engine, bezons_year):
    with engine.connect() as conn:
        late = objectives_progress(conn, BEZONS, YEAR, dt.date(2023, 6, 30)).table
    statuses = dict(zip(late["indicator"], late["status"], strict=True))
    # 3 of 10 workshops with 83 % of the year gone; 17 of 20 parents, 85 % ≥ 83 %.
    assert statuses == {"workshops": "en_retard", "parents_reached": "en_bonne_voie"}
    with engine.connect() as conn:
        final = objectives_progress(conn, BEZONS, YEAR, dt.date(2023, 9, 15)).table
    assert list(final["status"]) == ["en_retard", "en_retard"]  # the year is over


def test_the_objectives_say_demo_only_when_demo_rows_are_in_their_own_figures(
        engine, session, bezons_year):
    """Demo Parents Ressources reports do not make workshops and parents reached demo
    figures; a demo workshop of the year does."""
    make_parents_ressources(session, "95063", month=dt.date(2022, 10, 1), source="demo")
    session.commit()
    as_of = dt.date(2023, 6, 30)
    with engine.connect() as conn:
        progress = objectives_progress(conn, BEZONS, YEAR, as_of)
        assert compute_indicators(conn, BEZONS, period_filters(YEAR, as_of)).demo is True
    assert progress.demo is False
    assert set(progress.values.values) >= {"workshops", "parents_reached"}
    make_workshop(session, make_venue(session, "95063", name="Démo"),
                  date=dt.date(2022, 10, 4), source="demo")
    session.commit()
    with engine.connect() as conn:
        assert objectives_progress(conn, BEZONS, YEAR, as_of).demo is True


def test_commune_statuses_name_the_late_objectives_and_mask_small_counts(engine, bezons_year):
    with engine.connect() as conn:
        progress = commune_progress(conn, Scope("departement", "95"), YEAR, dt.date(2023, 6, 30))
    assert set(progress["code_insee"]) == {"95063"}  # Argenteuil has no objective
    exact = commune_statuses(progress, exact=True).set_index("code_insee")
    assert exact.at["95063", "status"] == "en_retard"
    assert exact.at["95063", "late_objectives"] == "Ateliers : 3 sur 10"
    public = commune_statuses(progress, exact=False).set_index("code_insee")
    assert public.at["95063", "late_objectives"] == "Ateliers : 3 sur 10"  # not people
    with engine.connect() as conn:
        early = commune_progress(conn, Scope("departement", "95"), YEAR, dt.date(2022, 9, 1))
    early = early[early["indicator"] == "parents_reached"].assign(status="en_retard")
    assert commune_statuses(early, exact=False).at[0, "late_objectives"] == \
        "Parents touchés : 0 sur 20"
    early = early.assign(achieved=3.0)
    assert commune_statuses(early, exact=False).at[0, "late_objectives"] == \
        "Parents touchés : < 5 sur 20"


def test_the_programme_objectives_are_reference_data_present_without_demo(built_db_url):
    with make_engine(built_db_url).connect() as conn:
        rows = conn.execute(select(Objective.indicator, Objective.target, Objective.source)
                            .where(Objective.scope_kind == "national",
                                   Objective.period_label == "2023-2024")).all()
    assert sorted(rows) == [("strategies_validated", 10.0, "programme"),
                            ("target_schools_with_pcn_pct", 25.0, "programme")]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_communes_of_a_whole_area_are_measured_as_each_departement_measures_its_own(
        request, backend, built_db_url):
    """France in one indicator table (vigilance reads it so) gives every commune the figures
    its département's own table gives it, row for row."""
    url = built_db_url if backend == "sqlite" else request.getfixturevalue("built_pg_url")
    engine = make_engine(url)
    day = dt.date(2023, 4, 17)
    with engine.connect() as conn:
        whole = commune_progress(conn, Scope("national"), YEAR, day)
        departements = sorted(set(conn.scalars(select(Commune.departement_code).where(
            Commune.code_insee.in_(sorted(set(whole["code_insee"])))))))
        one_by_one = pd.concat([commune_progress(conn, Scope("departement", dep), YEAR, day)
                                for dep in departements])
    engine.dispose()
    assert len(whole) > 20 and len(departements) > 1
    order = ["code_insee", "indicator"]
    pd.testing.assert_frame_equal(whole.sort_values(order).reset_index(drop=True),
                                  one_by_one.sort_values(order).reset_index(drop=True))
