"""Points de vigilance: every rule triggers on hand-made data and stops when the data change
just enough (both directions), on SQLite and on a real PostgreSQL server; the Val-d'Oise on
17 April 2023 (demo) lists its points with reasons and links the pages read back; the
command line prints the figures function's points."""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import json
import statistics
from urllib.parse import urlencode

import pandas as pd
import pytest
from apptest import open_page, plain_tables
from factories import (
    make_commune,
    make_objective,
    make_parents_ressources,
    make_rollout,
    make_venue,
    make_workshop,
)
from hypothesis import given
from hypothesis import strategies as hypothesis_st
from sqlalchemy import update

from tne_dash.cli import main
from tne_dash.figures import vigilance_ground
from tne_dash.figures.filters import Filters
from tne_dash.figures.freshness import quiet_since
from tne_dash.figures.indicators import (
    DEMO_START_CODES,
    compute_indicators,
    demo_groups,
    read_demo_starts,
)
from tne_dash.figures.objectives import (
    Status,
    commune_progress,
    commune_statuses,
    objectives_progress,
)
from tne_dash.figures.rollout import commune_phases, rollout_plan
from tne_dash.figures.rules import vigilance_rules
from tne_dash.figures.scope import COMMUNE, DEPARTEMENT, NATIONAL, Scope
from tne_dash.figures.vigilance import (
    COLUMNS,
    join_follow_ups,
    median_without,
    nearest_peers,
    point_link,
    reason_counts,
    vigilance_frame,
    vigilance_points,
    vigilance_summary,
)
from tne_dash.figures.vigilance_ground import SHARED_READS, SharedReads, read_ground
from tne_dash.figures.vigilance_rules import (
    ACTIVITY_DOWN,
    BELOW_MEDIAN_POINTS,
    BELOW_PEERS,
    LATE_COMMUNES_MIN,
    LATE_COMMUNES_MIN_SHARE,
    LATE_OBJECTIVE,
    MANY_LATE_COMMUNES,
    MIN_PEERS,
    NO_RECENT_REPORT,
    NO_RECENT_WORKSHOP,
    OBJECTIVES_WITHOUT_PLAN,
    REPORT_QUIET_MONTHS,
    RULES,
    TREND_MAX_PERCENT,
    TREND_MIN_WORKSHOPS_BEFORE,
    VIGILANCE_RULES,
    YEAR_WITHOUT_OBJECTIVES,
    months_phrase,
    report_quiet_since,
    trend_windows,
)
from tne_dash.labels import format_number
from tne_dash.periods import school_year_of
from tne_dash.screens.comparer.view import parse_comparer_view
from tne_dash.screens.deploiement.view import parse_deploiement_view
from tne_dash.screens.donnees.tables import vigilance_rules_table
from tne_dash.screens.indicateurs.view import parse_indicateurs_view
from tne_dash.store import queries
from tne_dash.store.db import BUILT_AT_KEY, make_engine
from tne_dash.store.models import Metadata, RolloutYear
from tne_dash.ui.navigation import PAGES

AS_OF = dt.date(2023, 4, 17)  # 229 days of 365: 62,7 % of 2022-2023 gone
VAL_DOISE = Scope(DEPARTEMENT, "95")


def points(engine, scope: str = "departement:95", as_of: dt.date = AS_OF, exact: bool = True,
           **options) -> pd.DataFrame:
    with engine.connect() as conn:
        return vigilance_points(conn, Scope.parse(scope), as_of, exact=exact, **options)


def of_rule(frame: pd.DataFrame, rule: str) -> pd.DataFrame:
    return frame[frame["rule"] == rule]


def workshops(session, commune: str, day: dt.date, count: int = 1, **values) -> None:
    venue = make_venue(session, commune)
    for _ in range(count):
        make_workshop(session, venue, date=day, **values)


# ── The rules, declared once ─────────────────────────────────────────────────────────────


def test_every_rule_is_declared_once_with_its_threshold_in_its_french_help():
    codes = [rule.code for rule in VIGILANCE_RULES]
    assert len(codes) == len(set(codes)) == 8
    helps = {rule.code: rule.help for rule in VIGILANCE_RULES}
    assert f"{BELOW_MEDIAN_POINTS:.0f} points" in helps[BELOW_PEERS]
    assert f"au moins {MIN_PEERS}" in helps[BELOW_PEERS]
    assert f"{TREND_MAX_PERCENT}\u202f%" in helps[ACTIVITY_DOWN]
    assert f"au moins {TREND_MIN_WORKSHOPS_BEFORE} ateliers" in helps[ACTIVITY_DOWN]
    assert "de janvier à mars 2023 face à ceux de janvier à mars 2022" in helps[ACTIVITY_DOWN]
    assert "depuis le 18 janvier 2023" in helps[NO_RECENT_WORKSHOP]
    assert f"{REPORT_QUIET_MONTHS} mois" in helps[NO_RECENT_REPORT]
    assert "depuis le 18 octobre 2022" in helps[NO_RECENT_REPORT]
    assert f"{LATE_COMMUNES_MIN_SHARE:.0f}\u202f%" in helps[MANY_LATE_COMMUNES]


