"""Edges of the figures (issue 19): a school level that means what it says, the REP filter
read one way, a % of objective that divides like by like, and numbers that stay numbers —
French, sortable — in every table, small counts hidden from the public included."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest
from apptest import open_page, plain_tables, shown
from factories import (
    make_commune,
    make_objective,
    make_school,
    make_venue,
    make_workshop,
)

from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import (
    IndicatorValues,
    compute_breakdown,
    compute_indicator_table,
    compute_indicators,
)
from tne_dash.figures.map_frames import MapFrames
from tne_dash.figures.map_view import MapView
from tne_dash.figures.objectives import ObjectivesProgress, objective_shares
from tne_dash.figures.objectives_table import objectives_frame
from tne_dash.figures.scope import Scope
from tne_dash.html_tables import Share
from tne_dash.periods import parse_period
from tne_dash.screens.carte.tables import table_for_display
from tne_dash.screens.deploiement.tables import objectives_display
from tne_dash.screens.deploiement.ui import FUNNEL_TABLE_KEY
from tne_dash.screens.indicateurs.tables import (
    MASKED_COLUMN,
    OBJECTIVE_BASIS,
    breakdown_frame,
    objective_column,
    territory_table,
)
from tne_dash.screens.indicateurs.view import (
    CHOICE_PARAMS,
    REP_FILTER_HELP,
    REP_FILTER_WORDING,
    SCHOOL_LEVEL_HELP,
    SCHOOL_RESPONSIBLE,
    indicateurs_params,
    parse_indicateurs_view,
)

TODAY = dt.date(2023, 4, 17)
VAL_DOISE = Scope("departement", "95")
WORKSHOPS = objective_column("workshops", TODAY)
PARENTS = objective_column("parents_reached", TODAY)


def figures(engine, scope: Scope, **filters) -> IndicatorValues:
    with engine.connect() as conn:
        return compute_indicators(conn, scope, Filters(**filters))


# --- 4. The school level ---------------------------------------------------------------


@pytest.fixture
def schools_and_workshops(session):
    """Bezons: a maternelle and an élémentaire target school, a target collège; one workshop
    in an école, two in the collège, one in a centre social."""
    make_commune(session, "95063")
    for level in ("maternelle", "elementaire", "college"):
        make_school(session, "95063", level=level, strategy_target=True)
    ecole = make_venue(session, "95063", name="École Paul Vaillant", kind="ecole")
    college = make_venue(session, "95063", name="Collège Henri Wallon", kind="college")
    social = make_venue(session, "95063")
    make_workshop(session, ecole)
    make_workshop(session, college)
    make_workshop(session, college, date=dt.date(2022, 11, 7))
    make_workshop(session, social)
    session.commit()


def test_maternelle_elementaire_and_ecole_give_the_same_figures_for_schools_and_workshops(
        engine, schools_and_workshops):
    bezons = Scope("commune", "95063")
    read = {level: figures(engine, bezons, school_levels=(level,))
            for level in ("maternelle", "elementaire", "ecole")}
    for values in read.values():
        # Both école target schools, and the workshop held in the école: one reading.
        assert (values["target_schools"], values["workshops"]) == (2, 1)
    college = figures(engine, bezons, school_levels=("college",))
    assert (college["target_schools"], college["workshops"]) == (1, 2)
    both = figures(engine, bezons, school_levels=("ecole", "college"))
    assert (both["target_schools"], both["workshops"]) == (3, 3)


def test_the_school_level_filter_offers_only_the_levels_the_data_tells_apart():
    enum = CHOICE_PARAMS["niveau"][1]
    assert enum.labels() == {"ecole": "École (maternelle et élémentaire)",
                             "college": "Collège", "lycee": "Lycée"}
    assert SCHOOL_RESPONSIBLE == {"ecole": "commune", "college": "département",
                                  "lycee": "région"}
    assert "Maternelle et élémentaire forment un seul niveau" in SCHOOL_LEVEL_HELP


def test_an_old_maternelle_link_opens_the_ecole_level_with_a_french_note():
    view = parse_indicateurs_view({"niveau": "maternelle,college,elementaire"}, TODAY,
                                  {"95"}, {"95063"})
    assert view.filters.school_levels == ("ecole", "college")
    assert indicateurs_params(view)["niveau"] == "ecole,college"
    assert view.problems == (
        "Niveau scolaire « maternelle, elementaire » : les ateliers ne disent pas si une école "
        "est maternelle ou élémentaire, ce niveau est donc lu « École (maternelle et "
        "élémentaire) » (ateliers et établissements cibles de toutes les écoles).",)
    fresh = parse_indicateurs_view({"niveau": "ecole,college"}, TODAY, {"95"}, {"95063"})
    assert (fresh.filters, fresh.problems) == (view.filters, ())


def test_an_old_maternelle_link_shows_the_ecole_figures_on_the_page(app_env):
    query = {"dep": "95", "from": "2022-09-01", "to": "2023-04-17"}
    old = open_page("indicateurs.py", niveau="maternelle", **query)
    new = open_page("indicateurs.py", niveau="ecole", **query)
    assert not old.exception and not new.exception
    assert old.multiselect(key="f_niveau").value == ["ecole"]
    assert old.query_params["niveau"] == "ecole"
    assert any("lu « École (maternelle et élémentaire) »" in w for w in shown(old.warning))
    assert {m.label: m.value for m in old.metric} == {m.label: m.value for m in new.metric}


# --- 5. REP/REP+ -----------------------------------------------------------------------


@pytest.fixture
def rep_communes(session):
    """Bezons has a REP école and a collège outside EP, both targets; Argenteuil has no
    REP school but a target collège. One workshop in each commune, two in Bezons."""
    make_commune(session, "95063")
    make_commune(session, "95018")
    make_school(session, "95063", level="elementaire", education_prioritaire="REP",
                strategy_target=True)
    make_school(session, "95063", level="college", strategy_target=True)
    make_school(session, "95018", level="college", strategy_target=True)
    make_workshop(session, make_venue(session, "95063"))
    make_workshop(session, make_venue(session, "95063", name="Médiathèque", kind="mediatheque"))
    make_workshop(session, make_venue(session, "95018"))
    session.commit()


def test_rep_keeps_rep_communes_with_all_their_workshops_and_target_schools(engine,
                                                                           rep_communes):
    rep = figures(engine, VAL_DOISE, rep_only=True)
    # Bezons only: both of its workshops and both of its target schools, REP or not.
    assert (rep["workshops"], rep["target_schools"]) == (2, 2)
    everything = figures(engine, VAL_DOISE)
    assert (everything["workshops"], everything["target_schools"]) == (3, 3)


def test_the_rep_filter_is_worded_as_it_reads():
    assert REP_FILTER_WORDING == ("communes ayant au moins une école ou un collège REP/REP+ : "
                                  "toute leur activité et tous leurs établissements cibles, "
                                  "REP/REP+ ou non")
    assert "tous les ateliers" in REP_FILTER_HELP
    assert "qu'ils soient REP/REP+ ou non" in REP_FILTER_HELP


# --- 6. % of objective with a partial territory ------------------------------------------


@pytest.fixture
def objectives(session):
    """The Val-d'Oise: target 100 workshops; Bezons 4 (2 done), Argenteuil 6 (1 done),
    Ableiges none (1 done)."""
    for code in ("95063", "95018", "95002"):
        make_commune(session, code)
    for code, count in (("95063", 2), ("95018", 1), ("95002", 1)):
        venue = make_venue(session, code)
        for _ in range(count):
            make_workshop(session, venue, date=dt.date(2023, 1, 9))
    make_objective(session, "departement", "95", target=100)
    make_objective(session, "commune", "95063", target=4)
    make_objective(session, "commune", "95018", target=6)
    for code in ("95063", "95002"):  # parents: 5 first-timers a workshop
        make_objective(session, "commune", code, indicator="parents_reached", target=25)
    session.commit()


def shares(engine, **filters) -> pd.DataFrame:
    with engine.connect() as conn:
        return objective_shares(conn, Scope("national"), Filters(**filters), "departement",
                                TODAY, ("workshops",)).set_index("key")


def test_a_departement_row_of_chosen_communes_divides_by_their_objectives(engine, objectives):
    bezons = shares(engine, communes=("95063",))
    assert bezons.at["95", "workshops"] == pytest.approx(50.0)  # 2 of Bezons' 4, not 2 of 100
    assert bezons.at["95", "basis"] == "communes"
    two = shares(engine, communes=("95063", "95018"))
    assert two.at["95", "workshops"] == pytest.approx(30.0)  # 3 of 4 + 6
    whole = shares(engine, departements=("95",))
    assert whole.at["95", "workshops"] == pytest.approx(4.0)  # 4 of the département's 100
    assert whole.at["95", "basis"] == "territoire"
    every_commune = shares(engine, communes=("95063", "95018", "95002"))
    assert every_commune.at["95", "workshops"] == pytest.approx(4.0)


def test_no_share_when_a_chosen_commune_has_no_objective_and_the_table_says_why(engine,
                                                                             objectives):
    with_ableiges = shares(engine, communes=("95063", "95002"))
    assert pd.isna(with_ableiges.at["95", "workshops"])
    with engine.connect() as conn:
        table = compute_indicator_table(conn, Scope("national"),
                                        Filters(communes=("95063", "95002")), "departement")
    frame = territory_table(table, with_ableiges.reset_index(), "departement", TODAY,
                            exact=True, selection=True)
    assert pd.isna(frame.at[0, WORKSHOPS])
    assert frame.at[0, OBJECTIVE_BASIS] == (
        "— (objectif du département, pas de la sélection : une commune retenue n'a pas "
        "d'objectif)")
    frame = territory_table(table, shares(engine, communes=("95063",)).reset_index(),
                            "departement", TODAY, exact=True, selection=True)
    assert frame.at[0, WORKSHOPS] == pytest.approx(50.0)
    assert frame.at[0, OBJECTIVE_BASIS] == "somme des objectifs des communes retenues"


def test_the_basis_is_said_per_indicator_when_they_differ(engine, objectives):
    chosen = Filters(communes=("95063", "95002"))
    with engine.connect() as conn:
        table = compute_indicator_table(conn, Scope("national"), chosen, "departement")
        both = objective_shares(conn, Scope("national"), chosen, "departement", TODAY,
                                ("workshops", "parents_reached"))
    frame = territory_table(table, both, "departement", TODAY, exact=True, selection=True)
    assert pd.isna(frame.at[0, WORKSHOPS])
    assert frame.at[0, PARENTS] == pytest.approx(30.0)  # 15 parents of 25 + 25
    assert frame.at[0, OBJECTIVE_BASIS] == (
        "ateliers : — (objectif du département, pas de la sélection : une commune retenue "
        "n'a pas d'objectif) ; parents touchés : somme des objectifs des communes retenues")


def test_bezons_grouped_by_departement_reads_bezons_over_its_own_objective(app_env):
    at = open_page("indicateurs.py", communes="95063", par="departement",
                   **{"from": "2022-09-01", "to": "2023-04-17"})
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Territoire" in d.value.columns)
    row = table.set_index("Code").loc["95"]
    assert row[WORKSHOPS] == pytest.approx(100.0 * 28 / 30)  # Bezons' 28 of its 30
    assert row[OBJECTIVE_BASIS] == "somme des objectifs des communes retenues"


# --- 8. Numbers stay numbers, small counts included --------------------------------------


@pytest.fixture
def small_counts(session):
    """Bezons reaches 3 parents (masked for the public), Argenteuil 12 (read 10)."""
    make_commune(session, "95063")
    make_commune(session, "95018")
    make_workshop(session, make_venue(session, "95063"), first_time_parents_count=3,
                  children_count=2)
    make_workshop(session, make_venue(session, "95018"), first_time_parents_count=12,
                  children_count=26, themes=("pix",))
    make_objective(session, "commune", "95063", indicator="parents_reached", target=20)
    make_objective(session, "commune", "95018", indicator="parents_reached", target=40)
    session.commit()


def test_a_commune_table_keeps_numbers_with_small_counts_empty_and_named(engine, small_counts):
    with engine.connect() as conn:
        table = compute_indicator_table(conn, VAL_DOISE, Filters(), "commune")
        share = objective_shares(conn, VAL_DOISE, Filters(), "commune", TODAY,
                                 ("workshops", "parents_reached"))
    frame = territory_table(table, share, "commune", TODAY, exact=False).set_index("Code")
    parents = frame["Parents touchés"]
    assert str(parents.dtype) == "Int64"
    assert pd.isna(parents["95063"]) and parents["95018"] == 10
    assert pd.isna(frame.at["95063", "Parents touchés pour 1 000 habitants"])
    assert frame.at["95018", "Enfants présents"] == 25  # 26 rounded to 5, a number
    assert frame.at["95063", MASKED_COLUMN] == (
        "Parents touchés, enfants présents, parents touchés de l'année scolaire : < 5")
    assert frame.at["95018", MASKED_COLUMN] == ""
    # The % objectif of the public follows the rounded count: 10 of 40, not 12 of 40.
    assert frame.at["95018", PARENTS] == pytest.approx(25.0)
    assert pd.isna(frame.at["95063", PARENTS])
    assert list(frame.sort_values("Enfants présents", na_position="first").index) == [
        "95063", "95018"]
    exact = territory_table(table, share, "commune", TODAY, exact=True).set_index("Code")
    assert (exact.at["95063", "Parents touchés"], exact.at["95018", PARENTS]) == (3, 30.0)
    assert MASKED_COLUMN not in exact


def test_a_departement_row_of_chosen_communes_follows_the_public_rule(engine, small_counts):
    with engine.connect() as conn:
        table = compute_indicator_table(conn, Scope("national"),
                                        Filters(communes=("95018",)), "departement")
    public = territory_table(table, pd.DataFrame(), "departement", TODAY, exact=False,
                             selection=True)
    assert (public.at[0, "Parents touchés"], public.at[0, "Enfants présents"]) == (10, 25)


def test_a_breakdown_keeps_numbers_with_small_counts_empty_and_named(engine, small_counts):
    with engine.connect() as conn:
        raw = compute_breakdown(conn, VAL_DOISE, Filters(communes=("95063", "95018")), "theme")
    frame = breakdown_frame(raw, "theme", commune_level=True, exact=False).set_index("Thème")
    assert str(frame["Parents touchés"].dtype) == "Int64"
    assert pd.isna(frame.at["ENT", "Parents touchés"])
    assert frame.at["Pix", "Parents touchés"] == 10
    assert frame.at["ENT", MASKED_COLUMN] == "Parents touchés, enfants présents : < 5"


def test_the_deploiement_objectives_keep_numbers_with_a_masked_count_named():
    table = pd.DataFrame([
        {"indicator": "workshops", "label": "Ateliers", "unit": "ateliers", "decimals": 0,
         "target": 10.0, "achieved": 3, "pct_reached": 30.0, "status": "en_retard",
         "source": "form"},
        {"indicator": "parents_reached", "label": "Parents touchés", "unit": "parents",
         "decimals": 0, "target": 20.0, "achieved": 3, "pct_reached": 15.0,
         "status": "en_retard", "source": "form"},
        {"indicator": "children_reached", "label": "Enfants présents", "unit": "enfants",
         "decimals": 0, "target": 40.0, "achieved": 26, "pct_reached": 65.0,
         "status": "en_bonne_voie", "source": "form"},
    ])
    bezons = Scope("commune", "95063")
    progress = ObjectivesProgress(bezons, parse_period("2022-2023"), TODAY, 0.6, table,
                                  IndicatorValues(bezons, Filters(), {}, 0, False))
    frame = objectives_display(objectives_frame(progress, exact=False)).set_index("Code")
    assert frame["Réalisé"].dtype == float and frame["% atteint"].dtype == float
    assert frame.at["workshops", "Réalisé"] == 3.0
    assert pd.isna(frame.at["parents_reached", "Réalisé"])
    assert pd.isna(frame.at["parents_reached", "% atteint"])
    assert frame.at["children_reached", "Réalisé"] == 25.0
    assert frame.at["children_reached", "% atteint"] == pytest.approx(62.5)
    assert frame[MASKED_COLUMN].tolist() == ["", "Réalisé : < 5", ""]


def column_formats(element) -> dict[str, dict]:
    return {name: config.get("type_config", {})
            for name, config in json.loads(element.proto.columns).items()}


def test_deploiement_tables_format_every_number_the_french_way(app_env):
    at = open_page("deploiement.py", scope="commune:95063", to="2023-04-17")
    assert not at.exception
    objectives = next(t for t in plain_tables(at).values() if "Réalisé" in t.columns)
    objectives = objectives.set_index("Code")
    for code, row in objectives.iterrows():
        for column in ("Objectif", "Réalisé", "Attendu à date (%)"):
            # « 1 234,5 », never « 1234.5 » nor « None »: a hidden or missing figure is « — »
            assert re.fullmatch(r"—|\d{1,3}(\u202f\d{3})*(,\d)?", row[column]), (code, column)
        share = row["% atteint"]
        assert share == "—" or (isinstance(share, Share)
                                and re.fullmatch(r"\d+(,\d)?\u202f%", share.text))
    markup = next(e.value for e in at.html if "Réalisé" in e.value)
    assert 'class="tne-bar" aria-hidden="true"' in markup  # the bar, for the eye only
    funnel = open_page("deploiement.py", scope="departement:95", to="2023-04-17")
    funnel.session_state[FUNNEL_TABLE_KEY] = True  # « L'entonnoir en tableau » opened
    funnel.run()
    table = next(d for d in funnel.dataframe
                 if "Communes ayant atteint l'étape" in d.value.columns)
    assert column_formats(table)["Communes ayant atteint l'étape"]["format"] == "localized"


def test_the_map_table_keeps_numbers_with_small_counts_empty_and_named():
    table = pd.DataFrame({
        "name": ["Bezons", "Argenteuil"], "population": [28_000, 110_000],
        "phase": ["acculturation", "autonomie"], "workshops": [3, 26],
        "parents_reached": ["< 5", 25], "parents_reached_per_1000_inhabitants": ["< 5", 0.2273],
        "parents_ressources_recruited": [0, 5], "cnfs_posts": [1, 4], "venues": [1, 6],
    }, index=pd.Index(["95063", "95018"], name="key"))
    view = MapView(departement="95", colour_by="parents_reached_per_1000_inhabitants")
    empty = pd.DataFrame()
    out = table_for_display(view, MapFrames(table, empty, empty, empty, False))
    out = out.set_index("Code")
    assert str(out["Parents touchés"].dtype) == "Int64"
    assert pd.isna(out.at["95063", "Parents touchés"]) and out.at["95018", "Parents touchés"] == 25
    rate = out["Parents touchés pour 1 000 habitants"]
    assert rate.dtype == float and rate["95018"] == pytest.approx(0.2)
    assert out.at["95018", "Population"] == 110_000
    assert out[MASKED_COLUMN].tolist() == ["Parents touchés : < 5", ""]
