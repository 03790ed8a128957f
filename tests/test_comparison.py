"""Comparer's core: name search, per-capita and per-school values, similar communes and
ranks with ties — on small factory data, both databases."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from factories import (
    make_commune,
    make_objective,
    make_rollout,
    make_school,
    make_venue,
    make_workshop,
)

from tne_dash.figures.comparison import (
    commune_profiles,
    compare_communes,
    comparison_table,
    competition_ranks,
    default_selection,
    departement_ranking,
    monthly_series,
    ordinal,
    per_school,
    rank_phrase,
    similar_communes,
    similar_to,
)
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import compute_indicators, compute_monthly_table
from tne_dash.figures.scope import Scope
from tne_dash.figures.search import commune_labels, search_communes

COMMUNES = pd.DataFrame({
    "code_insee": ["93070", "95572", "80000", "95063", "97101", "2A004"],
    "name": ["Saint-Ouen-sur-Seine", "Saint-Ouen-l'Aumône", "Saint-Ouen", "Bezons",
             "Les Abymes", "Ajaccio"],
    "departement_code": ["93", "95", "80", "95", "971", "2A"],
    "population": [52_000, 24_000, 2_000, 36_434, 53_000, 72_000],
})


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("saint ouen", "Saint-Ouen (80)"),  # the whole name first
        ("SAINT-OUEN-SUR", "Saint-Ouen-sur-Seine (93)"),
        ("st ouen aumone", None),  # « st » is not « saint »: nothing guessed
        ("ouen aum", "Saint-Ouen-l'Aumône (95)"),
        ("abymes", "Les Abymes (971)"),
        ("  bézons ", "Bezons (95)"),
        ("95063", "Bezons (95)"),
    ],
)
def test_search_ignores_accents_hyphens_and_case(query, first):
    found = search_communes(COMMUNES, query)
    labels = list(commune_labels(found))
    assert (labels[0] if labels else None) == first


def test_search_ranks_prefixes_first_then_larger_communes():
    found = commune_labels(search_communes(COMMUNES, "saint ouen"))
    assert list(found) == ["Saint-Ouen (80)", "Saint-Ouen-sur-Seine (93)",
                           "Saint-Ouen-l'Aumône (95)"]
    assert search_communes(COMMUNES, "  ").empty


@pytest.mark.parametrize(
    ("values", "ranks"),
    [
        ([10, 30, 20], [3, 1, 2]),
        ([5, 7, 7, 1], [3, 1, 1, 4]),
        ([0, 0, 0], [1, 1, 1]),
    ],
)
def test_ranks_share_ties_and_skip_the_next(values, ranks):
    assert list(competition_ranks(pd.Series(values))) == ranks


def test_ranks_read_in_french():
    assert [ordinal(n) for n in (1, 2, 27)] == ["1er", "2e", "27e"]
    assert rank_phrase(3, 27) == "3e sur 27"
    assert rank_phrase(2, 1_200, tied=True) == "2e ex aequo sur 1\u202f200"


def test_per_school_needs_schools():
    assert per_school(30, 12) == 2.5
    assert per_school(30, 0) is None


@pytest.fixture
def cohort(session):
    """Bezons (36 434 inhabitants, REP, 2021) and four engaged communes around it."""
    for code, population, year, rep in (
        ("95063", 36_434, 2021, True), ("95018", 110_000, 2021, True),
        ("95127", 66_000, 2022, False), ("95219", 35_000, 2023, True),
        ("86194", 89_000, 2021, True), ("95001", 1_000, 2021, False),
    ):
        make_commune(session, code, population=population,
                     departement_code="86" if code.startswith("86") else "95")
        make_rollout(session, code, first_year=year)
        if rep:
            make_school(session, code, education_prioritaire="REP")
    make_commune(session, "95500", population=36_000)  # not engaged: never suggested
    session.commit()


def test_similar_communes_are_ranked_by_size_rep_and_cohort_deterministically(engine, cohort):
    with engine.connect() as conn:
        profiles = commune_profiles(conn)
    bezons = profiles.set_index("code_insee").loc["95063"].copy()
    bezons["code_insee"] = "95063"
    similar = similar_communes(profiles, bezons)
    # 86194: ×2.4 (0.39); 95018: ×3 (0.48); 95219: same size (0.02) but 2 years later (0.5);
    # 95127: ×1.8 (0.26) + no REP (0.5) + 1 year (0.25); 95001: ×36 (1.56) + no REP (0.5).
    assert list(similar["code_insee"]) == ["86194", "95018", "95219", "95127", "95001"]
    assert similar["distance"].is_monotonic_increasing
    assert "95500" not in set(profiles["code_insee"])


def test_per_capita_values_are_exact_to_the_unit(engine, session):
    make_commune(session, "95063", population=36_434)
    make_commune(session, "95018", population=8_000)
    venue = make_venue(session, "95063")
    for day in (dt.date(2023, 1, 5), dt.date(2023, 2, 5), dt.date(2023, 3, 5)):
        make_workshop(session, venue, date=day, first_time_parents_count=4)
    for _ in range(4):
        make_school(session, "95063")
    session.commit()
    with engine.connect() as conn:
        table = comparison_table(conn, ("95018", "95063"), Filters()).set_index("code_insee")
        alone = compute_indicators(conn, Scope("commune", "95063"), Filters())
    assert list(table.index) == ["95018", "95063"]  # the order asked for
    assert table.at["95063", "workshops"] == alone["workshops"] == 3
    assert table.at["95063", "parents_reached_per_1000_inhabitants"] == pytest.approx(
        12 * 1000 / 36_434)
    assert table.at["95018", "workshops"] == 0
    assert table.at["95063", "schools"] == 4
    assert per_school(table.at["95063", "workshops"], table.at["95063", "schools"]) == 0.75


def test_a_commune_is_ranked_among_the_engaged_communes_of_its_departement(engine, cohort,
                                                                           session):
    for code, count in (("95063", 2), ("95018", 2), ("95127", 5)):
        venue = make_venue(session, code)
        for _ in range(count):
            make_workshop(session, venue, date=dt.date(2024, 1, 10))
    session.commit()
    with engine.connect() as conn:
        ranking = departement_ranking(conn, "95", "workshops", Filters())
    rows = ranking.set_index("code_insee")
    assert list(ranking["code_insee"]) == ["95127", "95018", "95063", "95001", "95219"]
    assert rows.loc["95127", ["rank", "tied"]].tolist() == [1, False]
    assert rows.loc["95063", ["rank", "tied"]].tolist() == [2, True]  # « 2e ex aequo sur 5 »
    assert rows.loc["95001", "rank"] == 4  # 95001 and 95219 tie at 0 workshops
    assert "86194" not in rows.index and "95500" not in rows.index
    with engine.connect() as conn:
        before_2023 = departement_ranking(conn, "95", "workshops",
                                          Filters(date_to=dt.date(2022, 12, 31)))
    assert "95219" not in set(before_2023["code_insee"])  # engaged in September 2023


def test_a_lone_commune_is_completed_by_its_two_most_similar_communes(engine, cohort):
    with engine.connect() as conn:
        profiles = commune_profiles(conn)
    assert default_selection(profiles, ("95063",)) == ("95063", "86194", "95018")
    assert default_selection(profiles, ("95063", "95127")) == ("95063", "95127")
    # No commune asked: the most populous engaged commune and its closest ones.
    assert default_selection(profiles, ())[0] == "95018"
    assert default_selection(profiles, ("95500",)) == ("95500",)  # not engaged
    assert similar_to(profiles, "95500").empty
    assert list(similar_to(profiles, "95063", 2)["code_insee"]) == ["86194", "95018"]


def test_monthly_workshops_add_up_to_the_period_figure(engine, session):
    make_commune(session, "95063", population=36_434)
    make_commune(session, "95018", population=110_000)
    bezons, argenteuil = make_venue(session, "95063"), make_venue(session, "95018")
    for venue, day, first in ((bezons, dt.date(2023, 1, 5), 3), (bezons, dt.date(2023, 1, 30), 2),
                              (bezons, dt.date(2023, 3, 2), 6),
                              (argenteuil, dt.date(2023, 2, 14), 1)):
        make_workshop(session, venue, date=day, first_time_parents_count=first)
    session.commit()
    filters = Filters(date_to=dt.date(2023, 12, 31))
    with engine.connect() as conn:
        months = compute_monthly_table(conn, Scope("national"), filters)
        series = monthly_series(conn, ("95063", "95018"), filters)
        total = compute_indicators(conn, Scope("commune", "95063"), filters)
    bezons_months = months[months["key"] == "95063"]
    assert list(bezons_months["month"]) == [dt.date(2023, 1, 1), dt.date(2023, 3, 1)]
    assert list(bezons_months["workshops"]) == [2, 1]
    assert bezons_months["parents_reached"].sum() == total["parents_reached"] == 11
    # The series fills the months without activity with 0, for every commune.
    grid = series.set_index(["code_insee", "month"])
    assert len(series) == 2 * 3
    assert grid.loc[("95063", dt.date(2023, 2, 1)), "workshops"] == 0
    assert grid.loc[("95018", dt.date(2023, 2, 1)), "parents_reached"] == 1


def test_the_comparison_holds_phases_objectives_and_the_latest_activity(engine, cohort,
                                                                        session):
    venue = make_venue(session, "95063")
    make_workshop(session, venue, date=dt.date(2022, 10, 3))
    make_workshop(session, venue, date=dt.date(2023, 5, 3))  # after the date: not counted
    make_objective(session, scope_code="95063", indicator="workshops", target=4)
    session.commit()
    with engine.connect() as conn:
        comp = compare_communes(conn, ("95063", "95127"), None, dt.date(2023, 4, 17))
    assert comp.phases == {"95063": "parents_ressources", "95127": "acculturation"}
    assert list(comp.table["workshops"]) == [1, 0]
    assert comp.latest_activity == dt.date(2022, 10, 3)
    objectives = comp.objectives["95063"].table.set_index("indicator")
    assert objectives.at["workshops", "achieved"] == 1
    assert objectives.at["workshops", "pct_reached"] == pytest.approx(25.0)
    assert comp.objectives["95127"].table.empty
    assert comp.departements == {"95063": "95", "95127": "95"}