def test_the_donnees_table_shows_every_rule_with_threshold_help_severity_and_page():
    table = vigilance_rules_table()
    assert list(table.columns) == ["Point de vigilance", "Seuil", "Règle appliquée",
                                   "Gravité", "Lien vers"]
    assert list(table["Point de vigilance"]) == [rule.title for rule in VIGILANCE_RULES]
    assert list(table["Règle appliquée"]) == [rule.help for rule in VIGILANCE_RULES]
    assert vigilance_rules()[0][3:] == ("Prioritaire", "Déploiement")


def test_the_donnees_page_shows_the_vigilance_rules_under_their_own_heading(app_env):
    at = open_page("donnees.py")
    assert not at.exception
    assert "Points de vigilance" in [h.value for h in at.header]
    shown_rules = plain_tables(at)["Règles des points de vigilance"]
    assert list(shown_rules["Point de vigilance"]) == [rule.title for rule in VIGILANCE_RULES]
    assert list(shown_rules["Seuil"]) == [rule.threshold for rule in VIGILANCE_RULES]


def test_every_link_opens_a_page_of_the_navigation():
    routes = {f"/{spec.url_path}" for spec in PAGES}
    assert {rule.view for rule in VIGILANCE_RULES} <= routes


@pytest.mark.parametrize(("as_of", "now", "before"), [
    (dt.date(2023, 4, 17), (dt.date(2023, 1, 1), dt.date(2023, 3, 31)),
     (dt.date(2022, 1, 1), dt.date(2022, 3, 31))),
    (dt.date(2023, 3, 31), (dt.date(2023, 1, 1), dt.date(2023, 3, 31)),
     (dt.date(2022, 1, 1), dt.date(2022, 3, 31))),
    (dt.date(2025, 3, 15), (dt.date(2024, 12, 1), dt.date(2025, 2, 28)),
     (dt.date(2023, 12, 1), dt.date(2024, 2, 29))),
])
def test_the_trend_compares_the_last_three_complete_months_with_the_same_months_before(
        as_of, now, before):
    assert trend_windows(as_of) == (now, before)


def test_month_ranges_read_as_french():
    assert months_phrase(dt.date(2023, 1, 1), dt.date(2023, 3, 31)) == \
        "de janvier à mars 2023"
    assert months_phrase(dt.date(2022, 10, 1), dt.date(2022, 12, 31)) == \
        "d'octobre à décembre 2022"
    assert months_phrase(dt.date(2022, 11, 1), dt.date(2023, 1, 31)) == \
        "de novembre 2022 à janvier 2023"


# ── Each rule on hand-made data: it triggers, and a minimal change stops it ──────────────


def test_a_commune_late_on_an_objective_is_pointed_out_until_it_keeps_pace(engine, session):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2022)
    make_objective(session, scope_code="95001", indicator="workshops", target=10)
    workshops(session, "95001", dt.date(2022, 11, 8), count=6)
    session.commit()
    late = of_rule(points(engine), LATE_OBJECTIVE)
    assert len(late) == 1
    row = late.iloc[0]
    assert (row["level"], row["code"], row["indicator"]) == (COMMUNE, "95001", "workshops")
    assert row["sentence"] == (
        "Alpha est en retard sur son objectif « Ateliers » 2022-2023 : 6 sur 10 "
        "(60,0\u202f%), quand 62,7\u202f% de l'année scolaire est écoulée — 2,7 points de "
        "retard.")
    assert row["link"] == "/deploiement?scope=commune:95001&to=2023-04-17"
    assert (row["severity"], row["severity_label"]) == (3, "Prioritaire")
    with engine.connect() as conn:  # the Déploiement page's own status
        table = objectives_progress(conn, Scope(COMMUNE, "95001"), school_year_of(AS_OF),
                                    AS_OF).table
    assert list(table["status"]) == [Status.LATE.value]
    workshops(session, "95001", dt.date(2023, 1, 10))  # 7 of 10: 70 % ≥ 62,7 %
    session.commit()
    assert of_rule(points(engine), LATE_OBJECTIVE).empty


def test_a_small_count_is_quoted_as_the_public_sees_it(engine, session):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2022)
    make_objective(session, scope_code="95001", indicator="parents_reached", target=20)
    workshops(session, "95001", dt.date(2022, 11, 8), first_time_parents_count=3)
    session.commit()
    public = of_rule(points(engine, exact=False), LATE_OBJECTIVE).iloc[0]["sentence"]
    exact = of_rule(points(engine, exact=True), LATE_OBJECTIVE).iloc[0]["sentence"]
    assert "« Parents touchés » 2022-2023 : < 5 sur 20, quand 62,7\u202f%" in public
    assert "3 sur 20" not in public and "15,0" not in public
    assert "3 sur 20 (15,0\u202f%)" in exact


@pytest.fixture
def peers(session):
    """Four communes of the Val-d'Oise in year 2: three at 500 parents of 1 000 (50 %), and
    « Sujet » at 399 (39,9 %: 10,1 points below the median)."""
    for code in ("95001", "95002", "95003", "95004"):
        make_commune(session, code, name="Sujet" if code == "95004" else f"Pair {code}")
        make_rollout(session, code, first_year=2021)
        make_objective(session, scope_code=code, indicator="parents_reached", target=1000)
        count = 399 if code == "95004" else 500
        workshops(session, code, dt.date(2022, 10, 3), first_time_parents_count=count,
                  parents_count=count)
    session.commit()


