"""The project's own workshop template: one row per workshop, keyed by ``reference``."""

from __future__ import annotations

from tne_dash.store.imports import choices
from tne_dash.store.imports.fields import (
    MAX_PEOPLE_PER_WORKSHOP,
    parse_choice,
    parse_choices,
    parse_count,
    parse_date,
    parse_duration,
    parse_insee,
    parse_text,
)
from tne_dash.store.imports.reading import RawRow, RawTable
from tne_dash.store.imports.records import WorkshopRecord
from tne_dash.store.imports.rows import (
    Context,
    Parsed,
    RowCheck,
    check_departement_rights,
    parse_rows,
)

COLUMNS = ("date", "code_insee", "lieu", "type_lieu", "phase", "format", "thematiques",
           "duree_minutes", "animateur", "nb_parents", "nb_nouveaux_parents", "nb_enfants",
           "reference")
KEY_PREFIX = "ref:"
MAX_REFERENCE = 60


def parse_workshop_table(table: RawTable, ctx: Context) -> Parsed:
    """Validate every row of a filled-in template."""
    return parse_rows(table, ctx, COLUMNS, parse_workshop_row,
                      lambda r: (reference_of(r.key), "reference"))


def workshop_key(departement: str, reference: str) -> str:
    """The idempotence key of a template row: its reference within its département, so two
    coordinators numbering « ATELIER-001 » never touch each other's workshops."""
    return f"{KEY_PREFIX}{departement}:{reference}"


def reference_of(key: str) -> str:
    """The reference as the coordinator wrote it, from a key of ``workshop_key``."""
    return key.split(":", 2)[-1]


def parse_workshop_row(row: RawRow, file_name: str, ctx: Context,
                       problems: list) -> WorkshopRecord | None:
    """One workshop; the Saisie form calls this too (its fields are the template's columns)."""
    check = RowCheck(file_name, row, problems)
    day = check.value("date", parse_date, latest=ctx.today)
    insee = check.value("code_insee", parse_insee, ctx.communes)
    commune_code = None
    if insee is not None:
        commune_code, padded = insee
        if padded:
            check.warn("code_insee", f"complété en {commune_code} (zéro initial perdu par le "
                                     "tableur)", check.raw("code_insee"))
        check_departement_rights(check, ctx, commune_code)
    venue = check.value("lieu", parse_text, 200, "le nom du lieu")
    kind = check.value("type_lieu", parse_choice, choices.VENUE_KINDS.aliases,
                       choices.VENUE_KINDS.labels)
    phase = check.value("phase", parse_choice, choices.PHASES.aliases, choices.PHASES.labels)
    fmt = check.value("format", parse_choice, choices.FORMATS.aliases, choices.FORMATS.labels)
    themes = check.value("thematiques", parse_choices, choices.THEMES.aliases,
                         choices.THEMES.labels)
    duration = check.value("duree_minutes", parse_duration)
    facilitator = check.value("animateur", parse_choice, choices.FACILITATORS.aliases,
                              choices.FACILITATORS.labels)
    parents = check.value("nb_parents", parse_count, MAX_PEOPLE_PER_WORKSHOP)
    first_time = check.value("nb_nouveaux_parents", parse_count,
                             MAX_PEOPLE_PER_WORKSHOP)
    children = check.value("nb_enfants", parse_count, MAX_PEOPLE_PER_WORKSHOP)
    reference = check.value("reference", parse_text, MAX_REFERENCE,
                            "une référence unique (ex. BEZ-2024-001)")
    if parents is not None and first_time is not None and first_time > parents:
        check.fail("nb_nouveaux_parents", f"attendu au plus nb_parents ({parents})",
                   check.raw("nb_nouveaux_parents"))
    if not check.ok:
        return None
    return WorkshopRecord(
        row=check.row.number, key=workshop_key(ctx.communes[commune_code], reference),
        date=day, commune_code=commune_code,
        venue_name=venue, venue_kind=kind, phase=phase, format=fmt, themes=themes,
        duration_minutes=duration, facilitator_kind=facilitator, parents_count=parents,
        first_time_parents_count=first_time, children_count=children)
