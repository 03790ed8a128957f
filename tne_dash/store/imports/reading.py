"""Reading what French users actually produce: CSV in any usual dialect, or XLSX.

CSV: ``,`` ``;`` or tab separators, UTF-8 with or without BOM, UTF-16 (Excel « texte
Unicode ») or Windows-1252. XLSX: the first sheet, or a named one. Rows keep the number the
spreadsheet shows, blank rows are skipped, and limits on size and rows are checked first.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tne_dash.labels import format_number
from tne_dash.store.imports.problems import FileRefused, Problem
from tne_dash.text import fold

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
SEPARATORS = (";", "\t", ",")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 50_000


@dataclass(frozen=True)
class RawRow:
    number: int  # as the spreadsheet shows it (header row included)
    cells: dict[str, object]  # header key → cell value (None when empty)


@dataclass(frozen=True)
class RawTable:
    file_name: str
    headers: dict[str, str]  # header key → header as written in the file
    rows: list[RawRow]


def header_key(text: object) -> str:
    """How a header is matched: accents, case, punctuation and spacing ignored."""
    return fold(str(text or "").replace("’", "'"))


def read_table(file_name: str, content: bytes, limits: Limits,
               is_header: Callable[[Sequence[object]], bool] | None = None,
               sheet: str | None = None) -> RawTable:
    """The header row and data rows of a CSV or XLSX file; FileRefused when unreadable."""
    if len(content) > limits.max_bytes:
        raise FileRefused([Problem(
            file_name, f"fichier trop volumineux ({_megabytes(len(content))}) — limite "
                       f"{_megabytes(limits.max_bytes)}")])
    if not content.strip():
        raise FileRefused([Problem(file_name, "fichier vide — attendu une ligne d'en-têtes "
                                              "puis au moins une ligne de données")])
    if content.startswith(OLE_MAGIC):
        raise FileRefused([Problem(file_name, "format .xls (Excel 97-2003) non pris en "
                                              "charge — enregistrez le fichier en .xlsx ou .csv")])
    lines = _xlsx_rows(file_name, content, sheet) if content.startswith(ZIP_MAGIC) else \
        _csv_rows(file_name, content)
    return _table(file_name, lines, limits, is_header or _first_non_blank)


def _megabytes(size: int) -> str:
    return f"{format_number(size / 1024 / 1024, 1)} Mo"


def _first_non_blank(values: Sequence[object]) -> bool:
    return any(_present(v) for v in values)


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _table(file_name: str, lines, limits: Limits, is_header) -> RawTable:
    header: list[str] | None = None
    keys: list[str] = []
    rows: list[RawRow] = []
    for number, values in lines:
        if header is None:
            if is_header(values):
                header = [str(v).strip() if v is not None else "" for v in values]
                keys = [header_key(h) for h in header]  # folded once, not once per row
            continue
        if not any(_present(v) for v in values):
            continue
        if len(rows) >= limits.max_rows:
            raise FileRefused([Problem(
                file_name, f"trop de lignes — limite {format_number(limits.max_rows)} lignes "
                           "de données par fichier : découpez-le")])
        cells = {}
        for key, value in zip(keys, values, strict=False):
            if key:
                cells[key] = _clean(value)
        rows.append(RawRow(number, cells))
    if header is None:
        raise FileRefused([Problem(file_name, "ligne d'en-têtes introuvable")])
    if not rows:
        raise FileRefused([Problem(file_name, "aucune ligne de données sous les en-têtes")])
    return RawTable(file_name, {k: h for k, h in zip(keys, header, strict=True) if k}, rows)


def _clean(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_rows(file_name: str, content: bytes):
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    separator = max(SEPARATORS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        # Row numbers count records, as a spreadsheet shows them (a quoted line break
        # inside a cell stays in its row).
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise FileRefused([Problem(file_name, f"CSV illisible ({exc})")]) from exc


def _xlsx_rows(file_name: str, content: bytes, sheet: str | None):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused([Problem(file_name, "classeur illisible — attendu un fichier .xlsx "
                                              "(ou .csv)")]) from exc
    try:
        names = workbook.sheetnames
        chosen = sheet if sheet in names else names[0]
        for number, values in enumerate(workbook[chosen].iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()
