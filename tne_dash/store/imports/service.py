"""Import a file (or a form entry): validate everything, then write all of it or nothing.

The one code path behind the Import page, the Saisie form and ``tne-dash import``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tne_dash.access import Account
from tne_dash.labels import format_number
from tne_dash.store.imports import coop, objectives, parents_ressources, workshops, writer
from tne_dash.store.imports.problems import FileRefused, Problem, SortsProblems
from tne_dash.store.imports.reading import Limits, RawRow, header_key, read_table
from tne_dash.store.imports.rows import Context, Parsed
from tne_dash.store.models import (
    Commune,
    ImportBatch,
    ParentsRessourcesCount,
    RolloutYear,
    Workshop,
)
from tne_dash.text import fold
from tne_dash.vocabulary import LabelledEnum, Phase, Source, register_labels


class ImportKind(LabelledEnum):
    WORKSHOPS = "workshops"
    COOP = "coop"
    PARENTS_RESSOURCES = "parents-ressources"
    OBJECTIVES = "objectives"
    FORM = "form"
    OBJECTIVE_FORM = "objective-form"
    FOLLOW_UP = "follow-up"  # a commune marked « suivie » (store/follow_ups.py)


register_labels(ImportKind, {
    ImportKind.WORKSHOPS: "Ateliers (modèle tne-dash)",
    ImportKind.COOP: "Export de la Coop de la médiation numérique",
    ImportKind.PARENTS_RESSOURCES: "Parents Ressources",
    ImportKind.OBJECTIVES: "Objectifs",
    ImportKind.FORM: "Saisie d'un atelier",
    ImportKind.OBJECTIVE_FORM: "Saisie d'un objectif",
    ImportKind.FOLLOW_UP: "Suivi d'un point de vigilance",
})
SOURCES = {ImportKind.WORKSHOPS: Source.IMPORT, ImportKind.COOP: Source.COOP,
           ImportKind.PARENTS_RESSOURCES: Source.IMPORT, ImportKind.OBJECTIVES: Source.IMPORT,
           ImportKind.FORM: Source.FORM, ImportKind.OBJECTIVE_FORM: Source.FORM,
           ImportKind.FOLLOW_UP: Source.FORM}
WRITERS = {ImportKind.WORKSHOPS: writer.write_workshops, ImportKind.COOP: writer.write_workshops,
           ImportKind.FORM: writer.write_workshops,
           ImportKind.PARENTS_RESSOURCES: writer.write_parents_ressources,
           ImportKind.OBJECTIVES: writer.write_objectives,
           ImportKind.OBJECTIVE_FORM: writer.write_objectives}
FORM_KEY_PREFIX = "saisie:"
DEFAULT_LIMITS = Limits()


@dataclass
class ImportReport(SortsProblems):
    """What happened to a file: its problems, or what was (or would be) written."""

    kind: ImportKind
    file_name: str
    sha256: str = ""
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    set_aside: dict[str, int] = field(default_factory=dict)
    counts: writer.Counts | None = None
    batch_id: int | None = None
    dry_run: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.errors) or self.counts is None

    def summary(self) -> str:
        """One French paragraph: refused with N errors, or inserted / updated / unchanged."""
        if self.refused:
            n = len(self.errors)
            return (f"{self.file_name} : fichier refusé, rien n'a été enregistré — "
                    f"{format_number(n)} erreur{'s' if n > 1 else ''}.")
        c = self.counts
        verb = "serait importé (simulation, rien n'a été enregistré)" if self.dry_run else \
            "importé"
        text = (f"{self.file_name} : {verb} — {format_number(c.inserted)} ajouté(s), "
                f"{format_number(c.updated)} mis à jour, {format_number(c.unchanged)} "
                f"inchangé(s)")
        if self.set_aside:
            details = "; ".join(f"{format_number(n)} {reason}" for reason, n in
                                self.set_aside.items())
            text += f" ; lignes mises de côté : {details}"
        return text + "."


def import_file(engine: Engine, kind: ImportKind, file_name: str, content: bytes, *,
                account: Account, today: dt.date, now: dt.datetime, limits: Limits = DEFAULT_LIMITS,
                dry_run: bool = False) -> ImportReport:
    """Validate ``content`` completely; write it in one transaction only if it has no error."""
    kind = ImportKind(kind)
    report = ImportReport(kind, file_name, hashlib.sha256(content).hexdigest(), dry_run=dry_run)
    try:
        table = read_table(file_name, content, limits,
                           is_header=coop.is_coop_header if kind == ImportKind.COOP else None,
                           sheet=coop.SHEET if kind == ImportKind.COOP else None)
        with engine.connect() as conn:
            parsed = _parse(conn, kind, table, Context(account, today, _communes(conn)))
    except FileRefused as refused:
        report.problems = refused.problems
        return report
    report.rows_read, report.problems, report.set_aside = (parsed.rows_read, parsed.problems,
                                                           parsed.set_aside)
    if parsed.errors:
        return report
    return _write(engine, report, parsed.records, account, now)


def record_workshop(engine: Engine, cells: dict[str, object], *, account: Account,
                    today: dt.date, now: dt.datetime, address: str | None = None,
                    position: tuple[float, float] | None = None) -> ImportReport:
    """The Saisie form: one workshop given as template cells, validated like a file row."""
    report, record = _parse_form(engine, ImportKind.FORM, "Saisie du formulaire",
                                 cells | {"reference": "formulaire"},
                                 workshops.parse_workshop_row, account, today)
    if record is None:
        return report
    record = replace(record, key=FORM_KEY_PREFIX + uuid.uuid4().hex, venue_address=address,
                     venue_lat=position[0] if position else None,
                     venue_lon=position[1] if position else None)
    return _write(engine, report, [record], account, now)


def record_objective(engine: Engine, cells: dict[str, object], *, account: Account,
                     today: dt.date, now: dt.datetime) -> ImportReport:
    """The objective form of the Déploiement page: one row of the objectives template
    (perimetre, code, periode, indicateur, cible), validated like a file row, then written in
    one transaction with its journal entry."""
    report, record = _parse_form(engine, ImportKind.OBJECTIVE_FORM, "Formulaire d'objectif",
                                 cells, objectives.parse_objective_row, account, today)
    if record is None:
        return report
    return _write(engine, report, [record], account, now)


def _parse_form(engine: Engine, kind: ImportKind, name: str, cells: dict[str, object],
                parse_row, account: Account, today: dt.date) -> tuple[ImportReport, object]:
    """A form's cells as row 1 of a file, through that file's row parser: the report, and the
    record (None when the row has an error)."""
    row = RawRow(1, {header_key(k): v for k, v in cells.items()})
    report = ImportReport(kind, name)
    with engine.connect() as conn:
        ctx = Context(account, today, _communes(conn))
    problems: list[Problem] = []
    record = parse_row(row, report.file_name, ctx, problems)
    report.problems, report.rows_read = problems, 1
    return report, None if report.errors else record


def _parse(conn: Connection, kind: ImportKind, table, ctx: Context) -> Parsed:
    if kind == ImportKind.WORKSHOPS:
        return workshops.parse_workshop_table(table, ctx)
    if kind == ImportKind.COOP:
        return coop.parse_coop_table(table, ctx, _commune_names(conn), _phase_lookup(conn))
    if kind == ImportKind.PARENTS_RESSOURCES:
        return parents_ressources.parse_parents_ressources_table(table, ctx)
    if kind == ImportKind.OBJECTIVES:
        return objectives.parse_objective_table(table, ctx)
    raise ValueError(kind)


def _write(engine: Engine, report: ImportReport, records: list, account: Account,
           now: dt.datetime) -> ImportReport:
    source = SOURCES[report.kind]
    try:
        with Session(engine) as session:
            batch = writer.open_batch(
                session, kind=report.kind.value, source=source.value, file_name=report.file_name,
                sha256=report.sha256, user_name=account.name or "anonyme", now=now,
                rows_read=report.rows_read, set_aside=sum(report.set_aside.values()))
            if report.kind in (ImportKind.WORKSHOPS, ImportKind.COOP):
                foreign = _workshops_of_other_departements(session, records, account)
                if foreign:
                    report.problems += [Problem(report.file_name, reason) for reason in foreign]
                    return report
            if report.kind == ImportKind.PARENTS_RESSOURCES:
                overlaps = _overlapping_reports(session, report.file_name, records)
                if overlaps:
                    report.problems += overlaps
                    return report
            counts = WRITERS[report.kind](session, records, batch, source.value)
            writer.close_batch(session, batch, counts)
            if report.dry_run:
                session.rollback()
            else:
                session.commit()
                report.batch_id = batch.id
    except OperationalError as exc:
        report.problems.append(Problem(
            report.file_name, "la base de données n'a pas pu enregistrer le fichier (occupée "
                              f"ou injoignable : {type(exc.orig or exc).__name__}) — rien n'a "
                              "été enregistré, réessayez"))
        return report
    report.counts = counts
    return report


def _workshops_of_other_departements(session: Session, records: list,
                                     account: Account) -> list[str]:
    """Refusals for rows that would update a workshop recorded in a département the account
    may not write — the rights apply to the row already there, not only to the new one."""
    reasons = []
    for keys in writer.chunks([r.key for r in records]):
        found = session.execute(
            select(Workshop.external_ref, Commune.departement_code)
            .join(Commune, Commune.code_insee == Workshop.commune_code)
            .where(Workshop.external_ref.in_(keys)))
        reasons += [f"la référence « {workshops.reference_of(key)} » désigne un atelier déjà "
                    f"enregistré dans le département {dep}, hors de vos droits — rien n'a été "
                    "enregistré" for key, dep in found if not account.may_write(dep)]
    return reasons


def _overlapping_reports(session: Session, file_name: str, records: list) -> list[Problem]:
    """A commune's Parents Ressources reports never overlap (the active stock takes one
    report, the flows would count the overlap twice): a period overlapping another one of
    the file or of the database is refused, naming both; the same period replaces."""
    def span(start: dt.date, end: dt.date) -> str:
        return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"

    known: dict[str, list[tuple[dt.date, dt.date, str]]] = {}
    for communes in writer.chunks(sorted({r.commune_code for r in records})):
        for code, begin, end in session.execute(
                select(ParentsRessourcesCount.commune_code, ParentsRessourcesCount.period_start,
                       ParentsRessourcesCount.period_end)
                .where(ParentsRessourcesCount.commune_code.in_(communes))):
            known.setdefault(code, []).append((begin, end, "le relevé déjà enregistré"))
    problems = []
    for record in sorted(records, key=lambda r: r.row):
        mine = (record.period_start, record.period_end)
        for begin, end, what in known.get(record.commune_code, []):
            if (begin, end) != mine and begin <= record.period_end and record.period_start <= end:
                problems.append(Problem(
                    file_name, f"période {span(*mine)} qui chevauche {what} {span(begin, end)} "
                               "pour la même commune — un relevé par période, sans "
                               "chevauchement (la même période remplace le relevé)",
                    record.row, "debut"))
                break
        known.setdefault(record.commune_code, []).append(
            (*mine, f"la ligne {record.row}"))
    return problems


def undo_import(engine: Engine, batch_id: int, *, account: Account, now: dt.datetime) -> int:
    """Undo an import (admins only): rows removed or restored in one transaction."""
    if not account.is_admin:
        raise writer.UndoRefused("Seul un administrateur peut annuler un import.")
    with Session(engine) as session, session.begin():
        return writer.undo_batch(session, batch_id, account.name, now)


def journal(conn: Connection, limit: int = 200) -> pd.DataFrame:
    """The latest imports, newest first, with French column names."""
    with Session(conn) as session:
        batches = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())
                                  .limit(limit)).all()
        frame = pd.DataFrame([_journal_row(b) for b in batches], columns=JOURNAL_COLUMNS)
    frame["Annulé le"] = pd.to_datetime(frame["Annulé le"])  # None → NaT: an empty cell
    return frame


JOURNAL_COLUMNS = ["N°", "Date", "Par", "Type", "Fichier", "Lignes lues", "Ajoutées",
                   "Mises à jour", "Inchangées", "Mises de côté", "SHA-256", "Annulé le",
                   "Annulé par"]


def _journal_row(batch: ImportBatch) -> dict:
    return {"N°": batch.id, "Date": batch.imported_at, "Par": batch.user_name,
            "Type": ImportKind(batch.kind).label, "Fichier": batch.file_name,
            "Lignes lues": batch.rows_read, "Ajoutées": batch.inserted,
            "Mises à jour": batch.updated, "Inchangées": batch.unchanged,
            "Mises de côté": batch.set_aside, "SHA-256": batch.sha256,
            "Annulé le": batch.undone_at, "Annulé par": batch.undone_by or ""}


def _communes(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(Commune.code_insee, Commune.departement_code)).all())


def _commune_names(conn: Connection) -> coop.CommuneNames:
    names: coop.CommuneNames = {}
    for code, name, dep in conn.execute(select(Commune.code_insee, Commune.name,
                                               Commune.departement_code)):
        names.setdefault(fold(name), []).append((code, dep))
    return names


def _phase_lookup(conn: Connection):
    """The roll-out phase of a commune on a day (acculturation before or without a plan)."""
    years: dict[str, list[tuple[dt.date, dt.date, str]]] = {}
    for code, start, end, phase in conn.execute(
            select(RolloutYear.commune_code, RolloutYear.start_date, RolloutYear.end_date,
                   RolloutYear.phase).order_by(RolloutYear.start_date)):
        years.setdefault(code, []).append((start, end, phase))

    def phase_of(code: str | None, day: dt.date | None) -> str:
        phase = Phase.ACCULTURATION.value
        for start, _end, year_phase in years.get(code, []):
            if day is not None and day >= start:
                phase = year_phase
        return phase

    return phase_of