def test_a_commune_more_than_10_points_below_its_peers_median_is_pointed_out(engine, session,
                                                                            peers):
    below = of_rule(points(engine), BELOW_PEERS)
    assert list(below["code"]) == ["95004"]
    row = below.iloc[0]
    assert row["sentence"] == (
        "Sujet a réalisé 39,9\u202f% de son objectif « Parents touchés » 2022-2023, 10,1 "
        "points sous la médiane (50,0\u202f%) des 3 autres communes du département en année "
        "2 — Parents Ressources qui ont cet objectif.")
    assert row["link"] == ("/comparer?communes=95004,95001,95002,95003&to=2023-04-17"
                           "&annee=2022-2023")
    workshops(session, "95004", dt.date(2022, 10, 4), first_time_parents_count=2)  # 40,1 %
    session.commit()
    assert of_rule(points(engine), BELOW_PEERS).empty


def test_the_public_comparison_uses_the_rounded_counts(engine, peers):
    # 399 reads 400 for the public: 40,0 %, exactly 10 points below — not « more than ».
    assert not of_rule(points(engine, exact=True), BELOW_PEERS).empty
    assert of_rule(points(engine, exact=False), BELOW_PEERS).empty


def test_peers_must_be_three_in_the_same_phase(engine, session, peers):
    # One peer's roll-out moves to 2030: two comparable communes are left.
    session.execute(update(RolloutYear).where(RolloutYear.commune_code == "95003")
                    .values(start_date=dt.date(2030, 9, 1), end_date=dt.date(2031, 8, 31)))
    session.commit()
    assert of_rule(points(engine), BELOW_PEERS).empty


def test_activity_down_needs_75_percent_or_less_of_a_big_enough_year_before(engine, session):
    make_commune(session, "95001", name="Alpha")
    workshops(session, "95001", dt.date(2022, 2, 10), count=8)
    workshops(session, "95001", dt.date(2023, 2, 10), count=6)  # 6 of 8: 75 %
    session.commit()
    down = of_rule(points(engine), ACTIVITY_DOWN)
    assert list(down["code"]) == ["95001"]
    assert down.iloc[0]["sentence"] == ("Alpha : 6 ateliers de janvier à mars 2023, contre 8 "
                                        "de janvier à mars 2022 (−25\u202f%).")
    assert down.iloc[0]["link"] == "/indicateurs?communes=95001&from=2022-01-01&to=2023-03-31"
    tne = points(engine, "tne")  # seen from the TNE, the département too
    assert set(of_rule(tne, ACTIVITY_DOWN)["level"]) == {COMMUNE, DEPARTEMENT}
    workshops(session, "95001", dt.date(2023, 3, 31))  # 7 of 8
    session.commit()
    assert of_rule(points(engine), ACTIVITY_DOWN).empty


def test_activity_down_ignores_a_year_before_too_small_to_judge(engine, session):
    make_commune(session, "95001", name="Alpha")
    workshops(session, "95001", dt.date(2022, 3, 1), count=TREND_MIN_WORKSHOPS_BEFORE - 1)
    session.commit()
    assert of_rule(points(engine), ACTIVITY_DOWN).empty  # 5 → 0
    workshops(session, "95001", dt.date(2022, 1, 1))
    session.commit()
    assert list(of_rule(points(engine), ACTIVITY_DOWN)["code"]) == ["95001"]  # 6 → 0


def test_no_workshop_for_3_months_in_year_2_is_pointed_out_until_one_is_recorded(engine,
                                                                               session):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2021)
    since = quiet_since(AS_OF)
    assert since == dt.date(2023, 1, 18)
    workshops(session, "95001", since - dt.timedelta(days=1))  # 3 months ago: outside
    session.commit()
    quiet = of_rule(points(engine), NO_RECENT_WORKSHOP)
    assert quiet.iloc[0]["sentence"] == (
        "Alpha, en année 2 — Parents Ressources, n'a enregistré aucun atelier depuis le 18 "
        "janvier 2023 (3 derniers mois) ; le dernier date du 17 janvier 2023.")
    assert quiet.iloc[0]["link"] == "/indicateurs?communes=95001&from=2023-01-18&to=2023-04-17"
    workshops(session, "95001", since)  # 3 months less a day ago: inside
    session.commit()
    assert of_rule(points(engine), NO_RECENT_WORKSHOP).empty


def test_no_workshop_is_only_asked_of_communes_in_year_1_to_3_for_3_months(engine, session):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2022)  # year 1 from 1 September 2022
    session.commit()
    assert of_rule(points(engine, as_of=dt.date(2022, 11, 30)), NO_RECENT_WORKSHOP).empty
    assert "aucun atelier n'a jamais été enregistré" in of_rule(
        points(engine, as_of=dt.date(2022, 12, 1)), NO_RECENT_WORKSHOP).iloc[0]["sentence"]
    assert of_rule(points(engine, as_of=dt.date(2025, 10, 1)), NO_RECENT_WORKSHOP).empty


def test_no_parents_ressources_report_for_6_months_in_year_2(engine, session):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2021)
    since = report_quiet_since(AS_OF)
    assert since == dt.date(2022, 10, 18)
    make_parents_ressources(session, "95001", month=dt.date(2022, 10, 1),
                            period_end=since - dt.timedelta(days=1))
    session.commit()
    quiet = of_rule(points(engine), NO_RECENT_REPORT)
    assert quiet.iloc[0]["sentence"] == (
        "Alpha, en année 2 — Parents Ressources, n'a aucun relevé Parents Ressources depuis le "
        "18 octobre 2022 (6 derniers mois) ; le dernier finit le 17 octobre 2022.")
    make_parents_ressources(session, "95001", month=since, period_end=since)
    session.commit()
    assert of_rule(points(engine), NO_RECENT_REPORT).empty


