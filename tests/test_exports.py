"""Exports open right in French Excel and never run a formula."""

from __future__ import annotations

import io

import pandas as pd

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
