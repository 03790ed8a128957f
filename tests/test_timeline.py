"""A département's communes through their three years: timeline rows, filters and sorts, the
funnel, and the month-by-month progression — on both databases."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from factories import make_commune, make_objective, make_rollout, make_venue, make_workshop

from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import FAMILIES, compute_indicator_table, compute_indicators
from tne_dash.figures.progression import month_ends, monthly_progress, progress_point
from tne_dash.figures.rollout import commune_phases, phase_funnel
from tne_dash.figures.scope import Scope
from tne_dash.figures.timeline import (
    departement_rollout,
    select_communes,
    timeline_bars,
    timeline_summary,
)
from tne_dash.periods import parse_period

VAL_DOISE = Scope("departement", "95")
YEAR = parse_period("2022-2023")


@pytest.fixture
def three_cohorts(session):
    """Bezons engaged in 2021, Cergy in 2022, Argenteuil in 2023, Ermont never; Bezons has a
    year-2 objective of 10 workshops and only 1."""
    make_commune(session, "95063", name="Bezons")
    make_commune(session, "95127", name="Cergy")
    make_commune(session, "95018", name="Argenteuil")
    make_commune(session, "95219", name="Ermont")
    make_rollout(session, "95063", first_year=2021)
    make_rollout(session, "95127", first_year=2022)
    make_rollout(session, "95018", first_year=2023)
    make_workshop(session, make_venue(session, "95063"), date=dt.date(2022, 10, 3))
    make_objective(session, indicator="workshops", target=10)
    make_objective(session, scope_code="95127", indicator="workshops", target=1)
    make_workshop(session, make_venue(session, "95127"), date=dt.date(2022, 9, 12))
    session.commit()


def test_each_commune_is_in_the_phase_of_its_current_year_with_its_status(engine,
                                                                          three_cohorts):
    with engine.connect() as conn:
        plan, communes = departement_rollout(conn, "95", YEAR, dt.date(2023, 4, 17),
                                             exact=True)
    rows = communes.set_index("code_insee")
    assert list(rows.index) == ["95018", "95063", "95127"]  # engaged communes only
    assert rows.loc["95063", ["phase", "first_school_year", "status"]].tolist() == \
        ["parents_ressources", "2021-2022", "en_retard"]
    assert rows.at["95063", "late_objectives"] == "Ateliers : 1 sur 10"
    assert rows.loc["95127", ["phase", "status"]].tolist() == ["acculturation", "atteint"]
    assert rows.loc["95018", ["phase", "status"]].tolist() == ["not_engaged", "sans_objectif"]
    assert len(plan) == 9


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("debut", ["Bezons", "Cergy", "Argenteuil"]),
        ("nom", ["Argenteuil", "Bezons", "Cergy"]),
        ("phase", ["Bezons", "Cergy", "Argenteuil"]),
        ("statut", ["Bezons", "Cergy", "Argenteuil"]),
    ],
)
def test_communes_sort_by_engagement_name_phase_or_status(engine, three_cohorts, sort, order):
    with engine.connect() as conn:
        _, communes = departement_rollout(conn, "95", YEAR, dt.date(2023, 4, 17), True)
    assert list(select_communes(communes, sort=sort)["name"]) == order


def test_communes_filter_by_phase_and_status(engine, three_cohorts):
    with engine.connect() as conn:
        _, communes = departement_rollout(conn, "95", YEAR, dt.date(2023, 4, 17), True)
    assert list(select_communes(communes, phases=("acculturation",))["name"]) == ["Cergy"]
    assert list(select_communes(communes, statuses=("en_retard", "atteint"))["name"]) == \
        ["Bezons", "Cergy"]
    assert select_communes(communes, phases=("autonomie",)).empty


def test_the_late_commune_s_current_year_is_the_one_outlined(engine, three_cohorts):
    as_of = dt.date(2023, 4, 17)
    with engine.connect() as conn:
        plan, communes = departement_rollout(conn, "95", YEAR, as_of, True)
    bars = timeline_bars(plan, communes, as_of)
    outlined = bars[bars["late_now"]]
    assert outlined[["label", "year_number"]].values.tolist() == [["Bezons", 2]]
    assert bars["current"].sum() == 2  # Bezons year 2, Cergy year 1; Argenteuil not started


def test_the_timeline_summary_names_the_late_communes(engine, three_cohorts):
    as_of = dt.date(2023, 4, 17)
    with engine.connect() as conn:
        _, communes = departement_rollout(conn, "95", YEAR, as_of, True)
    text = timeline_summary(select_communes(communes), "Val-d'Oise (95)", as_of)
    assert text == ("Val-d'Oise (95), au 17 avril 2023 : 3 communes engagées — 1 pas encore "
                    "engagée(s), 1 en acculturation, 1 en phase Parents Ressources. 1 est en "
                    "retard sur ses objectifs de l'année : Bezons.")
    assert timeline_summary(communes.iloc[0:0], "Val-d'Oise (95)", as_of).startswith(
        "Aucune commune")


def test_homonyms_are_told_apart_by_their_insee_code(engine, session):
    make_commune(session, "95001", name="Saint-Martin")
    make_commune(session, "95002", name="Saint-Martin")
    make_rollout(session, "95001")
    make_rollout(session, "95002")
    session.commit()
    with engine.connect() as conn:
        _, communes = departement_rollout(conn, "95", YEAR, dt.date(2023, 1, 1), True)
    assert sorted(communes["label"]) == ["Saint-Martin (95001)", "Saint-Martin (95002)"]


def test_the_funnel_counts_communes_that_reached_each_stage(engine, three_cohorts):
    with engine.connect() as conn:
        phases = commune_phases(conn, VAL_DOISE, Filters(), dt.date(2024, 1, 15))
    funnel = phase_funnel(phases)
    assert funnel[["phase", "communes", "reached"]].values.tolist() == [
        ["not_engaged", 1, 4], ["acculturation", 1, 3], ["parents_ressources", 1, 2],
        ["autonomie", 1, 1]]


def test_the_pages_funnel_is_commune_phases_at_every_date_its_plan_read_once(engine,
                                                                           three_cohorts,
                                                                           monkeypatch):
    """Déploiement's funnel (``ui.data.load_funnel``) keeps the territory's communes and plan
    across dates: a date changed reads nothing again, a date asked again computes nothing
    again, and the funnel is the one of ``commune_phases`` at that date."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from tne_dash.ui import data

    url = engine.url.render_as_string(hide_password=False)
    days = [dt.date(2021, 8, 1), dt.date(2022, 1, 15), dt.date(2024, 1, 15), dt.date(2026, 9, 1)]
    expected = {}
    with engine.connect() as conn:
        for day in days:
            expected[day] = phase_funnel(commune_phases(conn, VAL_DOISE, Filters(), day))
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    first = data.load_funnel(url, VAL_DOISE, days[0])
    pd.testing.assert_frame_equal(first, expected[days[0]])
    event.listen(Engine, "before_cursor_execute", record)
    try:
        for day in days[1:]:
            pd.testing.assert_frame_equal(data.load_funnel(url, VAL_DOISE, day), expected[day])
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert statements == []
    assert [int(n) for n in expected[days[-1]]["reached"]] == [4, 3, 3, 3]
    computed: list[dt.date] = []
    phases_at = data.phases_at
    monkeypatch.setattr(data, "phases_at", lambda codes, plan, day: (
        computed.append(day) or phases_at(codes, plan, day)))
    for day in days:  # asked again (a rerun of the page): the funnels kept
        pd.testing.assert_frame_equal(data.load_funnel(url, VAL_DOISE, day), expected[day])
    assert computed == []