def test_reports_are_asked_only_after_6_months_of_year_2(engine, session):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2022)  # year 1 in 2022-2023
    make_commune(session, "95002", name="Beta")
    make_rollout(session, "95002", first_year=2021)  # year 2 from 1 September 2022
    session.commit()
    assert list(of_rule(points(engine), NO_RECENT_REPORT)["code"]) == ["95002"]
    assert of_rule(points(engine, as_of=dt.date(2023, 2, 28)), NO_RECENT_REPORT).empty
    assert not of_rule(points(engine, as_of=dt.date(2023, 3, 1)), NO_RECENT_REPORT).empty


def test_a_year_under_way_without_objectives_asks_for_them(engine, session):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2022)
    session.commit()
    missing = of_rule(points(engine), YEAR_WITHOUT_OBJECTIVES)
    assert missing.iloc[0]["sentence"] == (
        "Alpha est en année 1 — acculturation depuis le 1er septembre 2022 sans aucun objectif "
        "2022-2023 : objectifs à saisir.")
    assert (missing.iloc[0]["severity_label"], missing.iloc[0]["link"]) == (
        "À compléter", "/deploiement?scope=commune:95001&to=2023-04-17")
    make_objective(session, scope_code="95001", indicator="workshops", target=1)
    session.commit()
    assert of_rule(points(engine), YEAR_WITHOUT_OBJECTIVES).empty


def test_objectives_without_a_plan_for_the_year_ask_for_one(engine, session):
    make_commune(session, "95001", name="Alpha")
    make_objective(session, scope_code="95001", indicator="workshops", target=1)
    make_commune(session, "95002", name="Beta")
    make_objective(session, scope_code="95002", indicator="workshops", target=1)
    make_rollout(session, "95002", first_year=2019)  # 2019-2020 to 2021-2022
    session.commit()
    sentences = dict(zip(*of_rule(points(engine), OBJECTIVES_WITHOUT_PLAN)[["code", "sentence"]]
                         .to_numpy().T, strict=True))
    assert sentences == {
        "95001": "Alpha a des objectifs 2022-2023, mais elle n'a aucun plan de déploiement : "
                 "plan à compléter.",
        "95002": "Beta a des objectifs 2022-2023, mais son plan de déploiement ne prévoit "
                 "aucune année en 2022-2023 (années 1 à 3 : 2019-2020 à 2021-2022) : plan à "
                 "compléter."}
    make_rollout(session, "95001", first_year=2022)
    session.commit()
    assert list(of_rule(points(engine), OBJECTIVES_WITHOUT_PLAN)["code"]) == ["95002"]


def test_a_departement_with_many_late_communes_is_pointed_out_from_the_tne(engine, session):
    """7 communes with objectives, 3 late (42,9 % ≥ 40 %); an 8th on track makes it 37,5 %."""
    for n in range(1, 8):
        code = f"950{n:02d}"
        make_commune(session, code)
        late = n <= LATE_COMMUNES_MIN
        make_objective(session, scope_code=code, indicator="workshops", target=10 if late else 1)
        if not late:
            workshops(session, code, dt.date(2022, 10, 3))
    session.commit()
    tne = of_rule(points(engine, "tne"), MANY_LATE_COMMUNES)
    assert tne.iloc[0]["sentence"] == ("Département 95 (95) : 3 communes sur 7 ayant des "
                                       "objectifs 2022-2023 (42,9\u202f%) sont en retard sur "
                                       "au moins un objectif.")
    assert tne.iloc[0]["link"] == ("/deploiement?scope=departement:95&to=2023-04-17"
                                   "&statut=en_retard&tri=statut")
    assert of_rule(points(engine, "departement:95"), MANY_LATE_COMMUNES).empty
    make_commune(session, "95008")
    make_objective(session, scope_code="95008", indicator="workshops", target=1)
    workshops(session, "95008", dt.date(2022, 10, 3))
    session.commit()
    assert of_rule(points(engine, "tne"), MANY_LATE_COMMUNES).empty


def test_a_departement_late_on_its_own_objective_is_listed_from_the_tne(engine, session):
    make_commune(session, "95001")
    make_objective(session, scope_kind="departement", scope_code="95", indicator="workshops",
                   target=100)
    workshops(session, "95001", dt.date(2022, 10, 3), count=10)
    session.commit()
    late = of_rule(points(engine, "tne"), LATE_OBJECTIVE)
    assert list(zip(late["level"], late["code"], strict=True)) == [(DEPARTEMENT, "95")]
    assert late.iloc[0]["sentence"].startswith(
        "Département 95 (95) est en retard sur son objectif « Ateliers » 2022-2023 : 10 sur 100 "
        "(10,0\u202f%)")
    assert late.iloc[0]["link"] == "/deploiement?scope=departement:95&to=2023-04-17"
    assert of_rule(points(engine, "departement:95"), LATE_OBJECTIVE).empty
    workshops(session, "95001", dt.date(2022, 10, 4), count=53)  # 63 of 100
    session.commit()
    assert of_rule(points(engine, "tne"), LATE_OBJECTIVE).empty


