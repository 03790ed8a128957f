"""Parents Ressources counts per commune and period: counts only, never names."""

from __future__ import annotations

import datetime as dt

from tne_dash.store.imports.fields import (
    MAX_MEETINGS_PER_REPORT,
    MAX_PARENTS_RESSOURCES_PER_REPORT,
    parse_count,
    parse_date,
    parse_insee,
)
from tne_dash.store.imports.reading import RawRow, RawTable
from tne_dash.store.imports.records import ParentsRessourcesRecord
from tne_dash.store.imports.rows import (
    Context,
    Parsed,
    RowCheck,
    check_departement_rights,
    parse_rows,
)

COLUMNS = ("code_insee", "debut", "fin", "parents_ressources_recrutes",
           "parents_ressources_actifs", "reunions")
MAX_PERIOD_DAYS = 366


def parse_parents_ressources_table(table: RawTable, ctx: Context) -> Parsed:
    return parse_rows(table, ctx, COLUMNS, parse_parents_ressources_row, lambda r: (
        f"{r.commune_code} {r.period_start:%d/%m/%Y}–{r.period_end:%d/%m/%Y}", "fin"))


def parse_parents_ressources_row(row: RawRow, file_name: str, ctx: Context,
                                 problems: list) -> ParentsRessourcesRecord | None:
    check = RowCheck(file_name, row, problems)
    insee = check.value("code_insee", parse_insee, ctx.communes)
    code = insee[0] if insee else None
    if insee and insee[1]:
        check.warn("code_insee", f"complété en {code} (zéro initial perdu par le tableur)",
                   check.raw("code_insee"))
    check_departement_rights(check, ctx, code)
    start = check.value("debut", parse_date, latest=ctx.today)
    end = check.value("fin", parse_date, latest=ctx.today + dt.timedelta(days=MAX_PERIOD_DAYS))
    recruited = check.value("parents_ressources_recrutes", parse_count,
                            MAX_PARENTS_RESSOURCES_PER_REPORT)
    active = check.value("parents_ressources_actifs", parse_count,
                         MAX_PARENTS_RESSOURCES_PER_REPORT)
    meetings = check.value("reunions", parse_count, MAX_MEETINGS_PER_REPORT)
    if start and end and not 0 <= (end - start).days <= MAX_PERIOD_DAYS:
        check.fail("fin", f"attendu une date de fin après le début ({start:%d/%m/%Y}) et "
                          "au plus un an après", check.raw("fin"))
    if not check.ok:
        return None
    return ParentsRessourcesRecord(row.number, code, start, end, recruited, active, meetings)
