"""Table exports that spreadsheets open safely and correctly in French settings."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import pandas as pd

# A cell starting with one of these is run as a formula by spreadsheet software (a leading
# tab or carriage return hides the character that follows it from a first check).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that start like a formula with an apostrophe; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_PREFIXES)
                else v)
    return out


def to_csv_bytes(frame: pd.DataFrame, sep: str = ";",
                 heading: Sequence[tuple[str, str]] = ()) -> bytes:
    """CSV in UTF-8 with BOM, ``;`` separator and decimal comma: French Excel opens it right.
    With the ``,`` separator (other tools), the decimal point is a dot. ``heading`` lines
    (« Motifs ; Activité en baisse » …) come first, then a blank line, then the table, as in
    ``to_xlsx_bytes``."""
    decimal = "," if sep == ";" else "."
    table = neutralise_formulas(frame).to_csv(index=False, sep=sep, decimal=decimal)
    if heading:
        lines = neutralise_formulas(pd.DataFrame([list(line) for line in heading]))
        table = lines.to_csv(index=False, header=False, sep=sep) + "\n" + table
    return table.encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Tableau",
                  heading: Sequence[tuple[str, str]] = ()) -> bytes:
    """An XLSX workbook: ``heading`` lines (« Périmètre : Bezons (95) » …) first, a blank row,
    then the table with bold French headers. Numbers stay numbers (one decimal when they have
    some); text cells that start like a formula are neutralised. openpyxl is loaded here, at
    the first workbook asked (the pages make their files on click: a page view does not load
    it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    for label, value in heading:
        ws.append([_safe(label), _safe(value)])
        ws.cell(ws.max_row, 1).font = bold
    if heading:
        ws.append([])
    ws.append([_safe(str(c)) for c in frame.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
    for row in neutralise_formulas(frame).itertuples(index=False):
        ws.append([_cell(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.0"
            elif isinstance(cell.value, int):
                cell.number_format = "#,##0"
    for index, column in enumerate(frame.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        ws.column_dimensions[get_column_letter(index)].width = min(60, max(10, width + 2))
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _cell(value):
    """A pandas value as an openpyxl cell value: NaN/None empty, numpy numbers as Python."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value
