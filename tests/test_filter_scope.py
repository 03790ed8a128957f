"""Filters say what they change (issue 19, points 3 and 9): the indicators an active filter
does not apply to carry « non filtré par … » on the tiles, the table and its export, and in
``tne-dash indicators``; the command line gives only what applies to a scope, and groups the
figures when the address says ``par``."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd
import pytest
from apptest import open_page, other_breakdown_tabs, shown
from factories import (
    make_cnfs_structure,
    make_commune,
    make_parents_ressources,
    make_school,
    make_venue,
    make_workshop,
)
from openpyxl import load_workbook

from tne_dash.catalogue import CATALOGUE
from tne_dash.cli import main
from tne_dash.exports import to_xlsx_bytes
from tne_dash.figures.filter_scope import FILTER_TITLES, unfiltered
from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import (
    IndicatorValues,
    compute_indicator_table,
    compute_indicators,
)
from tne_dash.figures.metrics import CNFS_NOTE, explorer_kpis
from tne_dash.figures.scope import Scope
from tne_dash.screens.indicateurs.tables import (
    filters_heading,
    territory_table,
    unfiltered_columns,
    unfiltered_lines,
)
from tne_dash.screens.indicateurs.view import parse_indicateurs_view
from tne_dash.store.db import make_engine

TODAY = dt.date(2023, 4, 17)
PERIOD = {"from": "2022-09-01", "to": "2023-04-17"}
NOT_IN_A_COMMUNE = {"communes_engaged", "strategies_validated", "tne_departements"}


def test_a_workshop_filter_names_itself_on_every_indicator_it_does_not_change():
    notes = unfiltered(("workshops", "parents_ressources_recruited", "cnfs_posts",
                        "cnfs_posts_per_1000_inhabitants", "target_schools",
                        "communes_engaged"),
                       Filters(themes=("ent",), formats=("permanence",)))
    assert notes == {
        "parents_ressources_recruited": "non filtré par format d'atelier, thème",
        "cnfs_posts": "non filtré par format d'atelier, thème",
        "cnfs_posts_per_1000_inhabitants": "non filtré par format d'atelier, thème",
        "target_schools": "non filtré par format d'atelier, thème",
        "communes_engaged": "non filtré par format d'atelier, thème",
    }


def test_the_school_level_filters_target_schools_and_the_period_leaves_cnfs_alone():
    notes = unfiltered(CATALOGUE, Filters(date_from=dt.date(2022, 9, 1),
                                          date_to=TODAY, school_levels=("college",)))
    assert notes["target_schools"] == "non filtré par période"  # the level applies to it
    assert "target_schools_with_pcn" not in notes  # read at the end of the period
    assert notes["parents_ressources_recruited"] == "non filtré par niveau scolaire"
    assert notes["cnfs_posts"] == "non filtré par période, niveau scolaire"
    assert notes["tne_departements"] == "non filtré par période, niveau scolaire"
    assert not {code for code in notes if code.startswith("workshop")}


def test_no_active_filter_means_no_note():
    assert unfiltered(CATALOGUE, Filters()) == {}
    # Territory, REP/REP+ and demo filters apply to every indicator.
    assert unfiltered(CATALOGUE, Filters(departements=("95",), communes=("95063",),
                                         rep_only=True, include_demo=False)) == {}


@pytest.fixture
def one_commune(session):
    """Bezons: one ENT workshop in a collège, 2 Parents Ressources recruited, a CNFS
    structure of 2 posts, one target collège."""
    make_commune(session, "95063")
    make_workshop(session, make_venue(session, "95063", kind="college"), themes=("ent",))
    make_parents_ressources(session, "95063")
    make_cnfs_structure(session, "95063")
    make_school(session, "95063", level="college", strategy_target=True)
    session.commit()


def test_what_a_filter_does_not_apply_to_keeps_its_value_on_both_databases(engine,
                                                                           one_commune):
    scope = Scope("commune", "95063")
    cases = {"themes": ("pix",), "venue_kinds": ("mediatheque",), "school_levels": ("lycee",),
             "facilitator_kinds": ("partner",), "formats": ("permanence",),
             "phases": ("autonomie",)}
    with engine.connect() as conn:
        every = compute_indicators(conn, scope, Filters())
        assert (every["workshops"], every["parents_ressources_recruited"],
                every["cnfs_posts"], every["target_schools"]) == (1, 2, 2, 1)
        for name, chosen in cases.items():
            filters = Filters(**{name: chosen})
            narrowed = compute_indicators(conn, scope, filters)
            notes = unfiltered(CATALOGUE, filters)
            assert narrowed["workshops"] == 0, name  # the filter applies to workshops
            assert "workshops" not in notes
            assert {code: narrowed[code] for code in notes} == {
                code: every[code] for code in notes}, name
            assert (narrowed["parents_ressources_recruited"], narrowed["cnfs_posts"]) == (2, 2)
            # The school level keeps the target schools of its level: no lycée here.
            assert narrowed["target_schools"] == (0 if name == "school_levels" else 1), name


def test_on_the_demo_database_no_indicator_said_unfiltered_moves_with_its_filter(built_db_url):
    scope = Scope("departement", "95")
    period = Filters(date_from=dt.date(2022, 9, 1), date_to=TODAY)
    engine = make_engine(built_db_url)
    with engine.connect() as conn:
        base = compute_indicators(conn, scope, period)
        for name, chosen in {"themes": ("ent",), "formats": ("cafe_des_parents",),
                             "venue_kinds": ("college",), "facilitator_kinds": ("cnfs",),
                             "phases": ("autonomie",), "school_levels": ("ecole",)}.items():
            filters = Filters(date_from=period.date_from, date_to=period.date_to,
                              **{name: chosen})
            narrowed = compute_indicators(conn, scope, filters)
            title = FILTER_TITLES[name].lower()
            named = [c for c, note in unfiltered(CATALOGUE, filters).items() if title in note]
            assert narrowed["workshops"] < base["workshops"], name
            assert "parents_ressources_recruited" in named
            assert {c: narrowed[c] for c in named} == {c: base[c] for c in named}, name
        earlier = compute_indicators(conn, scope, Filters(date_from=dt.date(2021, 9, 1),
                                                          date_to=dt.date(2021, 12, 31)))
    engine.dispose()
    period_free = [c for c, note in unfiltered(CATALOGUE, period).items()
                   if "période" in note]
    assert sorted(period_free) == ["cnfs_posts", "cnfs_posts_per_1000_inhabitants",
                                   "cnfs_structures", "target_schools", "tne_departements"]
    assert {c: earlier[c] for c in period_free} == {c: base[c] for c in period_free}


def test_tiles_a_filter_does_not_apply_to_say_so_before_their_own_note():
    values = IndicatorValues(
        Scope("tne"), Filters(date_from=dt.date(2022, 9, 1), date_to=TODAY, themes=("ent",)),
        {"workshops": 0, "participations": 0, "parents_reached": 0, "workshop_hours": 0.0,
         "parents_ressources_recruited": 111, "cnfs_posts": 50, "venues": 0}, 1_000, False)
    tiles = {k.code: k for k in explorer_kpis(values, None, "Évolution par rapport au …")}
    assert "Non filtré par thème" in tiles["parents_ressources_recruited"].note
    assert tiles["parents_ressources_recruited"].note.endswith("Évolution par rapport au …")
    assert "**Non filtré par période, thème**" in tiles["cnfs_posts"].note
    assert tiles["cnfs_posts"].note.endswith(CNFS_NOTE)
    assert tiles["workshops"].note == "Évolution par rapport au …"
    assert tiles["venues"].note == "Évolution par rapport au …"


def test_the_territory_export_names_its_unfiltered_columns(built_db_url):
    view = parse_indicateurs_view({"dep": "95", "theme": "ent", **PERIOD}, TODAY,
                                  {"95"}, set())
    engine = make_engine(built_db_url)
    with engine.connect() as conn:
        table = compute_indicator_table(conn, view.scope, view.filters, level="departement")
    engine.dispose()
    frame = territory_table(table, pd.DataFrame(), "departement", TODAY, exact=True)
    notes = unfiltered_columns(frame.columns, view.filters, TODAY)
    assert notes == {"Parents Ressources recrutés": "non filtré par thème",
                     "Parents Ressources actifs": "non filtré par thème",
                     "Postes de conseillers numériques": "non filtré par période, thème"}
    heading = [*filters_heading(view, {"95": "Val-d'Oise"}, demo=True, exact=True),
               *unfiltered_lines(notes)]
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(frame, "Indicateurs", heading))).active
    rows = [[c.value for c in row][:2] for row in sheet.iter_rows()]
    assert ["Colonnes non filtrées", "Parents Ressources recrutés, Parents Ressources "
            "actifs : non filtré par thème"] in rows
    assert ["Colonnes non filtrées", "Postes de conseillers numériques : non filtré par "
            "période, thème"] in rows
    objective = "% objectif ateliers 2022-2023"
    assert unfiltered_columns([objective], view.filters, TODAY) == {
        objective: "non filtré par thème (tous les ateliers de l'année scolaire)"}


def test_filters_keeping_no_workshop_say_so_and_mark_what_they_do_not_filter(app_env):
    at = open_page("indicateurs.py", dep="95", lieu="lycee", **PERIOD)  # no workshop in a lycée
    assert not at.exception
    infos = " ".join(shown(at.info))
    assert "Aucun atelier ne correspond à ces filtres" in infos
    assert "Aucune activité pour ces filtres" not in infos
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Ateliers"] == "0"
    assert tiles["Parents Ressources recrutés"] != "0"
    captions = [c.value for c in at.caption]
    marked = sorted(c.split("**")[1] for c in captions if c.startswith(":material/filter_alt_off:"))
    # Parents Ressources recrutés, then Postes CNFS (the ANCT file, whatever the period).
    assert marked == ["Non filtré par période, type de lieu", "Non filtré par type de lieu"]
    assert any(c.startswith("Colonnes non filtrées") and "Parents Ressources recrutés, "
               "Parents Ressources actifs : non filtré par type de lieu" in c
               for c in captions)
    assert at.multiselect(key="f_animateur").label == "Animateur"


def test_a_period_without_any_activity_still_says_no_activity(app_env):
    at = open_page("indicateurs.py", dep="95", **{"from": "2019-01-01", "to": "2019-03-31"})
    infos = shown(at.info)
    assert "Aucune activité pour ces filtres." in infos  # no workshop filter to blame
    assert not any("non filtré par" in i for i in infos)
    # The open breakdown says so, and so does each other one when it is chosen.
    assert infos.count("Aucun atelier ne correspond à ces filtres.") == 1
    for label in other_breakdown_tabs(at):
        assert shown(at.info).count("Aucun atelier ne correspond à ces filtres.") == 1, label


def cli(capsys, url: str, *args: str) -> tuple[int, str, str]:
    code = main(["indicators", "--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, url: str, *args: str) -> dict:
    code, out, _ = cli(capsys, url, "--format", "json", *args)
    assert code == 0
    return json.loads(out)


def query(**params: str) -> str:
    return "http://localhost:8501/indicateurs?" + "&".join(f"{k}={v}" for k, v in
                                                           params.items())


def test_the_cli_names_what_the_filters_do_not_change(capsys, built_db_url):
    payload = cli_json(capsys, built_db_url, "--query", query(dep="95", theme="ent", **PERIOD))
    assert list(payload)[:5] == ["scope", "from", "to", "indicators", "demo"]
    notes = payload["non_filtres"]
    assert notes["parents_ressources_recruited"] == "non filtré par thème"
    assert notes["cnfs_posts"] == "non filtré par période, thème"
    assert notes["communes_engaged"] == "non filtré par thème"
    assert not {c for c in notes if c.startswith(("workshop", "participations", "venues"))}
    assert "non_filtres" not in cli_json(capsys, built_db_url, "--scope", "tne")
    code, out, _ = cli(capsys, built_db_url, "--query", query(dep="95", theme="ent", **PERIOD))
    assert code == 0
    line = next(ln for ln in out.splitlines()
                if re.search(r"\sparents_ressources_recruited\s", ln))
    assert line.startswith("Parents Ressources recrutés ")
    assert line.endswith("parents_ressources_recruited  (non filtré par thème)")


def test_a_commune_gets_null_and_a_reason_for_what_does_not_apply_to_it(capsys, built_db_url):
    payload = cli_json(capsys, built_db_url, "--scope", "commune:95063", "--to", "2023-04-17")
    assert set(payload["non_applicables"]) == NOT_IN_A_COMMUNE
    assert payload["non_applicables"]["communes_engaged"] == (
        "ne s'applique pas à une commune (seulement à la France entière, aux 12 départements "
        "TNE ou à un département)")
    assert {c: payload["indicators"][c] for c in NOT_IN_A_COMMUNE} == dict.fromkeys(
        NOT_IN_A_COMMUNE)
    assert set(payload["indicators"]) == set(CATALOGUE)  # every code, as before
    assert payload["indicators"]["workshops"] == 50
    assert not NOT_IN_A_COMMUNE & set(payload["non_filtres"])
    code, out, _ = cli(capsys, built_db_url, "--scope", "commune:95063")
    assert code == 0
    assert "Communes engagées" not in out and "tne_departements" not in out
    assert "strategies_validated" not in out and "workshops" in out
    code, out, _ = cli(capsys, built_db_url, "--scope", "commune:95063", "--format", "csv")
    assert not any(line.startswith("communes_engaged,") for line in out.splitlines())
    assert "non_applicables" not in cli_json(capsys, built_db_url, "--scope", "tne")


ADDITIVE = ("workshops", "participations", "parents_reached", "children_reached",
            "workshop_hours", "venues", "parents_ressources_recruited",
            "parents_ressources_active", "parents_ressources_meetings", "cnfs_posts",
            "cnfs_structures", "target_schools", "target_schools_with_pcn")


def test_par_commune_gives_one_object_per_commune_adding_up_to_the_total(capsys,
                                                                         built_db_url):
    payload = cli_json(capsys, built_db_url, "--query",
                       query(dep="95", theme="ent", par="commune", **PERIOD))
    groups = payload["groupes"]
    assert payload["par"] == "commune"
    assert len(groups) == len({g["code"] for g in groups}) > 100
    assert all(g["code"].startswith("95") for g in groups)
    bezons = next(g for g in groups if g["code"] == "95063")
    assert bezons["nom"] == "Bezons"
    assert bezons["indicators"]["communes_engaged"] is None
    assert set(bezons["non_applicables"]) == NOT_IN_A_COMMUNE
    total = payload["indicators"]
    assert total["workshops"] > 0
    for code in ADDITIVE:
        assert sum(g["indicators"][code] for g in groups) == pytest.approx(total[code]), code


def test_par_departement_and_epci_group_too_and_an_unknown_par_is_refused(capsys,
                                                                          built_db_url):
    payload = cli_json(capsys, built_db_url, "--query",
                       query(dep="95,86", par="departement", **PERIOD))
    groups = {g["code"]: g for g in payload["groupes"]}
    assert set(groups) == {"86", "95"}
    for code in (*ADDITIVE, "communes_engaged", "strategies_validated", "tne_departements"):
        assert sum(g["indicators"][code] for g in groups.values()) == pytest.approx(
            payload["indicators"][code]), code
    epci = cli_json(capsys, built_db_url, "--query", query(dep="95", par="epci", **PERIOD))
    assert all(g["indicators"]["strategies_validated"] is None for g in epci["groupes"])
    assert sum(g["indicators"]["workshops"] for g in epci["groupes"]) == epci["indicators"][
        "workshops"]
    no_par = cli_json(capsys, built_db_url, "--query", query(dep="95", **PERIOD))
    assert "groupes" not in no_par and "par" not in no_par
    code, out, err = cli(capsys, built_db_url, "--query", query(dep="95", par="region"))
    assert (code, out) == (2, "")
    assert err.strip() == ("Erreur : Regroupement inconnu pour par : « region » — attendu "
                           "departement, epci, commune.")
    code, out, _ = cli(capsys, built_db_url, "--format", "csv", "--query",
                       query(dep="95,86", par="departement", **PERIOD))
    lines = out.splitlines()
    assert lines[0] == "groupe,nom,code,libelle,valeur,unite"
    assert any(line.startswith("86,Vienne,cnfs_posts,") for line in lines)
