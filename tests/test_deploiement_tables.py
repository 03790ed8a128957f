"""The Déploiement tables and sentences: French headers, numbers kept, small counts masked."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tne_dash.figures.filters import Filters
from tne_dash.figures.indicators import IndicatorValues
from tne_dash.figures.objectives import ObjectivesProgress
from tne_dash.figures.objectives_table import (
    objectives_frame,
    objectives_heading,
    objectives_summary,
)
from tne_dash.figures.scope import Scope
from tne_dash.html_tables import Share
from tne_dash.periods import parse_period
from tne_dash.screens.deploiement.tables import (
    objectives_display,
    objectives_shown,
    progress_summary,
)

YEAR = parse_period("2022-2023")


def progress(scope: Scope, demo: bool = False) -> ObjectivesProgress:
    table = pd.DataFrame([
        {"indicator": "workshops", "label": "Ateliers", "unit": "ateliers", "decimals": 0,
         "target": 10.0, "achieved": 3, "pct_reached": 30.0, "status": "en_retard",
         "source": "form"},
        {"indicator": "parents_reached", "label": "Parents touchés", "unit": "parents",
         "decimals": 0, "target": 20.0, "achieved": 3, "pct_reached": 15.0,
         "status": "en_retard", "source": "demo" if demo else "form"},
    ])
    values = IndicatorValues(scope, Filters(), {}, 0, demo)
    return ObjectivesProgress(scope, YEAR, dt.date(2023, 3, 1), 0.5, table, values)


def test_the_public_sees_small_counts_of_people_of_a_commune_masked_with_their_share():
    frame = objectives_frame(progress(Scope("commune", "95063")), exact=False)
    rows = frame.set_index("Code")
    assert rows.loc["workshops", ["Réalisé", "% atteint"]].tolist() == [3.0, 30.0]
    assert rows.loc["parents_reached", ["Réalisé", "% atteint"]].tolist() == ["< 5", "< 5"]
    assert list(frame.columns[:4]) == ["Indicateur", "Unité", "Objectif", "Réalisé"]
    assert rows.at["parents_reached", "Attendu à date (%)"] == 50.0


def test_the_page_shows_the_objectives_the_french_way_with_a_dash_for_a_hidden_count():
    frame = objectives_display(objectives_frame(progress(Scope("commune", "95063")),
                                                exact=False))
    shown = objectives_shown(frame).set_index("Code")
    assert shown.at["workshops", "Réalisé"] == "3" and shown.at["workshops", "Objectif"] == "10"
    assert shown.at["workshops", "% atteint"] == Share(30.0, "30,0\u202f%")
    assert shown.at["parents_reached", "Réalisé"] == "—"  # « < 5 » for the public: hidden
    assert shown.at["parents_reached", "% atteint"] == "—"
    assert shown.at["parents_reached", "Effectifs masqués"] == "Réalisé : < 5"
    assert shown.at["workshops", "Attendu à date (%)"] == "50"
    big = frame.assign(Objectif=[1234.5, 20.0])
    assert objectives_shown(big).at[0, "Objectif"] == "1\u202f234,5"


def test_editors_and_departement_totals_see_exact_counts():
    exact = objectives_frame(progress(Scope("commune", "95063")), exact=True)
    assert exact.set_index("Code").at["parents_reached", "Réalisé"] == 3.0
    above = objectives_frame(progress(Scope("departement", "95")), exact=False)
    assert above.set_index("Code").at["parents_reached", "Réalisé"] == 3.0


def test_the_summary_and_the_export_heading_say_what_when_and_where():
    p = progress(Scope("departement", "95"), demo=True)
    assert objectives_summary(p) == (
        "2 objectifs en 2022-2023 au 1er mars 2023 (50\u202f% de l'année écoulée) : "
        "2 en retard.")
    assert objectives_heading("Val-d'Oise (95)", p) == [
        ("Périmètre", "Val-d'Oise (95)"), ("Année scolaire", "2022-2023"),
        ("Situation au", "1er mars 2023"), ("Part de l'année écoulée", "50,0\u202f%"),
        ("Avertissement", "Données de démonstration")]


def test_the_progress_sentence_reads_the_last_point_against_the_objective():
    points = pd.DataFrame({"indicator": ["workshops"], "label": ["Ateliers"],
                           "date": [dt.date(2023, 4, 17)], "value": [28.0],
                           "target": [30.0], "expected": [18.8], "demo": [True]})
    assert progress_summary(points, "ateliers", 0, exact=False, commune_level=True) == (
        "28 au 17 avril 2023 pour un objectif de 30 (93,3\u202f%) ; rythme attendu à cette "
        "date : 19.")
    people = points.assign(indicator="parents_reached", value=2.0)
    assert progress_summary(people, "parents", 0, exact=False, commune_level=True) \
        .startswith("< 5 au 17 avril 2023 pour un objectif de 30 ;")


def test_the_objectives_export_opens_in_a_spreadsheet_with_numbers_and_its_heading():
    import io

    from openpyxl import load_workbook

    from tne_dash.exports import to_xlsx_bytes

    p = progress(Scope("commune", "95063"))
    frame = objectives_frame(p, exact=False)
    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(
        frame, "Objectifs", objectives_heading("Bezons (95)", p)))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Périmètre", "Bezons (95)")
    header = rows.index(tuple(frame.columns))
    ateliers, parents = rows[header + 1], rows[header + 2]
    assert (ateliers[0], ateliers[2], ateliers[3], ateliers[4]) == ("Ateliers", 10, 3, 30)
    assert (parents[3], parents[4]) == ("< 5", "< 5")  # masked stays masked