def test_points_read_from_demo_rows_say_so_and_go_without_them(engine, session):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2022, source="demo")
    make_commune(session, "95002", name="Beta")
    make_rollout(session, "95002", first_year=2022)
    session.commit()
    missing = of_rule(points(engine), YEAR_WITHOUT_OBJECTIVES).set_index("code")["demo"]
    assert missing.to_dict() == {"95001": True, "95002": False}
    without = of_rule(points(engine, include_demo=False), YEAR_WITHOUT_OBJECTIVES)
    assert list(without["code"]) == ["95002"]


def test_a_commune_scope_lists_only_that_commune(engine, session, peers):
    assert set(points(engine, "commune:95004")["code"]) == {"95004"}
    assert of_rule(points(engine, "commune:95001"), BELOW_PEERS).empty


@pytest.mark.parametrize(("scope", "as_of"), [
    ("departement:95", dt.date(2019, 1, 1)),  # before any roll-out
    ("departement:95", dt.date(2040, 1, 1)),  # long after
    ("commune:95999", AS_OF),  # not in the database
    ("departement:86", AS_OF),  # no commune at all
    ("national", AS_OF),
])
def test_an_empty_territory_or_date_gives_no_point_and_no_error(engine, session, scope, as_of):
    make_commune(session, "95001", name="Alpha")
    make_rollout(session, "95001", first_year=2020)
    make_objective(session, scope_code="95001", indicator="workshops", target=0)
    session.commit()
    frame = points(engine, scope, as_of, exact=False)
    assert list(frame.columns) == COLUMNS
    if scope != "national":
        assert frame.empty


def test_sorting_puts_the_most_urgent_first(engine, session, peers):
    make_commune(session, "95010", name="Sans objectif")
    make_rollout(session, "95010", first_year=2022)
    session.commit()
    frame = points(engine)
    assert list(frame["severity"]) == sorted(frame["severity"], reverse=True)
    assert frame.iloc[-1]["rule"] == YEAR_WITHOUT_OBJECTIVES


# ── The demo database: the Val-d'Oise on 17 April 2023 ───────────────────────────────────


@pytest.fixture(scope="module")
def val_doise(built_db_url):
    engine = make_engine(built_db_url)
    with engine.connect() as conn:
        frame = vigilance_points(conn, VAL_DOISE, AS_OF, exact=True)
    yield engine, frame
    engine.dispose()


@pytest.mark.parametrize("scope", ["national", "tne", "departement:95", "commune:95205"])
def test_a_territory_read_once_gives_every_dates_points_as_read_afresh(val_doise, scope):
    """The pages keep a territory's ground (``read_ground``) across dates: the points read
    with it are the points read from nothing, for every date and either public."""
    engine, _ = val_doise
    territory = Scope.parse(scope)
    # Days of one month and of one school year share the ground's reads (``SharedReads``).
    dates = ((AS_OF, True), (dt.date(2023, 4, 20), False), (dt.date(2023, 11, 3), False),
             (dt.date(2023, 11, 30), True))
    if territory.kind != NATIONAL:
        dates += ((dt.date(2024, 5, 2), True), (dt.date(2022, 9, 1), False))
    with engine.connect() as conn:
        ground = read_ground(conn, territory)
        found = 0
        for as_of, exact in dates:
            kept = vigilance_points(conn, territory, as_of, exact=exact, ground=ground)
            pd.testing.assert_frame_equal(
                kept, vigilance_points(conn, territory, as_of, exact=exact))
            found += len(kept)
    assert found > 0



@pytest.mark.parametrize("scope", ["national", "departement:95"])
def test_the_demo_starts_follow_the_first_years_as_the_indicator_path_does(val_doise, scope):
    """The demo database: on the day each first roll-out year starts and the day before, the
    communes ``DemoStarts`` (a kept ground's, from its second date) names are
    ``demo_groups``' (the workshops' and reports' days are the hypothesis proof's,
    ``test_workshop_months``)."""
    engine, _ = val_doise
    territory = Scope.parse(scope)
    with engine.connect() as conn:
        starts = read_demo_starts(conn, territory)
        plan = rollout_plan(conn, territory, Filters())
        firsts = sorted(set(plan.loc[plan["year_number"] == 1, "start_date"]))
        days = {day + dt.timedelta(days=shift) for day in firsts for shift in (-1, 0)}
        named = set()
        for day in sorted(days):
            communes = starts.demo_communes(conn, day)
            assert communes == demo_groups(conn, territory, Filters(date_to=day), COMMUNE,
                                           DEMO_START_CODES)
            named |= communes
    assert named



def test_a_kept_ground_reads_the_periods_demo_rows_for_its_first_date_only(val_doise,
                                                                          monkeypatch):
    """A first view (or the command line, the API, a report: one date each) asks the period
    which communes hold demo rows; the dates after it read when each commune's demo rows
    begin, once, and ask no period again."""
    engine, _ = val_doise
    asked: list[str] = []
    monkeypatch.setattr(vigilance_ground, "demo_groups", lambda *args: asked.append("période")
                        or demo_groups(*args))
    monkeypatch.setattr(vigilance_ground, "read_demo_starts", lambda *args: asked.append("débuts")
                        or read_demo_starts(*args))
    with engine.connect() as conn:
        ground = read_ground(conn, VAL_DOISE)
        for day in (AS_OF, dt.date(2023, 11, 3), dt.date(2024, 5, 2), AS_OF):
            vigilance_points(conn, VAL_DOISE, day, exact=True, ground=ground)
    assert asked == ["période", "débuts"]

