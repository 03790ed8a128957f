"""Hostile import files, generated (the large ones would bloat the repository): each one made
a server busy for minutes, or showed a traceback, before the reading limits."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

HEADER = ("date", "code_insee", "lieu", "type_lieu", "phase", "format", "thematiques",
          "duree_minutes", "animateur", "nb_parents", "nb_nouveaux_parents", "nb_enfants",
          "reference")
GOOD_ROW = ("12/03/2024", "95063", "Médiathèque", "médiathèque", "acculturation",
            "atelier collectif", "ENT", "90", "CNFS", "12", "7", "3", "BEZ-001")
SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes() -> bytes:
    """A valid workshop template: the header and one good row."""
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(GOOD_ROW)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_members(replacements: dict[str, bytes], base: bytes | None = None) -> bytes:
    """A copy of a workbook with some zip members replaced."""
    source = zipfile.ZipFile(io.BytesIO(base or workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, replacements.get(item.filename,
                                                            source.read(item.filename)))
    return out.getvalue()


def sheet_xml(rows: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData>'
            f"</worksheet>").encode()


def inline_row(number: int, values: tuple[str, ...]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def sheet_with(extra_rows: str, prolog: str = "") -> bytes:
    """A workbook whose sheet holds the header, the good row, then ``extra_rows``."""
    rows = inline_row(1, HEADER) + inline_row(2, GOOD_ROW) + extra_rows
    return with_members({SHEET: sheet_xml(rows, prolog)})


def far_row_number() -> bytes:
    return sheet_with('<row r="99999999999"><c r="A99999999999" t="inlineStr"><is><t>x</t>'
                      '</is></c></row>')


def blank_rows(count: int) -> bytes:
    return sheet_with("".join(f'<row r="{n}"/>' for n in range(3, 3 + count)))


def wide_row(cells: int) -> bytes:
    return sheet_with('<row r="3">' + "<c><v>1</v></c>" * cells + "</row>")


def entity_expansion() -> bytes:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    return sheet_with(inline_row(3, ("&i;",) * 13), f"<!DOCTYPE worksheet [{entities}]>")


def external_entity() -> bytes:
    return sheet_with(inline_row(3, ("&ext;",) * 13),
                      '<!DOCTYPE worksheet [<!ENTITY ext SYSTEM "file:///etc/passwd">]>')


def truncated_xml() -> bytes:
    return with_members({SHEET: sheet_xml(inline_row(1, HEADER))[:-40]})


def bad_shared_string() -> bytes:
    return sheet_with('<row r="3"><c r="A3" t="s"><v>9999</v></c></row>')


def bad_cell_reference() -> bytes:
    return sheet_with('<row r="3"><c r="!!"><v>1</v></c></row>')


def nan_value() -> bytes:
    cells = "".join(f'<c r="{chr(65 + i)}3" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(GOOD_ROW[:9]))
    return sheet_with(f'<row r="3">{cells}<c r="J3"><v>NaN</v></c></row>')


def broken_styles() -> bytes:
    return with_members({"xl/styles.xml": b"<styleSheet><numFmts count='1'><numFmt/>"})


def odd_utf16() -> bytes:
    return ";".join(HEADER).encode("utf-16") + b"\x00"


def huge_integer_csv() -> bytes:
    row = list(GOOD_ROW)
    row[9] = "9223372036854775807"
    return ("\n".join([";".join(HEADER), ";".join(row)]) + "\n").encode()


def csv_blank_lines(count: int) -> bytes:
    return (";".join(HEADER) + "\n" + ";".join(GOOD_ROW) + "\n" + "\n" * count).encode()


def csv_wide_row(cells: int) -> bytes:
    return (";".join(HEADER) + "\n" + ";".join(GOOD_ROW) + "\n" + "1;" * cells + "\n").encode()
