"""AppTest of the Comparer page: selections from the URL (2, 6, 7 communes, an unknown code),
figures equal to ``tne-dash indicators``, search as you type, similar communes and ranks."""

from __future__ import annotations

import json

from apptest import open_page, plain_tables, shown
from streamlit.testing.v1 import AppTest

from tne_dash.cli import main
from tne_dash.figures.privacy import public_count
from tne_dash.labels import format_number
from tne_dash.screens.comparer.ui import COMPARISON_CAPTION

VAL_D_OISE_THREE = "95063,95018,95127"  # Bezons, Argenteuil, Cergy


def open_comparer(**params: str) -> AppTest:
    return open_page("comparer.py", **params)


def comparison(at: AppTest):
    return plain_tables(at)[COMPARISON_CAPTION]


def cli_indicators(url: str, code: str, capsys) -> dict:
    assert main(["indicators", "--database-url", url, "--scope", f"commune:{code}",
                 "--to", "2023-04-17", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)["indicators"]


def test_three_val_d_oise_communes_show_the_figures_of_tne_dash_indicators(app_env, capsys):
    at = open_comparer(communes=VAL_D_OISE_THREE, to="2023-04-17")
    assert not at.exception
    table = comparison(at).set_index("Indicateur")
    assert list(table.columns[:3]) == ["Bezons (95)", "Argenteuil (95)", "Cergy (95)"]
    population = table.loc["Population (INSEE 2023)"]
    for column, code in zip(table.columns[:3], VAL_D_OISE_THREE.split(","), strict=True):
        cli = cli_indicators(app_env, code, capsys)
        assert table.at["Ateliers", column] == format_number(cli["workshops"])
        assert table.at["Parents touchés", column] == format_number(
            public_count(cli["parents_reached"]))  # the public view: rounded to 5
        # Per 1 000 inhabitants, right to the unit shown (one decimal).
        pop = int(population[column].replace("\u202f", ""))
        assert table.at["Ateliers pour 1 000 habitants", column] == format_number(
            round(cli["workshops"] * 1000 / pop, 1), 1)
        assert table.at["Ateliers pour 1 000 habitants", column] == format_number(
            cli["workshops_per_1000_inhabitants"], 1)
    assert any("Données de démonstration" in w for w in shown(at.warning))
    assert at.query_params["communes"] == VAL_D_OISE_THREE


def test_two_communes_are_enough_and_the_best_value_is_named(app_env):
    at = open_comparer(communes="95063,95018", to="2023-04-17")
    assert not at.exception
    table = comparison(at).set_index("Indicateur")
    workshops = table.loc["Ateliers", ["Bezons (95)", "Argenteuil (95)"]]
    best = max(workshops.items(), key=lambda kv: int(kv[1].replace("\u202f", "")))[0]
    assert table.at["Ateliers", "Meilleure valeur"] == best


def test_six_communes_are_compared_side_by_side(app_env):
    codes = "95063,95018,95127,95280,95176,95585"
    at = open_comparer(communes=codes, to="2023-04-17")
    assert not at.exception
    assert not at.warning or all("au plus" not in w for w in shown(at.warning))
    assert len(comparison(at).columns) == 1 + 6 + 1
    assert at.query_params["communes"] == codes


def test_seven_communes_get_a_clear_message_and_the_first_six(app_env):
    codes = "95063,95018,95127,95280,95176,95585,95268"
    at = open_comparer(communes=codes, to="2023-04-17")
    assert not at.exception
    assert any("au plus 6 communes" in w and "7 demandées" in w for w in shown(at.warning))
    assert len(comparison(at).columns) == 1 + 6 + 1
    assert at.query_params["communes"] == codes.rsplit(",", 1)[0]


def test_an_unknown_insee_code_is_named_and_left_out(app_env):
    at = open_comparer(communes="95063,99999,95018", to="2023-04-17")
    assert not at.exception
    assert any("Commune inconnue : code INSEE « 99999 »" in w for w in shown(at.warning))
    assert list(comparison(at).columns[1:3]) == ["Bezons (95)", "Argenteuil (95)"]


def test_one_commune_asks_for_a_second_and_suggests_similar_ones(app_env):
    at = open_comparer(communes="95063,zz", to="2023-04-17")
    assert not at.exception
    assert any("code INSEE à 5 caractères" in w for w in shown(at.warning))
    assert any("au moins 2 communes" in i.value for i in at.info)
    similar = plain_tables(at)["Communes comparables à Bezons (95)"]
    assert len(similar) == 5
    next(b for b in at.button if b.label == "Comparer avec ces communes").click().run()
    assert len(at.query_params["communes"].split(",")) == 6
    assert len(comparison(at).columns) == 1 + 6 + 1


def test_a_link_with_one_commune_opens_it_with_its_most_similar_communes(app_env):
    at = open_comparer(commune="95063", to="2023-04-17")
    assert not at.exception
    codes = at.query_params["communes"].split(",")
    assert codes[0] == "95063" and len(codes) == 3
    assert comparison(at).columns[1] == "Bezons (95)"


def test_typing_a_name_finds_the_commune_and_adds_it(app_env):
    at = open_comparer(communes="95063,95018", to="2023-04-17")
    at.text_input(key="commune_search").input("cergy").run()
    add = next(b for b in at.button if b.label.startswith("Cergy (95)"))
    add.click().run()
    assert not at.exception
    assert at.query_params["communes"] == "95063,95018,95127"
    assert comparison(at).columns[3] == "Cergy (95)"


def test_removing_a_commune_updates_the_address(app_env):
    at = open_comparer(communes=VAL_D_OISE_THREE, to="2023-04-17")
    at.button(key="remove_95018").click().run()
    assert not at.exception
    assert at.query_params["communes"] == "95063,95127"


def test_ranks_are_given_among_the_engaged_communes_of_the_departement(app_env):
    at = open_comparer(communes=VAL_D_OISE_THREE, to="2023-04-17", indicateur="workshops")
    assert not at.exception
    ranks = next(m.value for m in at.markdown if "communes engagées" in m.value)
    assert "**Bezons (95)** :" in ranks and " sur " in ranks and "Val-d'Oise" in ranks
    assert at.selectbox(key="indicator").value == "workshops"
