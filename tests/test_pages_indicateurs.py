"""AppTest of the Indicateurs page: a URL holding every filter, figures equal to
``tne-dash indicators --query`` with the same link, empty results, bad parameters."""

from __future__ import annotations

import json

from apptest import open_page, shown
from streamlit.testing.v1 import AppTest

from tne_dash.catalogue import CATALOGUE
from tne_dash.cli import main
from tne_dash.figures.privacy import public_count
from tne_dash.labels import format_number

EVERY_FILTER = {
    "dep": "95", "communes": "95063,95018", "from": "2022-09-01", "to": "2023-04-17",
    "phase": "parents_ressources,acculturation", "lieu": "college,ecole,mediatheque",
    "format": "atelier_collectif,cafe_des_parents", "theme": "ent,ecrans_controle_parental",
    "animateur": "cnfs,parent_ressource", "niveau": "college,ecole", "rep": "1",
    "demo": "1", "par": "commune",
}


def open_indicateurs(**params: str) -> AppTest:
    return open_page("indicateurs.py", **params)


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def cli_query(url: str, query: dict[str, str], capsys) -> dict:
    link = "http://localhost:8501/indicateurs?" + "&".join(f"{k}={v}" for k, v in query.items())
    assert main(["indicators", "--database-url", url, "--query", link, "--format",
                 "json"]) == 0
    return json.loads(capsys.readouterr().out)["indicators"]


def test_a_url_with_every_filter_reopens_the_same_view_with_the_cli_figures(app_env, capsys):
    at = open_indicateurs(**EVERY_FILTER)
    assert not at.exception
    assert not at.warning or all("inconnu" not in w for w in shown(at.warning))
    assert {k: at.query_params[k] for k in EVERY_FILTER if k != "demo"} == {
        k: v for k, v in EVERY_FILTER.items() if k != "demo"} | {
        "phase": "acculturation,parents_ressources", "lieu": "ecole,college,mediatheque",
        "niveau": "ecole,college"}  # written back in the vocabulary's order
    cli = cli_query(app_env, EVERY_FILTER, capsys)
    tile_values = tiles(at)
    assert tile_values["Ateliers"] == format_number(cli["workshops"])
    assert tile_values["Parents touchés (1re venue)"] == format_number(
        public_count(cli["parents_reached"]))  # one commune, public view: rounded to 5
    assert at.multiselect(key="f_theme").value == ["ent", "ecrans_controle_parental"]
    assert at.toggle(key="f_rep").value is True


def test_the_tiles_equal_the_cli_and_show_the_change(app_env, capsys):
    query = {"dep": "95", "from": "2022-09-01", "to": "2023-04-17"}
    at = open_indicateurs(**query)
    assert not at.exception
    cli = cli_query(app_env, query, capsys)
    before = cli_query(app_env, {"dep": "95", "from": "2021-09-01", "to": "2022-04-17"},
                       capsys)
    workshops = next(m for m in at.metric if m.label == "Ateliers")
    assert workshops.value == format_number(cli["workshops"])
    diff = cli["workshops"] - before["workshops"]
    assert workshops.proto.delta.startswith(("+" if diff > 0 else "-") + format_number(
        abs(diff)))
    table = next(d.value for d in at.dataframe if "Territoire" in d.value.columns)
    assert table.loc[table["Code"] == "95", "Ateliers"].item() == cli["workshops"]


def test_filters_matching_nothing_say_so(app_env):
    at = open_indicateurs(dep="95", **{"from": "2019-01-01", "to": "2019-03-31"})
    assert not at.exception
    assert any("Aucune activité pour ces filtres" in i.value for i in at.info)


def test_bad_parameters_are_named_and_ignored(app_env):
    at = open_indicateurs(dep="95,ZZ", theme="ent,jardinage", par="region", to="demain")
    assert not at.exception
    messages = " ".join(w for w in shown(at.warning))
    assert "code « ZZ »" in messages
    assert "« jardinage »" in messages
    assert "Regroupement inconnu" in messages
    assert "Date invalide" in messages
    assert at.query_params["theme"] == "ent"


def test_a_selected_commune_grouped_by_departement_shows_its_public_counts(app_env, capsys):
    """``communes=95063&par=departement``: the Val-d'Oise row is Bezons' own figures, so the
    public sees them rounded like Bezons' tiles, never exactly."""
    query = {"communes": "95063", "par": "departement", "from": "2022-09-01",
             "to": "2023-04-17"}
    at = open_indicateurs(**query)
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Territoire" in d.value.columns)
    row = table.set_index("Code").loc["95"]
    cli = cli_query(app_env, query, capsys)
    for code in ("participations", "parents_reached", "children_reached"):
        label = CATALOGUE[code].label
        assert row[label] == public_count(cli[code]), label
    assert cli["participations"] % 5 != 0  # the exact figure would differ