def test_a_grounds_shared_reads_keep_the_latest_used_of_each_kind():
    shared, reads = SharedReads(), []

    def read(key):
        return lambda: reads.append(key) or f"valeur {key}"

    for number in range(SHARED_READS + 1):
        assert shared.get(("trends", number), read(number)) == f"valeur {number}"
    assert shared.get(("objectives", "2023-2024"), read("année")) == "valeur année"
    assert shared.get(("trends", 1), read("encore")) == "valeur 1"  # kept, now the latest
    assert shared.get(("trends", 0), read("relu")) == "valeur relu"  # the oldest, let go
    assert shared.get(("objectives", "2023-2024"), read("jamais")) == "valeur année"
    assert reads == [*range(SHARED_READS + 1), "année", "relu"]

def test_a_territory_read_for_another_scope_is_refused(val_doise):
    engine, _ = val_doise
    with engine.connect() as conn:
        ground = read_ground(conn, VAL_DOISE)
        with pytest.raises(ValueError, match="territoire lu"):
            vigilance_points(conn, Scope("tne"), AS_OF, exact=True, ground=ground)
        assert read_ground(conn, Scope(COMMUNE, "99999")) is None


def test_the_public_reads_the_late_communes_in_the_order_of_the_gaps_it_is_shown(val_doise):
    engine, exact = val_doise
    with engine.connect() as conn:
        public = of_rule(vigilance_points(conn, VAL_DOISE, AS_OF, exact=False), LATE_OBJECTIVE)
    gaps = [float(gap.replace(",", ".")) for gap in public["sentence"].str.extract(
        r"— ([\d,]+) points? de retard")[0].dropna()]
    assert len(gaps) >= 10 and gaps == sorted(gaps, reverse=True)
    # The same points as the exact view, only their order may differ.
    assert sorted(public["code"]) == sorted(of_rule(exact, LATE_OBJECTIVE)["code"])


def test_the_val_doise_on_17_april_2023_lists_its_points_with_reasons_and_links(val_doise):
    engine, frame = val_doise
    assert not frame.empty and frame["demo"].all()
    assert set(frame["departement_code"]) == {"95"} and set(frame["level"]) == {COMMUNE}
    assert frame["sentence"].str.len().gt(40).all()
    assert {LATE_OBJECTIVE, BELOW_PEERS, NO_RECENT_WORKSHOP, ACTIVITY_DOWN} <= set(
        frame["rule"])
    for row in frame.itertuples():
        assert row.name in row.sentence and row.link.startswith("/")
    with engine.connect() as conn:
        progress = commune_progress(conn, Scope("departement", "95"), school_year_of(AS_OF), AS_OF)
        late = progress[progress["status"] == Status.LATE.value]
        assert set(zip(*of_rule(frame, LATE_OBJECTIVE)[["code", "indicator"]].to_numpy().T,
                       strict=True)) == set(zip(late["code_insee"], late["indicator"],
                                                strict=True))
        for row in of_rule(frame, LATE_OBJECTIVE).head(5).itertuples():
            own = objectives_progress(conn, Scope(COMMUNE, row.code), school_year_of(AS_OF),
                                      AS_OF).table.set_index("indicator")
            assert own.at[row.indicator, "status"] == Status.LATE.value
            target = int(own.at[row.indicator, "target"])
            assert f": {int(own.at[row.indicator, 'achieved'])} sur {target} (" in row.sentence


def test_the_val_doise_quiet_communes_have_no_workshop_in_their_last_3_months(val_doise):
    engine, frame = val_doise
    since = quiet_since(AS_OF)
    quiet = set(of_rule(frame, NO_RECENT_WORKSHOP)["code"])
    assert quiet
    with engine.connect() as conn:
        phases = commune_phases(conn, VAL_DOISE, Filters(), AS_OF)
        plan = rollout_plan(conn, VAL_DOISE, Filters())
        watched = set(plan[(plan["start_date"] <= AS_OF) & (AS_OF <= plan["end_date"])
                           & (plan["code_insee"].isin(
                               plan[(plan["year_number"] == 1)
                                    & (plan["start_date"] <= since)]["code_insee"]))]
                      ["code_insee"])
        for code in sorted(watched):
            recent = compute_indicators(conn, Scope(COMMUNE, code),
                                        Filters(date_from=since, date_to=AS_OF),
                                        codes=("workshops",))["workshops"]
            assert (code in quiet) == (recent == 0), code
    assert quiet <= set(phases[phases != "not_engaged"].index)


def test_the_val_doise_trend_figures_are_the_indicator_figures(val_doise):
    engine, frame = val_doise
    (start, end), (before_start, before_end) = trend_windows(AS_OF)
    with engine.connect() as conn:
        for row in of_rule(frame, ACTIVITY_DOWN).itertuples():
            scope = Scope(COMMUNE, row.code)
            now = compute_indicators(conn, scope, Filters(date_from=start, date_to=end),
                                     codes=("workshops",))["workshops"]
            before = compute_indicators(conn, scope, Filters(date_from=before_start,
                                                             date_to=before_end),
                                        codes=("workshops",))["workshops"]
            assert before >= TREND_MIN_WORKSHOPS_BEFORE and 100 * now <= 75 * before
            assert f"{row.name} : {now} atelier" in row.sentence
            assert f"contre {before} de janvier à mars 2022" in row.sentence


