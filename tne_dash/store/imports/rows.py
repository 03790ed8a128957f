"""Row-by-row validation: every problem of every row is collected, none stops the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tne_dash.access import Account
from tne_dash.store.imports.fields import FieldError
from tne_dash.store.imports.problems import FileRefused, Problem, SortsProblems, cell_text
from tne_dash.store.imports.reading import RawRow, RawTable, header_key


@dataclass(frozen=True)
class Context:
    """What validation needs besides the file: who imports, today, the reference communes."""

    account: Account
    today: dt.date
    communes: dict[str, str]  # INSEE code → département code


@dataclass
class Parsed(SortsProblems):
    """Valid records, and every problem found (errors refuse the whole file)."""

    records: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    set_aside: dict[str, int] = field(default_factory=dict)  # reason → rows not imported
    rows_read: int = 0


# parse_row(row, file_name, ctx, problems) → record or None; key_of(record) → (key, column).
RowParser = Callable[[RawRow, str, Context, list[Problem]], object]


def parse_rows(table: RawTable, ctx: Context, columns: Sequence[str], parse_row: RowParser,
               key_of: Callable[[object], tuple[str, str]]) -> Parsed:
    """Check the columns, parse every row, then refuse keys seen twice in the file."""
    require_columns(table, columns)
    parsed = Parsed(problems=unknown_columns(table, columns), rows_read=len(table.rows))
    for row in table.rows:
        record = parse_row(row, table.file_name, ctx, parsed.problems)
        if record is not None:
            parsed.records.append(record)
    duplicates = check_unique_keys(
        table.file_name, [(*key_of(r), r.row) for r in parsed.records], parsed.problems)
    parsed.records = [r for r in parsed.records if r.row not in duplicates]
    return parsed


def require_columns(table: RawTable, columns: Sequence[str]) -> None:
    """FileRefused naming the missing columns and the expected ones."""
    missing = [c for c in columns if header_key(c) not in table.headers]
    if missing:
        raise FileRefused([Problem(
            table.file_name,
            f"colonne{'s' if len(missing) > 1 else ''} manquante{'s' if len(missing) > 1 else ''}"
            f" : {', '.join(missing)} — attendu les colonnes : {', '.join(columns)}")])


def unknown_columns(table: RawTable, columns: Sequence[str]) -> list[Problem]:
    """Warnings for columns the import ignores (never read, never stored)."""
    known = {header_key(c) for c in columns}
    return [Problem(table.file_name, "colonne ignorée (inconnue du modèle)",
                    column=header, warning=True)
            for key, header in table.headers.items() if key not in known]


class RowCheck:
    """Reads the cells of one row through parsers, recording a Problem for each bad cell."""

    def __init__(self, file_name: str, row: RawRow, problems: list[Problem]):
        self.file_name = file_name
        self.row = row
        self.problems = problems
        self.ok = True

    def raw(self, column: str) -> object:
        return self.row.cells.get(header_key(column))

    def value(self, column: str, parse: Callable, *args, required: bool = True, **kwargs):
        raw = self.raw(column)
        if raw is None and not required:
            return None
        try:
            return parse(raw, *args, **kwargs)
        except FieldError as exc:
            expected = f"cellule vide — {exc.expected}" if raw is None else exc.expected
            self.fail(column, expected, None if raw is None else raw)
            return None

    def fail(self, column: str | None, expected: str, raw: object = None) -> None:
        self.ok = False
        self.problems.append(Problem(self.file_name, expected, self.row.number, column,
                                     None if raw is None else cell_text(raw)))

    def warn(self, column: str, expected: str, raw: object = None) -> None:
        self.problems.append(Problem(self.file_name, expected, self.row.number, column,
                                     None if raw is None else cell_text(raw), warning=True))


def check_departement_rights(check: RowCheck, ctx: Context, commune_code: str | None,
                             column: str = "code_insee") -> None:
    """Refuse a row whose commune lies outside the importing editor's départements."""
    if commune_code is None or commune_code not in ctx.communes:
        return
    dep = ctx.communes[commune_code]
    if not ctx.account.may_write(dep):
        check.fail(column, f"commune du département {dep}, hors de vos départements "
                           f"({', '.join(sorted(ctx.account.departements)) or 'aucun'})",
                   commune_code)


def check_unique_keys(file_name: str, keyed: list[tuple[str, str, int]],
                      problems: list[Problem]) -> set[int]:
    """Report each key seen twice (key, column, row); returns the rows to drop."""
    first_row: dict[str, int] = {}
    duplicates = set()
    for key, column, row in keyed:
        if key in first_row:
            duplicates.add(row)
            problems.append(Problem(
                file_name, f"attendu une valeur unique dans le fichier (déjà en ligne "
                           f"{first_row[key]})", row, column, key))
        else:
            first_row[key] = row
    return duplicates
