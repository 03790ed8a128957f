"""Reading what French users actually produce: CSV in any usual dialect, or XLSX.

CSV: ``,`` ``;`` or tab separators, UTF-8 with or without BOM, UTF-16 (Excel « texte
Unicode ») or Windows-1252. XLSX: the first sheet, or a named one. Rows keep the number the
spreadsheet shows, blank rows are skipped, and limits on size and rows are checked first.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from tne_dash.labels import format_number
from tne_dash.store.imports.problems import FileRefused, Problem
from tne_dash.text import fold

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
SEPARATORS = (";", "\t", ",")


@dataclass(frozen=True)
class Limits:
    """What a file may hold; everything is counted as it is read, so a hostile file stops
    early (a refused file is refused within seconds)."""

    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 50_000
    # Rows read, blank ones included, beyond the data rows (title lines, header, blank lines).
    extra_rows: int = 1_000
    max_columns: int = 200
    # An XLSX is a zip: what it holds once inflated, all members together.
    max_inflated_bytes: int = 200 * 1024 * 1024
    max_members: int = 1_000

    @property
    def max_read_rows(self) -> int:
        return self.max_rows + self.extra_rows


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
    if content.startswith(ZIP_MAGIC):
        _check_workbook(file_name, content, limits)
        lines = _xlsx_rows(file_name, content, sheet)
    else:
        lines = _csv_rows(file_name, content)
    return _table(file_name, _bounded(file_name, lines, limits), limits,
                  is_header or _first_non_blank)


def _refused(file_name: str, reason: str) -> FileRefused:
    return FileRefused([Problem(file_name, reason)])


def _too_many_rows(file_name: str, limits: Limits, read: bool = True) -> FileRefused:
    """Too many data rows, or (``read``) too many rows read, blank ones included."""
    blank = (f" (lignes vides comprises, à {format_number(limits.extra_rows)} près)"
             if read else "")
    return _refused(file_name, f"trop de lignes — limite {format_number(limits.max_rows)} "
                               f"lignes de données par fichier{blank} : découpez-le")


def _too_many_columns(file_name: str, limits: Limits, number: int) -> FileRefused:
    return _refused(file_name, f"ligne {format_number(number)} : trop de cellules — limite "
                               f"{format_number(limits.max_columns)} colonnes")


def _bounded(file_name: str, lines, limits: Limits):
    """The rows as read, stopped at the first one beyond the limits (blank rows count)."""
    for number, values in lines:
        if number > limits.max_read_rows:
            raise _too_many_rows(file_name, limits)
        if len(values) > limits.max_columns:
            # Trailing empty cells of a spreadsheet row are not cells of the table.
            while values and not _present(values[-1]):
                values = values[:-1]
            if len(values) > limits.max_columns:
                raise _too_many_columns(file_name, limits, number)
        yield number, values


def _check_workbook(file_name: str, content: bytes, limits: Limits) -> None:
    """Refuse an XLSX whose zip or worksheets exceed the limits, before openpyxl reads it.

    openpyxl fills every gap between row numbers (``r="99999999999"`` alone would keep it
    busy for hours) and inflates whatever the zip holds; the worksheets are scanned here as a
    stream, with the row numbers and cells per row checked as they come.
    """
    unreadable = _refused(file_name, "classeur illisible — attendu un fichier .xlsx (ou .csv)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise unreadable from exc
    if len(members) > limits.max_members or \
            sum(m.file_size for m in members) > limits.max_inflated_bytes:
        raise _refused(file_name, "classeur trop volumineux une fois décompressé — limite "
                                  f"{_megabytes(limits.max_inflated_bytes)}")
    sheets = [m for m in members if m.filename.startswith("xl/worksheets/")
              and m.filename.endswith(".xml")]
    try:
        for member in sheets:
            with archive.open(member) as stream:
                _scan_sheet(file_name, stream, limits)
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 — any parser failure on a hostile file: refused
        raise _refused(file_name, "classeur illisible (XML de la feuille invalide) — "
                                  "enregistrez-le à nouveau depuis le tableur") from exc


def _scan_sheet(file_name: str, stream, limits: Limits) -> None:
    rows = cells = 0
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "row" and event == "start":
            rows, cells = rows + 1, 0
            number = element.get("r")
            if rows > limits.max_read_rows or (number is not None and (
                    not number.isdigit() or int(number) > limits.max_read_rows)):
                raise _too_many_rows(file_name, limits)
        elif tag == "c" and event == "end":
            cells += 1
            if cells > limits.max_columns or \
                    _column_index(element.get("r") or "A") > limits.max_columns:
                raise _too_many_columns(file_name, limits, rows)
            element.clear()
        elif tag == "row" and event == "end":
            element.clear()


def _column_index(reference: str) -> int:
    """« AB12 » → 28; anything unexpected counts as too far right."""
    letters = reference.rstrip("0123456789")
    if not letters.isalpha() or not letters.isascii() or len(letters) > 3:
        return 1 << 30
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


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
            raise _too_many_rows(file_name, limits, read=False)
        cells = {}
        for key, value in zip(keys, values, strict=False):
            if key:
                cells[key] = _clean(value)
                if isinstance(value, str) and "\x00" in value:
                    raise _refused(file_name, f"ligne {format_number(number)} : caractère NUL "
                                              "(0x00) dans une cellule — fichier abîmé ?")
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


def _decode(file_name: str, content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _refused(file_name, "texte UTF-16 tronqué ou illisible — enregistrez le "
                                      "fichier en CSV UTF-8") from exc
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _csv_rows(file_name: str, content: bytes):
    text = _decode(file_name, content)
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

    unreadable = "classeur illisible — attendu un fichier .xlsx (ou .csv)"
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — any failure on a hostile workbook: refused
        raise _refused(file_name, unreadable) from exc
    try:
        names = workbook.sheetnames
        chosen = sheet if sheet in names else names[0]
        rows = workbook[chosen].iter_rows(values_only=True)
        for number in itertools.count(1):
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 — a bad cell, style or shared string
                raise _refused(file_name, f"{unreadable} (ligne {number})") from exc
            yield number, [_finite(v) for v in values]
    finally:
        workbook.close()


def _finite(value: object) -> object:
    """A spreadsheet cell as a value: NaN and infinities become text, which no parser
    accepts as a number (so the row is refused with the cell named)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