def test_a_val_doise_commune_below_its_peers_is_below_their_median_by_their_own_tables(
        val_doise):
    """The first such commune, checked against the Déploiement table of every commune of the
    département in the same phase — figures read one commune at a time."""
    engine, frame = val_doise
    row = of_rule(frame, BELOW_PEERS).iloc[0]
    year = school_year_of(AS_OF)
    with engine.connect() as conn:
        phases = commune_phases(conn, VAL_DOISE, Filters(), AS_OF)
        shares = {}
        for code in phases[phases == phases[row["code"]]].index:
            table = objectives_progress(conn, Scope(COMMUNE, code), year, AS_OF).table
            table = table[table["indicator"] == row["indicator"]].dropna(subset="pct_reached")
            if not table.empty:
                shares[code] = min(float(table["pct_reached"].iloc[0]), 100.0)
    own = shares.pop(row["code"])
    median = statistics.median(shares.values())
    assert len(shares) >= MIN_PEERS and median - own > BELOW_MEDIAN_POINTS
    assert f"des {len(shares)} autres communes" in row["sentence"]
    assert f"({median:.1f}\u202f%)".replace(".", ",") in row["sentence"]


def test_every_demo_link_is_read_back_by_its_page_without_a_problem(val_doise, built_db_url):
    engine, frame = val_doise
    with engine.connect() as conn:
        tne = vigilance_points(conn, Scope("tne"), AS_OF, exact=False)
        departements = set(queries.departements(conn)["code"])
        communes = set(queries.all_communes(conn)["code_insee"])
    today = dt.date(2026, 11, 30)
    for row in pd.concat([frame, tne]).itertuples():
        path, _, query = row.link.partition("?")
        params = dict(pair.split("=", 1) for pair in query.split("&"))
        if path == "/deploiement":
            view = parse_deploiement_view(params, today)
            assert (str(view.scope), view.as_of) == (f"{row.level}:{row.code}", AS_OF)
        elif path == "/comparer":
            view = parse_comparer_view(params, today, communes)
            assert view.codes[0] == row.code and view.as_of == AS_OF
        else:
            assert path == "/indicateurs"
            view = parse_indicateurs_view(params, today, departements, communes)
            assert row.code in (view.filters.communes + view.filters.departements)
        assert not view.problems, row.link


def test_from_the_tne_departements_are_listed_with_the_timelines_own_statuses(built_db_url):
    engine = make_engine(built_db_url)
    with engine.connect() as conn:
        tne = vigilance_points(conn, Scope("tne"), AS_OF, exact=True)
        deps = tne[tne["level"] == DEPARTEMENT]
        flagged = set(of_rule(deps, MANY_LATE_COMMUNES)["code"])
        late_deps = set(of_rule(deps, LATE_OBJECTIVE)["code"] + ":" +
                        of_rule(deps, LATE_OBJECTIVE)["indicator"])
        expected, expected_late = set(), set()
        for dep in sorted(set(tne["departement_code"])):
            statuses = commune_statuses(commune_progress(
                conn, Scope(DEPARTEMENT, dep), school_year_of(AS_OF), AS_OF))
            counted = statuses[statuses["status"] != Status.NO_TARGET.value]
            late = int((counted["status"] == Status.LATE.value).sum())
            if late >= LATE_COMMUNES_MIN and 100 * late >= LATE_COMMUNES_MIN_SHARE * len(
                    counted):
                expected.add(dep)
            own = objectives_progress(conn, Scope(DEPARTEMENT, dep), school_year_of(AS_OF),
                                      AS_OF).table
            expected_late |= {f"{dep}:{i}" for i in
                              own.loc[own["status"] == Status.LATE.value, "indicator"]}
    engine.dispose()
    assert flagged == expected and flagged
    assert late_deps == expected_late and late_deps
    assert "95" in flagged


def test_the_counts_by_reason_name_each_territory_once_and_count_every_point(built_db_url):
    """``reason_counts`` and ``vigilance_summary`` (one pass over plain lists) against the
    same counts made by pandas, on the TNE's points: a commune late on two objectives is one
    commune and two points."""
    engine = make_engine(built_db_url)
    with engine.connect() as conn:
        points = vigilance_points(conn, Scope("tne"), AS_OF, exact=True)
    engine.dispose()
    counts = reason_counts(points).set_index("rule")
    named = points.drop_duplicates(["rule", "level", "code"])
    for rule, found in points.groupby("rule"):
        kept = named[named["rule"] == rule]
        assert counts.loc[rule, "points"] == len(found)
        assert counts.loc[rule, "communes"] == (kept["level"] == COMMUNE).sum()
        assert counts.loc[rule, "departements"] == (kept["level"] == DEPARTEMENT).sum()
    assert set(counts.index) == set(points["rule"])
    assert list(counts["severity"]) == sorted(counts["severity"], reverse=True)
    assert (counts["points"] > counts["communes"] + counts["departements"]).any()
    territories = len(points.drop_duplicates(["level", "code"]))
    by_severity = points["severity"].value_counts()
    summary = vigilance_summary(points, "TNE", AS_OF)
    assert f"{format_number(len(points))} points de vigilance sur " \
           f"{format_number(territories)} territoires" in summary
    assert f"{format_number(by_severity[3])} prioritaires" in summary


