"""AppTest: every page runs without exception, plus the home page's key interactions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest import open_page, plain_tables, shown
from streamlit.testing.v1 import AppTest

from tne_dash.figures.rules import calculation_rules
from tne_dash.html_tables import Code
from tne_dash.ui.navigation import PAGES

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


SMOKE_TESTED = {"accueil.py", "carte.py", "donnees.py", "saisie.py", "importer.py",
                "deploiement.py", "comparer.py", "indicateurs.py", "presentation.py",
                "accessibilite.py"}  # tests/test_accessibility_statement.py


def test_every_page_of_the_navigation_has_a_smoke_test():
    assert {spec.file for spec in PAGES} == SMOKE_TESTED


def test_home_page_runs_and_shows_the_tne_headline_figures(app_env):
    at = open_app()
    assert not at.exception
    assert at.title[0].value.startswith("Territoires Numériques Éducatifs")
    figures = metrics(at)
    assert figures["Départements TNE"] == "12"
    assert figures["Postes CNFS"] == \
        "536"
    assert any("Données de démonstration" in w for w in shown(at.warning))


def test_donnees_page_runs_and_lists_the_catalogue(app_env):
    at = open_app()
    at.switch_page("pages/donnees.py").run()
    assert not at.exception
    assert at.title[0].value == "Données et méthodes"
    catalogue = plain_tables(at)["Indicateurs"]
    assert Code("parents_reached") in set(catalogue["Code"])  # the code shown as code
    assert not at.dataframe and not at.table  # plain HTML tables: no grid, no Markdown cells


def test_donnees_page_states_every_calculation_rule_in_french(app_env):
    at = open_app()
    at.switch_page("pages/donnees.py").run()
    rules = plain_tables(at)["Règles de calcul"]
    assert list(rules["Règle"]) == [rule for rule, _ in calculation_rules()]
    statements = " ".join(rules.iloc[:, 1])
    assert "365 jours" in statements and "arrondis à 5" in statements
    assert "chevauche" in statements and "Données de démonstration" in statements


def test_bezons_figures_on_17_april_2023_from_the_url(app_env):
    at = open_app(scope="commune:95063", to="2023-04-17")
    assert not at.exception
    figures = metrics(at)
    assert figures["Ateliers"] == "50"
    assert figures["Parents touchés"] == "110"  # 109, rounded to 5 for the public
    assert figures["Parents Ressources recrutés"] == "20"
    assert figures["Réunions Parents Ressources"] == "14"
    assert at.subheader[0].value == "Bezons (95)"
    assert at.selectbox(key="commune").value == "95063"


def test_vienne_cnfs_figures(app_env):
    at = open_app(scope="departement:86")
    figures = metrics(at)
    assert figures["Postes CNFS"] == "37"
    assert figures["Structures CNFS"] == "23"


def test_choosing_a_territory_updates_the_figures_and_the_url(app_env):
    at = open_app()
    at.selectbox(key="territory").set_value("national").run()
    assert metrics(at)["Postes CNFS"] == \
        "3\u202f925"
    assert at.query_params["scope"] == "national"


def test_changing_the_date_is_kept_in_the_url(app_env):
    at = open_app(scope="commune:95063")
    at.date_input(key="date_to").set_value(dt.date(2023, 4, 17)).run()
    assert metrics(at)["Ateliers"] == "50"
    assert at.query_params["to"] == "2023-04-17"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"scope": "region:11"}, "Périmètre inconnu"),
        ({"scope": "commune:95999"}, "Commune inconnue : code INSEE « 95999 »"),
        ({"scope": "departement:99"}, "Département inconnu : « 99 »"),
        ({"to": "hier"}, "Date invalide dans l'adresse : « hier »"),
    ],
)
def test_a_bad_url_parameter_gives_a_french_message_and_the_tne_view(app_env, params,
                                                                       message):
    at = open_app(**params)
    assert not at.exception
    assert any(message in w for w in shown(at.warning))
    assert metrics(at)["Départements TNE"] == "12"


def test_an_unreachable_database_shows_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("TNE_DASH_DATABASE_URL",
                       "postgresql+psycopg://tne:s3cret@127.0.0.1:9/tne")
    at = open_app()
    assert not at.exception
    assert "Base de données injoignable" in shown(at.error)[0]
    assert "s3cret" not in shown(at.error)[0]


def test_first_use_builds_the_database_with_progress(monkeypatch, tmp_path):
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    monkeypatch.setenv("TNE_DASH_DEMO", "false")
    at = open_app()
    assert not at.exception
    assert at.status[0].label == "Base de données prête."
    assert metrics(at)["Postes CNFS"] == \
        "536"
    assert not any("Données de démonstration" in w for w in shown(at.warning))


def test_a_missing_reference_file_stops_the_first_build_with_its_name(monkeypatch, tmp_path):
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    monkeypatch.setenv("TNE_DASH_REFERENCE_DIR", str(tmp_path / "nowhere"))
    at = open_app()
    assert not at.exception
    assert "Fichier de référence manquant" in shown(at.error)[0]
    assert "departements.csv" in shown(at.error)[0]


def open_carte(**params: str) -> AppTest:
    return open_page("carte.py", timeout=60, **params)


def map_script(at: AppTest) -> str:
    import json

    args = json.loads(at.get("component_instance")[0].proto.json_args)
    return args["script"] + (args["feature_group"] or "")


def test_carte_page_runs_on_the_france_view(app_env):
    at = open_carte()
    assert not at.exception
    assert at.title[0].value == "Carte des territoires"
    table = at.dataframe[0].value
    assert len(table) == 109  # every département and collectivity of the pack
    assert table.set_index("Code").loc["86", "Postes de conseillers numériques"] == 37
    assert "Vienne (86)" in map_script(at)


def test_carte_opens_a_departement_and_a_commune_from_the_url(app_env):
    at = open_carte(dep="95", commune="95063", couches="cnfs,venues,schools",
                    to="2023-04-17")
    assert not at.exception
    assert at.subheader[0].value == "Bezons (95)"
    figures = metrics(at)
    assert figures["Ateliers"] == "50"
    assert figures["Parents touchés"] == "110"  # 109, rounded to 5 for the public
    table = at.dataframe[0].value.set_index("Code")
    assert table.loc["95063", "Phase"] == "Année 2 — Parents Ressources"
    assert table.loc["95063", "Ateliers"] == 50
    assert at.selectbox(key="carte_dep").value == "95"
    links = {link.proto.label: link.proto.page for link in at.get("page_link")}
    assert links["Son déploiement et ses objectifs"] == "deploiement"


def test_carte_colours_by_an_indicator_per_1000_inhabitants(app_env):
    at = open_carte(dep="86", couleur="workshops_per_1000_inhabitants")
    assert not at.exception
    assert "Ateliers pour 1 000 habitants" in at.dataframe[0].value.columns
    assert "Ateliers pour 1 000 habitants" in at.markdown[-1].value or any(
        "Ateliers pour 1 000 habitants" in m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dep": "99"}, "Département inconnu : « 99 ». Retour à la vue France."),
        ({"dep": "86", "couleur": "x"}, "Indicateur inconnu : « x »"),
        ({"to": "demain"}, "Date invalide dans l'adresse (to)"),
    ],
)
def test_carte_with_a_bad_url_gives_a_french_message(app_env, params, message):
    at = open_carte(**params)
    assert not at.exception
    assert any(message in w for w in shown(at.warning))


def test_carte_layers_follow_the_url(app_env):
    without = map_script(open_carte(dep="86", couches="aucune"))
    assert "markerClusterGroup" not in without
    with_all = map_script(open_carte(dep="86", couches="cnfs,venues,schools"))
    assert with_all.count("markerClusterGroup") == 3
    assert "DEPARTEMENT DE LA VIENNE" in with_all
