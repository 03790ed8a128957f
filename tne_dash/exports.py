"""Table exports that spreadsheets open safely and correctly in French settings."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is run as a formula by spreadsheet software.
FORMULA_PREFIXES = ("=", "+", "-", "@")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that start like a formula with an apostrophe; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_PREFIXES)
                else v)
    return out


def to_csv_bytes(frame: pd.DataFrame, sep: str = ";") -> bytes:
    """CSV in UTF-8 with BOM, ``;`` separator and decimal comma: French Excel opens it right."""
    return neutralise_formulas(frame).to_csv(index=False, sep=sep, decimal=",").encode(
        "utf-8-sig")