# ── The command line ─────────────────────────────────────────────────────────────────────


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_prints_the_figures_functions_points_as_json_and_csv(capsys, val_doise,
                                                                     built_db_url):
    _, frame = val_doise
    code, out, _ = run(capsys, "vigilance", "--database-url", built_db_url, "--scope",
                       "departement:95", "--to", "2023-04-17", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert (payload["scope"], payload["to"], payload["annee"], payload["demo"],
            payload["exact"]) == ("departement:95", "2023-04-17", "2022-2023", True, True)
    # Each commune's follow-up too (none in the built database).
    followed = join_follow_ups(frame, {}, with_notes=True)
    assert payload["points"] == json.loads(followed.to_json(orient="records",
                                                            force_ascii=False))
    assert {p["followed"] for p in payload["points"] if p["level"] == COMMUNE} == {False}
    code, out, _ = run(capsys, "vigilance", "--database-url", built_db_url, "--scope",
                       "departement:95", "--to", "2023-04-17", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = vigilance_frame(frame)
    assert [r["Constat"] for r in rows] == list(expected["Constat"])
    assert [r["Lien"] for r in rows] == list(expected["Lien"])
    assert {r["Données de démonstration"] for r in rows} == {"Oui"}


def test_the_cli_table_gives_the_summary_the_reasons_and_the_links(capsys, built_db_url):
    code, out, _ = run(capsys, "vigilance", "--database-url", built_db_url, "--scope",
                       "departement:95", "--to", "2023-04-17")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("Val-d'Oise (95) — points de vigilance au 17 avril 2023 (année scolaire "
                        "2022-2023) — données de démonstration")
    assert lines[1].startswith("Val-d'Oise (95), au 17 avril 2023 : ")
    assert f"Prioritaire — {RULES[LATE_OBJECTIVE].title}" in lines
    assert any(line.startswith("    /deploiement?scope=commune:") for line in lines)


def test_the_cli_csv_neutralises_a_name_that_starts_like_a_formula(capsys, engine, session,
                                                                    db_url):
    make_commune(session, "95001", name="=HYPERLINK(\"http://x\")")
    make_rollout(session, "95001", first_year=2022)
    session.add(Metadata(key=BUILT_AT_KEY, value="2026-11-30T10:00:00+00:00"))  # a built base
    session.commit()
    code, out, _ = run(capsys, "vigilance", "--database-url", db_url, "--scope",
                       "departement:95", "--to", "2023-04-17", "--format", "csv")
    assert code == 0
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["Territoire"] == "'=HYPERLINK(\"http://x\")"
    assert row["Constat"].startswith("'=HYPERLINK")
    code, out, _ = run(capsys, "vigilance", "--database-url", db_url, "--scope",
                       "departement:95", "--to", "2023-04-17", "--format", "json", "--public")
    assert json.loads(out)["exact"] is False


@pytest.mark.parametrize(("args", "message"), [
    (("--scope", "region:11"), "Périmètre inconnu : « region:11 »"),
    (("--scope", "departement:99"), "Département inconnu : « 99 »"),
    (("--scope", "tne", "--to", "17/04/2023"), "Date invalide pour --to : « 17/04/2023 »"),
])
def test_the_cli_refuses_a_bad_scope_or_date_in_one_french_line(capsys, built_db_url, args,
                                                                message):
    code, out, err = run(capsys, "vigilance", "--database-url", built_db_url, *args)
    assert code == 2 and out == ""
    assert err.startswith("Erreur : ") and message in err and len(err.splitlines()) == 1


@given(shares=hypothesis_st.dictionaries(
    hypothesis_st.sampled_from([f"95{n:03}" for n in range(12)]),
    hypothesis_st.sampled_from([0.0, 12.5, 40.0, 50.0, 55.0, 100.0]), min_size=2))
def test_the_nearest_peers_are_the_nearest_of_the_others_whichever_commune_is_left_out(
        shares):
    kept: dict[float, list[str]] = {}
    for code in sorted(shares):
        others = {other: value for other, value in shares.items() if other != code}
        median = statistics.median(others.values())
        expected = heapq.nsmallest(3, others, key=lambda c, m=median: (abs(others[c] - m), c))
        assert nearest_peers(shares, code, median, kept) == expected


@given(hypothesis_st.lists(hypothesis_st.floats(min_value=0, max_value=100, allow_nan=False),
                           min_size=2, max_size=40),
       hypothesis_st.data())
def test_the_median_of_the_peers_is_the_median_of_the_others_whichever_commune_is_left_out(
        shares, data):
    """``median_without`` reads the median of the other communes at its rank in the sorted
    shares (the point « sous la médiane », for France's thousands of communes): it equals
    ``statistics.median`` of the list with that one share taken out, ties included."""
    left_out = data.draw(hypothesis_st.sampled_from(shares))
    others = list(shares)
    others.remove(left_out)
    assert median_without(sorted(shares), left_out) == statistics.median(others)


@given(hypothesis_st.dictionaries(
    hypothesis_st.sampled_from(["scope", "communes", "to", "from", "annee", "dep", "statut"]),
    hypothesis_st.one_of(hypothesis_st.text(max_size=30),
                         hypothesis_st.from_regex(r"[0-9AB:,\-]{0,20}", fullmatch=True)),
    max_size=4))
def test_a_points_link_is_the_link_urlencode_writes_whatever_its_values(params):
    """A point's link skips quoting the values that need none (codes, dates: thousands of
    points for France); with any other value it is still ``urlencode``'s, byte for byte."""
    assert point_link("/deploiement", params) == f"/deploiement?{urlencode(params, safe=':,')}"
