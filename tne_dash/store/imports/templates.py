"""Downloadable XLSX templates: the columns, drop-down lists and an example row.

Sheet 1 is the one to fill (header row, drop-downs on the closed lists); « Exemple » shows a
filled row; « Listes » holds the accepted labels. Only the first sheet is imported.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tne_dash.store.imports import choices, objectives, parents_ressources, workshops
from tne_dash.store.imports.service import ImportKind

FILLED_ROWS = 2000  # rows of the first sheet that carry the drop-downs
HEADER_FILL = PatternFill("solid", fgColor="000091")  # bleu France
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _workshop_example() -> list:
    return [dt.date(2024, 3, 12), "95063", "Médiathèque Maupassant", "médiathèque",
            "parents ressources", "café des parents", "ENT|suivi de la scolarité", "1h30",
            "CNFS", 12, 7, 3, "BEZ-2024-001"]


SPECS = {
    ImportKind.WORKSHOPS: {
        "sheet": "Ateliers", "columns": workshops.COLUMNS, "example": _workshop_example(),
        "lists": {"type_lieu": choices.VENUE_KINDS.labels, "phase": choices.PHASES.labels,
                  "format": choices.FORMATS.labels, "animateur": choices.FACILITATORS.labels,
                  "thematiques": choices.THEMES.labels},
        # The theme cell may hold several themes separated by « | »: list shown, not enforced.
        "free": {"thematiques"},
    },
    ImportKind.PARENTS_RESSOURCES: {
        "sheet": "Parents Ressources", "columns": parents_ressources.COLUMNS,
        "example": ["95063", dt.date(2023, 9, 1), dt.date(2023, 12, 31), 6, 5, 3],
        "lists": {}, "free": set(),
    },
    ImportKind.OBJECTIVES: {
        "sheet": "Objectifs", "columns": objectives.COLUMNS,
        "example": ["commune", "95063", "2024-2025", "workshops", 25],
        "lists": {"perimetre": ["national", "departement", "commune"]}, "free": set(),
    },
}
FILE_NAMES = {ImportKind.WORKSHOPS: "modele_ateliers.xlsx",
              ImportKind.PARENTS_RESSOURCES: "modele_parents_ressources.xlsx",
              ImportKind.OBJECTIVES: "modele_objectifs.xlsx"}


def template_xlsx(kind: ImportKind) -> bytes:
    """The template of ``kind`` as XLSX bytes."""
    spec = SPECS[ImportKind(kind)]
    book = Workbook()
    sheet = book.active
    sheet.title = spec["sheet"]
    _header(sheet, spec["columns"])
    example = book.create_sheet("Exemple")
    _header(example, spec["columns"])
    example.append(spec["example"])
    for cell in example[2]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "DD/MM/YYYY"
    lists = book.create_sheet("Listes")
    for index, (column, labels) in enumerate(spec["lists"].items(), start=1):
        letter = get_column_letter(index)
        lists.cell(1, index, column).font = Font(bold=True)
        for row, label in enumerate(labels, start=2):
            lists.cell(row, index, label)
        target = get_column_letter(spec["columns"].index(column) + 1)
        validation = DataValidation(
            type="list", formula1=f"=Listes!${letter}$2:${letter}${len(labels) + 1}",
            allow_blank=True, showErrorMessage=column not in spec["free"],
            errorTitle="Valeur inconnue",
            error="Choisissez une valeur de la liste (onglet « Listes »).")
        validation.add(f"{target}2:{target}{FILLED_ROWS + 1}")
        sheet.add_data_validation(validation)
    # Dates shown the French way; codes kept as text (01001 keeps its leading zero).
    for column, number_format in (("date", "DD/MM/YYYY"), ("debut", "DD/MM/YYYY"),
                                  ("fin", "DD/MM/YYYY"), ("code_insee", "@"), ("code", "@")):
        if column in spec["columns"]:
            letter = get_column_letter(spec["columns"].index(column) + 1)
            for row in range(2, FILLED_ROWS + 2):
                sheet[f"{letter}{row}"].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet, columns) -> None:
    sheet.append(list(columns))
    for index, cell in enumerate(sheet[1], start=1):
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(cell.value) + 4)
    sheet.freeze_panes = "A2"
