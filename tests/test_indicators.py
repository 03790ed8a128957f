"""Indicator computations on small factory data, against hand-computed values, on both
SQLite and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import (
    make_cnfs_structure,
    make_commune,
    make_measure,
    make_parents_ressources,
    make_rollout,
    make_school,
    make_strategy,
    make_venue,
    make_workshop,
)

from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import (
    compute_breakdown,
    compute_indicator_table,
    compute_indicators,
)
from tne_dash.figures.scope import Scope

BEZONS = Scope("commune", "95063")
VAL_DOISE = Scope("departement", "95")


@pytest.fixture
def two_communes(session):
    """Two communes of the 95 and one of the 86, with hand-countable activity."""
    make_commune(session, "95063", population=36_434)
    make_commune(session, "95018", population=10_000)
    make_commune(session, "86194", population=89_000, departement_code="86")
    school = make_venue(session, "95063", name="École A", kind="ecole")
    social = make_venue(session, "95063", name="Centre social B", kind="centre_social")
    other = make_venue(session, "95018", name="Médiathèque C", kind="mediatheque")
    # Bezons: 3 workshops (2 at school, 1 at the centre social), one of them demo.
    make_workshop(session, school, date=dt.date(2022, 9, 15), parents_count=10,
                  first_time_parents_count=10, children_count=4, themes=("ent", "pix"))
    make_workshop(session, school, date=dt.date(2023, 1, 10), parents_count=6,
                  first_time_parents_count=2, duration_minutes=60, format="cafe_des_parents",
                  phase="parents_ressources", facilitator_kind="parent_ressource")
    make_workshop(session, social, date=dt.date(2023, 5, 2), parents_count=4,
                  first_time_parents_count=1, source="demo", themes=("ecrans_controle_parental",))
    # Argenteuil-like commune: 1 workshop.
    make_workshop(session, other, date=dt.date(2023, 2, 1), parents_count=7,
                  first_time_parents_count=7, duration_minutes=120)
    make_parents_ressources(session, "95063", dt.date(2022, 10, 1), recruited=3, active=3,
                            meetings=1)
    make_parents_ressources(session, "95063", dt.date(2023, 4, 1), recruited=2, active=4,
                            meetings=2)
    make_parents_ressources(session, "95018", dt.date(2022, 11, 1), recruited=1, active=1,
                            meetings=0)
    make_cnfs_structure(session, "95063", posts=3)
    make_cnfs_structure(session, "86194", posts=5)
    make_school(session, "95063", strategy_target=True, pcn_since=dt.date(2023, 3, 1))
    make_school(session, "95063", strategy_target=True)
    make_school(session, "95018", strategy_target=True, level="college")
    make_school(session, "95018", strategy_target=False)
    make_rollout(session, "95063", first_year=2021)
    make_rollout(session, "95018", first_year=2023)
    make_strategy(session, "95")
    make_measure(session, indicator="pix_courses", value=12)
    make_measure(session, indicator="pix_courses", value=5, scope_kind="commune",
                 scope_code="95063")
    session.commit()


def values(engine, scope, **filters):
    with engine.connect() as conn:
        return compute_indicators(conn, scope, Filters(**filters))


def test_workshop_counts_add_up_by_hand(engine, two_communes):
    v = values(engine, BEZONS)
    assert v["workshops"] == 3
    assert v["participations"] == 10 + 6 + 4
    assert v["parents_reached"] == 10 + 2 + 1
    assert v["children_reached"] == 4
    assert v["workshop_hours"] == pytest.approx((90 + 60 + 90) / 60)
    assert v["venues"] == 2


def test_per_capita_divides_by_the_scope_population(engine, two_communes):
    v = values(engine, BEZONS)
    assert v.population == 36_434
    assert v["workshops_per_1000_inhabitants"] == pytest.approx(3 * 1000 / 36_434)
    dep = values(engine, VAL_DOISE)
    assert dep.population == 46_434
    assert dep["parents_reached_per_1000_inhabitants"] == pytest.approx(20 * 1000 / 46_434)


def test_the_period_is_inclusive_at_both_ends(engine, two_communes):
    v = values(engine, BEZONS, date_from=dt.date(2022, 9, 15), date_to=dt.date(2023, 1, 10))
    assert v["workshops"] == 2
    assert v["parents_reached"] == 12


def test_parents_ressources_count_by_period_end_and_active_is_the_last_stock(engine,
                                                                              two_communes):
    before_april_end = values(engine, BEZONS, date_to=dt.date(2023, 4, 17))
    assert before_april_end["parents_ressources_recruited"] == 3
    assert before_april_end["parents_ressources_meetings"] == 1
    assert before_april_end["parents_ressources_active"] == 3
    whole = values(engine, VAL_DOISE, date_to=dt.date(2023, 6, 30))
    assert whole["parents_ressources_recruited"] == 6
    assert whole["parents_ressources_active"] == 4 + 1


def test_a_stock_older_than_twelve_months_is_not_active(engine, two_communes):
    # Bezons' last report ends on 30/04/2023 (active 365 days on), Argenteuil's on 30/11/2022.
    assert values(engine, VAL_DOISE, date_to=dt.date(2023, 12, 15))[
        "parents_ressources_active"] == 4
    assert values(engine, VAL_DOISE, date_to=dt.date(2024, 4, 29))[
        "parents_ressources_active"] == 4
    later = compute_indicator_table_of(engine, VAL_DOISE, dt.date(2024, 5, 1))
    assert later["parents_ressources_active"].tolist() == [0]
    assert later["parents_ressources_recent_reports"].tolist() == [0]


def test_two_reports_ending_the_same_day_count_once_the_latest_recorded(engine, session,
                                                                       two_communes):
    make_parents_ressources(session, "95063", dt.date(2023, 4, 1), recruited=0, active=9,
                            period_start=dt.date(2023, 2, 1))
    session.commit()
    v = values(engine, BEZONS, date_to=dt.date(2023, 5, 15))
    assert v["parents_ressources_active"] == 9


def test_cnfs_posts_ignore_the_period_and_follow_the_territory(engine, two_communes):
    assert values(engine, VAL_DOISE, date_to=dt.date(2020, 1, 1))["cnfs_posts"] == 3
    national = values(engine, Scope("national"))
    assert national["cnfs_posts"] == 8
    assert national["cnfs_structures"] == 2


def test_target_schools_share_counts_pcn_parts_dated_before_the_end(engine, two_communes):
    v = values(engine, VAL_DOISE)
    assert v["target_schools"] == 3
    assert v["target_schools_with_pcn"] == 1
    assert v["target_schools_with_pcn_pct"] == pytest.approx(100 / 3)
    assert values(engine, VAL_DOISE, date_to=dt.date(2023, 2, 28))[
        "target_schools_with_pcn"] == 0


def test_a_scope_without_target_schools_has_no_percentage(engine, two_communes):
    assert values(engine, Scope("departement", "86"))["target_schools_with_pcn_pct"] is None


def test_engaged_communes_are_those_whose_first_year_started(engine, two_communes):
    assert values(engine, VAL_DOISE, date_to=dt.date(2022, 12, 31))["communes_engaged"] == 1
    assert values(engine, VAL_DOISE)["communes_engaged"] == 2


def test_external_measures_count_at_the_level_they_were_recorded(engine, two_communes):
    assert values(engine, VAL_DOISE)["pix_courses"] == 12 + 5
    assert values(engine, BEZONS)["pix_courses"] == 5
    assert values(engine, Scope("departement", "86"))["pix_courses"] == 0


def test_strategies_are_counted_once_per_departement(engine, two_communes):
    assert values(engine, VAL_DOISE)["strategies_validated"] == 1
    assert values(engine, Scope("national"))["strategies_validated"] == 1


@pytest.mark.parametrize(
    ("filters", "expected_workshops"),
    [
        ({}, 3),
        ({"themes": ("pix",)}, 1),
        ({"themes": ("pix", "ecrans_controle_parental")}, 2),
        ({"venue_kinds": ("ecole",)}, 2),
        ({"school_levels": ("elementaire",)}, 2),
        ({"school_levels": ("college",)}, 0),
        ({"venue_kinds": ("centre_social",), "school_levels": ("elementaire",)}, 0),
        ({"formats": ("cafe_des_parents",)}, 1),
        ({"phases": ("acculturation",)}, 2),
        ({"facilitator_kinds": ("parent_ressource",)}, 1),
        ({"include_demo": False}, 2),
        ({"communes": ("95018",)}, 0),
        ({"departements": ("86",)}, 0),
        # Combinations, and filters that leave nothing.
        ({"themes": ("ent",), "venue_kinds": ("ecole",), "phases": ("acculturation",)}, 1),
        ({"date_from": dt.date(2023, 1, 1), "formats": ("cafe_des_parents",),
          "facilitator_kinds": ("parent_ressource",)}, 1),
        ({"date_from": dt.date(2023, 1, 1), "include_demo": False}, 1),
        ({"themes": ("pix",), "formats": ("cafe_des_parents",)}, 0),
        ({"date_from": dt.date(2019, 1, 1), "date_to": dt.date(2019, 12, 31)}, 0),
    ],
)
def test_each_filter_narrows_the_workshops(engine, two_communes, filters, expected_workshops):
    assert values(engine, BEZONS, **filters)["workshops"] == expected_workshops


def test_rep_only_keeps_communes_with_an_education_prioritaire_school(engine, two_communes,
                                                                      session):
    assert values(engine, VAL_DOISE, rep_only=True)["workshops"] == 0
    make_school(session, "95018", education_prioritaire="REP+")
    session.commit()
    assert values(engine, VAL_DOISE, rep_only=True)["workshops"] == 1


def test_demo_flag_says_whether_demo_rows_contributed(engine, two_communes):
    assert values(engine, BEZONS).demo is True
    assert values(engine, BEZONS, date_to=dt.date(2023, 4, 30)).demo is False
    assert values(engine, BEZONS, include_demo=False).demo is False


def test_grouped_table_rows_add_up_to_the_total(engine, two_communes):
    with engine.connect() as conn:
        table = compute_indicator_table(conn, VAL_DOISE, Filters(), level="commune")
        total = compute_indicators(conn, VAL_DOISE, Filters())
    assert sorted(table["key"]) == ["95018", "95063"]
    for code in ("workshops", "parents_reached", "parents_ressources_recruited", "cnfs_posts"):
        assert table[code].sum() == total[code]
    bezons = table.set_index("key").loc["95063"]
    assert bezons["name"] == "Commune 95063"
    assert bezons["workshops"] == 3


def test_an_empty_scope_gives_zeros_not_errors(engine, two_communes):
    v = values(engine, BEZONS, date_to=dt.date(2020, 1, 1))
    assert v["workshops"] == 0
    assert v["workshop_hours"] == 0
    assert v["venues"] == 0


@pytest.mark.parametrize("by", ["format", "venue_kind", "facilitator_kind", "month"])
def test_breakdowns_add_up_to_the_workshop_figures(engine, two_communes, by):
    with engine.connect() as conn:
        parts = compute_breakdown(conn, VAL_DOISE, Filters(), by)
    total = values(engine, VAL_DOISE)
    for code in ("workshops", "participations", "parents_reached", "workshop_hours"):
        assert parts[code].sum() == pytest.approx(total[code])
    assert parts["workshops"].is_monotonic_decreasing or by == "month"


def test_a_workshop_with_two_themes_counts_under_each_even_when_filtered(engine,
                                                                          two_communes):
    with engine.connect() as conn:
        themes = compute_breakdown(conn, BEZONS, Filters(), "theme").set_index("key")
        pix = compute_breakdown(conn, BEZONS, Filters(themes=("pix",)), "theme")
    assert themes["workshops"].to_dict() == {"ent": 2, "pix": 1, "ecrans_controle_parental": 1}
    # The theme filter keeps the workshops having pix; their other themes still show.
    assert dict(zip(pix["key"], pix["workshops"], strict=True)) == {"ent": 1, "pix": 1}


def test_months_and_venue_kinds_are_keyed_by_value(engine, two_communes):
    with engine.connect() as conn:
        months = compute_breakdown(conn, VAL_DOISE, Filters(), "month")
        kinds = compute_breakdown(conn, VAL_DOISE, Filters(include_demo=False), "venue_kind")
    assert list(months["key"]) == [dt.date(2022, 9, 1), dt.date(2023, 1, 1),
                                   dt.date(2023, 2, 1), dt.date(2023, 5, 1)]
    assert dict(zip(kinds["key"], kinds["workshops"], strict=True)) == {"ecole": 2,
                                                                       "mediatheque": 1}


def compute_indicator_table_of(engine, scope, day):
    with engine.connect() as conn:
        return compute_indicator_table(conn, scope, Filters(date_to=day))
