"""AppTest of the Déploiement page: Bezons' three years and figures, the Val-d'Oise timeline
from the URL, bad addresses, and editing an objective."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import streamlit as st
from apptest import open_page, plain_tables, shown
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from tne_dash.access import Account, Role
from tne_dash.cli import main
from tne_dash.figures.objectives import objectives_progress
from tne_dash.figures.objectives_table import objectives_heading
from tne_dash.figures.scope import Scope
from tne_dash.labels import format_number
from tne_dash.periods import parse_period
from tne_dash.screens.deploiement.ui import TIMELINE_TABLE_KEY
from tne_dash.store.db import make_engine
from tne_dash.text import fold

EDITOR_95 = Account("claire", Role.EDITEUR, frozenset({"95"}))


def open_deploiement(account: Account | None = None, **params: str) -> AppTest:
    return open_page("deploiement.py", account, **params)


def frame_with_or_none(at: AppTest, column: str):
    frames = [d.value for d in [*at.dataframe, *at.table]] + list(plain_tables(at).values())
    return next((frame for frame in frames if column in frame.columns), None)


def frame_with(at: AppTest, column: str):
    table = frame_with_or_none(at, column)
    assert table is not None, f"aucun tableau avec la colonne « {column} »"
    return table


def save_button(at: AppTest):
    return next(b for b in at.button if b.label == "Enregistrer l'objectif")


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_bezons_shows_its_three_years_and_the_figures_of_tne_dash_indicators(app_env, capsys):
    at = open_deploiement(scope="commune:95063", to="2023-04-17")
    assert not at.exception
    assert at.header[0].value == "Bezons (95)"
    plan = frame_with(at, "Année scolaire")
    assert plan[["Phase", "Année scolaire"]].values.tolist() == [
        ["Année 1 — acculturation", "2021-2022"],
        ["Année 2 — Parents Ressources", "2022-2023"],
        ["Année 3 — autonomie", "2023-2024"]]
    objectives = frame_with(at, "Réalisé").set_index("Code")
    assert main(["indicators", "--database-url", app_env, "--scope", "commune:95063",
                 "--from", "2022-09-01", "--to", "2023-04-17", "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)["indicators"]
    for code in ("workshops", "parents_reached", "parents_ressources_recruited"):
        assert objectives.at[code, "Réalisé"] == format_number(cli[code])  # « 1 234 »
    assert objectives.at["parents_ressources_recruited", "Statut"] == "Atteint"
    assert any("Données de démonstration" in w for w in shown(at.warning))
    assert len(charts(at)) >= 1  # the monthly progression (no funnel for one commune)


def test_val_d_oise_timeline_opens_from_the_url_with_its_filters(app_env):
    at = open_deploiement(scope="departement:95", to="2023-04-17", statut="en_retard",
                          tri="nom")
    assert not at.exception
    assert at.multiselect(key="statuses").value == ["en_retard"]
    assert at.selectbox(key="sort").value == "nom"
    assert frame_with_or_none(at, "Statut de l'année") is None  # the table, made once opened
    at.session_state[TIMELINE_TABLE_KEY] = True  # « La frise en tableau » opened: a rerun
    at.run()
    table = frame_with(at, "Statut de l'année")
    assert set(table["Statut de l'année"]) == {"En retard"}
    assert list(table["Commune"]) == sorted(table["Commune"], key=fold)  # Écouen among E
    summary = next(m.value for m in at.markdown if "au 17 avril 2023 :" in m.value)
    assert "retenues par les filtres" in summary
    timeline = charts(at)[0]
    assert timeline["config"]["locale"]["time"]["shortMonths"][0] == "janv."
    assert (at.query_params["statut"], at.query_params["tri"]) == ("en_retard", "nom")


def test_choosing_a_phase_filters_the_timeline_and_the_address(app_env):
    at = open_deploiement(scope="departement:95", to="2023-04-17")
    at.session_state[TIMELINE_TABLE_KEY] = True
    at.multiselect(key="phases").set_value(["acculturation"]).run()
    assert not at.exception
    table = frame_with(at, "Phase à la date")
    assert set(table["Phase à la date"]) == {"Année 1 — acculturation"}
    assert at.query_params["phase"] == "acculturation"


def objectives_year(at: AppTest) -> str:
    return next(s.value for s in at.subheader if s.value.startswith("Objectifs "))


def test_the_objectives_year_follows_the_date_until_a_viewer_chooses_another(app_env):
    """A date moved into another school year shows that year's objectives, as the link with
    that date does; a year chosen by hand stays whatever the date."""
    at = open_deploiement(scope="departement:95", to="2023-04-17")
    assert objectives_year(at) == "Objectifs 2022-2023"
    at.date_input[0].set_value(dt.date(2024, 1, 15)).run()
    assert not at.exception
    assert objectives_year(at) == "Objectifs 2023-2024"
    assert "annee" not in at.query_params  # the date's own year: the link needs no year
    linked = open_deploiement(scope="departement:95", to="2024-01-15")
    assert frame_with(linked, "Réalisé").equals(frame_with(at, "Réalisé"))
    year = next(s for s in at.selectbox if s.label == "Année scolaire des objectifs")
    year.set_value("2022-2023").run()
    assert objectives_year(at) == "Objectifs 2022-2023"
    at.date_input[0].set_value(dt.date(2024, 9, 20)).run()
    assert not at.exception
    assert objectives_year(at) == "Objectifs 2022-2023"  # chosen by hand: kept
    assert at.query_params["annee"] == "2022-2023"
    assert at.query_params["to"] == "2024-09-20"


def test_the_demo_notice_covers_the_whole_page_not_only_the_objectives(editing_env):
    """Bezons with every row real: no notice. Its roll-out plan made demo again: the notice
    (the commune's plan, the funnel), though its objectives read no demo row — and their
    export says nothing of demo."""
    engine = make_engine(editing_env)

    def bezons_rows(source: str, tables) -> None:
        with engine.begin() as conn:
            for table in tables:
                column = "scope_code" if table == "objective" else "commune_code"
                conn.execute(text(f"UPDATE {table} SET source = :source "  # noqa: S608
                                  f"WHERE {column} = '95063'"), {"source": source})

    bezons_rows("form", ("workshop", "workshop_month", "venue", "parents_ressources_count",
                         "rollout_year", "objective"))
    at = open_deploiement(scope="commune:95063", to="2023-04-17")
    assert not at.exception
    assert not any("Données de démonstration" in w for w in shown(at.warning))
    bezons_rows("demo", ("rollout_year",))
    st.cache_data.clear()
    at = open_deploiement(scope="commune:95063", to="2023-04-17")
    assert any("Données de démonstration" in w for w in shown(at.warning))
    with engine.connect() as conn:
        progress = objectives_progress(conn, Scope.parse("commune:95063"),
                                       parse_period("2022-2023"), dt.date(2023, 4, 17))
    assert progress.demo is False and not progress.table.empty
    assert ("Avertissement", "Données de démonstration") not in objectives_heading(
        "Bezons", progress)
    engine.dispose()


def test_a_bad_address_gets_clear_messages_and_a_working_page(app_env):
    at = open_deploiement(scope="commune:00000", to="demain", annee="2030", tri="?")
    assert not at.exception
    warnings = " ".join(w for w in shown(at.warning))
    assert "Date invalide dans l'adresse : « demain »" in warnings
    assert "Année scolaire invalide" in warnings
    assert "Tri inconnu" in warnings
    assert "Commune inconnue : code INSEE « 00000 »" in warnings
    assert at.header[0].value == "Les 12 départements TNE"


def test_the_tne_view_shows_the_programme_objectives(app_env):
    at = open_deploiement(to="2023-04-17")
    objectives = frame_with(at, "Réalisé").set_index("Code")
    assert objectives.at["target_schools_with_pcn_pct", "Objectif"] == "25"
    assert objectives.at["strategies_validated", "Objectif"] == "10"
    assert set(objectives["Origine de l'objectif"]) == {"Objectif du programme"}
    assert any("Choisissez un département" in i.value for i in at.info)


@pytest.fixture
def editing_env(monkeypatch, writable_built_url) -> str:
    monkeypatch.setenv("TNE_DASH_DATABASE_URL", writable_built_url)
    return writable_built_url


def test_viewers_who_cannot_edit_get_no_edit_mode(editing_env):
    at = open_deploiement(scope="commune:95063", to="2023-04-17")
    assert not [t for t in at.toggle if t.key == "edit_mode"]
    assert any("Les éditeurs connectés" in c.value for c in at.caption)


def test_an_editor_changes_a_target_and_the_page_shows_it(editing_env):
    at = open_deploiement(EDITOR_95, scope="commune:95063", to="2023-04-17")
    at.toggle(key="edit_mode").set_value(True).run()
    next(s for s in at.selectbox if s.label == "Indicateur").set_value("workshops")
    at.number_input[0].set_value(56.0)
    save_button(at).click().run()
    assert not at.exception
    assert any("Objectif enregistré : Ateliers, 2022-2023, 56" in s.value for s in at.success)
    objectives = frame_with(at, "Réalisé").set_index("Code")
    assert objectives.at["workshops", "Objectif"] == "56"
    assert objectives.at["workshops", "Origine de l'objectif"] == "Saisie"
    assert objectives.at["workshops", "Statut"] == "En retard"  # 28 of 56 at 63 % of the year


def test_an_editor_s_bad_target_is_refused_under_the_form(editing_env):
    at = open_deploiement(EDITOR_95, scope="commune:95063", to="2023-04-17")
    at.toggle(key="edit_mode").set_value(True).run()
    at.number_input[0].set_value(-4.0)
    save_button(at).click().run()
    errors = [e.value for e in at.error]
    assert ("Objectif : « -4 » — attendu un nombre entre 0 et 10\u202f000\u202f000 "
            "(ex. 12 ou 12,5)") in errors
    objectives = frame_with(at, "Réalisé").set_index("Code")
    assert objectives.at["workshops", "Objectif"] == "30"
