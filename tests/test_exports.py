"""Exports open right in French Excel and never run a formula."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tne_dash.exports import neutralise_formulas, to_csv_bytes


def test_leading_formula_characters_are_neutralised_and_numbers_kept():
    frame = pd.DataFrame({"Commune": ["=HYPERLINK(\"x\")", "+33", "-x", "@SUM(A1)", "Bezons"],
                          "Ateliers": [1, 2, 3, 4, 50]})
    out = neutralise_formulas(frame)
    assert list(out["Commune"]) == ["'=HYPERLINK(\"x\")", "'+33", "'-x", "'@SUM(A1)", "Bezons"]
    assert list(out["Ateliers"]) == [1, 2, 3, 4, 50]


def test_csv_has_a_bom_semicolons_and_decimal_commas():
    frame = pd.DataFrame({"Commune": ["Bezons", "=1+1"], "Pour 1 000 hab.": [1.5, 2.25]})
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back.columns) == ["Commune", "Pour 1 000 hab."]
    assert list(back["Commune"]) == ["Bezons", "'=1+1"]
    assert list(back["Pour 1 000 hab."]) == [1.5, 2.25]


def test_xlsx_keeps_numbers_as_numbers_neutralises_formulas_and_writes_the_heading():
    from openpyxl import load_workbook

    from tne_dash.exports import to_xlsx_bytes

    frame = pd.DataFrame({"Indicateur": ["Ateliers", "=cmd|' /C calc'!A0", "@SUM(A1)"],
                          "Objectif": [30.0, 20.0, 12.5], "Réalisé": [28, 3, 0],
                          "% atteint": [93.3, None, 0.0], "Statut": ["En bonne voie", "-", "+"]})
    data = to_xlsx_bytes(frame, "Objectifs", [("Périmètre", "Bezons (95)"),
                                              ("Remarque", "=1+1")])
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Objectifs"
    assert rows[0][:2] == ("Périmètre", "Bezons (95)")
    assert rows[1][:2] == ("Remarque", "'=1+1")
    assert all(v is None for v in rows[2])  # a blank row between heading and table
    assert rows[3] == ("Indicateur", "Objectif", "Réalisé", "% atteint", "Statut")
    assert rows[4] == ("Ateliers", 30.0, 28, 93.3, "En bonne voie")
    assert rows[5] == ("'=cmd|' /C calc'!A0", 20.0, 3, None, "'-")
    assert rows[6] == ("'@SUM(A1)", 12.5, 0, 0.0, "'+")
    assert all(isinstance(v, int | float) for row in rows[4:] for v in row[1:3])
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@"))
                   for row in rows for v in row)


@pytest.mark.parametrize("text", ["\t=1+1", "\r=1+1", "\t@SUM(A1)"])
def test_a_leading_tab_or_carriage_return_is_neutralised_like_a_formula(text):
    frame = pd.DataFrame({"Nom": [text]})
    assert neutralise_formulas(frame).at[0, "Nom"] == "'" + text
    assert ("'" + text).encode("utf-8") in to_csv_bytes(frame)