def test_month_ends_stop_at_the_date_and_end_on_it():
    assert month_ends(YEAR, dt.date(2022, 8, 1)) == []
    assert month_ends(YEAR, dt.date(2022, 11, 10)) == [
        dt.date(2022, 9, 30), dt.date(2022, 10, 31), dt.date(2022, 11, 10)]
    assert len(month_ends(YEAR, dt.date(2024, 1, 1))) == 12
    assert month_ends(YEAR, dt.date(2024, 1, 1))[-1] == YEAR.end


def test_monthly_progress_is_cumulative_and_ends_on_the_indicator_figure(engine,
                                                                          three_cohorts):
    as_of = dt.date(2022, 11, 10)
    with engine.connect() as conn:
        points = monthly_progress(conn, VAL_DOISE, YEAR, as_of, {"workshops": 24.0})
        final = compute_indicators(conn, VAL_DOISE, Filters(date_from=YEAR.start,
                                                            date_to=as_of))
    workshops = points[points["indicator"] == "workshops"]
    assert list(workshops["value"]) == [1.0, 2.0, 2.0]
    assert workshops["value"].iloc[-1] == final["workshops"]
    assert list(workshops["target"]) == [24.0] * 3
    assert workshops["expected"].iloc[0] == pytest.approx(24 * 30 / 365)
    assert points[points["indicator"] == "parents_reached"]["target"].isna().all()


def test_the_page_reads_each_month_end_once_and_gets_the_same_progress(engine, three_cohorts,
                                                                          monkeypatch):
    """A date moved within the school year computes only its own point: the past month ends
    are kept (``data.load_monthly_progress``), and the frame is ``monthly_progress``'s."""
    from tne_dash.ui import data

    url = engine.url.render_as_string(hide_password=False)
    asked = []
    monkeypatch.setattr(data, "progress_point", lambda conn, scope, period, day: (
        asked.append(day) or progress_point(conn, scope, period, day)))
    targets = (("workshops", 24.0),)
    first = data.load_monthly_progress(url, VAL_DOISE, YEAR, dt.date(2022, 11, 10), targets)
    assert sorted(asked) == month_ends(YEAR, dt.date(2022, 11, 10))  # two at a time
    asked.clear()
    later = data.load_monthly_progress(url, VAL_DOISE, YEAR, dt.date(2022, 12, 5), targets)
    assert sorted(asked) == [dt.date(2022, 11, 30), dt.date(2022, 12, 5)]
    with engine.connect() as conn:
        for frame, as_of in ((first, dt.date(2022, 11, 10)), (later, dt.date(2022, 12, 5))):
            pd.testing.assert_frame_equal(
                frame, monthly_progress(conn, VAL_DOISE, YEAR, as_of, dict(targets)))
    assert not later["demo"].any()


def test_each_query_family_returns_exactly_the_codes_it_declares(engine, three_cohorts):
    with engine.connect() as conn:
        full = compute_indicator_table(conn, VAL_DOISE, Filters())
        for _, codes in FAMILIES:
            part = compute_indicator_table(conn, VAL_DOISE, Filters(), codes=codes)
            computed = set(part.columns) - {"key", "name", "population", "tne_departements",
                                            "demo"}
            assert set(codes) <= computed
            pd.testing.assert_frame_equal(part[list(codes)], full[list(codes)])
