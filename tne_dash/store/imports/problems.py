"""What is wrong with an imported file, worded for the person who fills the spreadsheet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One error (or warning) of a file: its row as the spreadsheet shows it, its column,
    the value found and what was expected."""

    file_name: str
    expected: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        """« ligne 12, colonne nb_parents : « -3 » — attendu un entier positif »."""
        where = []
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne {self.column}")
        head = ", ".join(where)
        found = f"« {self.value} » — " if self.value is not None else ""
        text = f"{found}{self.expected}"
        return f"{head} : {text}" if head else text

    def located(self) -> str:
        """The message prefixed with the file name (CLI output, logs)."""
        return f"{self.file_name}, {self}" if self.row or self.column else \
            f"{self.file_name} : {self}"


class SortsProblems:
    """Mixin of anything holding ``problems``: errors refuse, warnings only inform."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


class FileRefused(ValueError):
    """The file cannot be read at all (size, format, columns): problems name why."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(p.located() for p in problems))
        self.problems = list(problems)


def cell_text(value) -> str:
    """A cell as the user typed it, for messages (Excel floats 12.0 shown as 12)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """The errors as a table: shown on the page and downloadable as CSV."""
    return pd.DataFrame(
        [{"Fichier": p.file_name, "Ligne": p.row, "Colonne": p.column or "",
          "Valeur": p.value or "", "Attendu": p.expected,
          "Gravité": "avertissement" if p.warning else "erreur"} for p in problems],
        columns=["Fichier", "Ligne", "Colonne", "Valeur", "Attendu", "Gravité"],
    ).astype({"Ligne": "Int64"})
