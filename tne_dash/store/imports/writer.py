"""Writing validated records: one transaction, idempotent by key, journaled, undoable.

Every write starts by taking the import lock (PostgreSQL advisory lock; on SQLite the first
statement is a write, which takes the database's write lock), so two imports at the same
time run one after the other and each lands completely.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, insert, select, text, tuple_, update
from sqlalchemy.orm import Session, selectinload

from tne_dash.labels import format_number
from tne_dash.store import workshop_months
from tne_dash.store.imports.records import ObjectiveRecord, ParentsRessourcesRecord, WorkshopRecord
from tne_dash.store.models import (
    Commune,
    ImportBatch,
    ImportChange,
    Objective,
    ParentsRessourcesCount,
    Venue,
    VigilanceFollowUp,
    Workshop,
    WorkshopTheme,
)
from tne_dash.text import fold

IMPORT_LOCK_KEY = 7_042_020  # pg_advisory_xact_lock key shared by every import and undo
CHUNK = 500
WORKSHOP_VALUES = ("date", "venue_id", "commune_code", "phase", "format", "duration_minutes",
                   "facilitator_kind", "parents_count", "first_time_parents_count",
                   "children_count", "source")


@dataclass(frozen=True)
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class UndoRefused(ValueError):
    """The import cannot be undone (unknown, already undone); the message is French."""


def take_import_lock(session: Session) -> None:
    """Serialise writers: PostgreSQL waits on an advisory lock; SQLite on its write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})


def open_batch(session: Session, *, kind: str, source: str, file_name: str, sha256: str,
               user_name: str, now: dt.datetime, rows_read: int, set_aside: int) -> ImportBatch:
    take_import_lock(session)
    batch = ImportBatch(kind=kind, source=source, file_name=file_name[:255], sha256=sha256,
                        user_name=user_name[:100], imported_at=now, rows_read=rows_read,
                        set_aside=set_aside)
    session.add(batch)
    session.flush()  # on SQLite this first write takes the write lock (waits for another)
    return batch


def close_batch(session: Session, batch: ImportBatch, counts: Counts) -> None:
    batch.inserted, batch.updated, batch.unchanged = (counts.inserted, counts.updated,
                                                      counts.unchanged)
    session.flush()


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    """``items`` in slices of ``size``: an IN list every driver accepts."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def log_changes(session: Session, batch: ImportBatch, table: str, action: str,
                rows: list[tuple[int, dict | None]]) -> None:
    """Journal what ``batch`` did to rows of ``table``: (row id, None) for an insert, (row id,
    the values before) for an update — what ``undo_batch`` reads back."""
    if rows:
        session.execute(insert(ImportChange), [
            {"batch_id": batch.id, "table_name": table, "row_id": row_id, "action": action,
             "previous": None if previous is None else json.dumps(previous, default=str)}
            for row_id, previous in rows])


# --- workshops ------------------------------------------------------------------------------

def write_workshops(session: Session, records: Sequence[WorkshopRecord], batch: ImportBatch,
                    source: str) -> Counts:
    venue_ids = _venue_ids(session, records, batch)
    existing = _existing_workshops(session, [r.key for r in records])
    inserts, updates, unchanged = [], [], 0
    for record in records:
        values = {"date": record.date, "venue_id": venue_ids[_venue_key(record)],
                  "commune_code": record.commune_code, "phase": record.phase,
                  "format": record.format, "duration_minutes": record.duration_minutes,
                  "facilitator_kind": record.facilitator_kind,
                  "parents_count": record.parents_count,
                  "first_time_parents_count": record.first_time_parents_count,
                  "children_count": record.children_count, "source": source}
        themes = sorted(record.themes)
        old = existing.get(record.key)
        if old is None:
            inserts.append((values | {"external_ref": record.key}, themes))
        elif {k: old[k] for k in WORKSHOP_VALUES} == values and old["themes"] == themes:
            unchanged += 1
        else:
            updates.append((old, values, themes))
    if inserts:
        ids = session.scalars(insert(Workshop).returning(Workshop.id, sort_by_parameter_order=True),
                              [values for values, _ in inserts]).all()
        _insert_themes(session, [(wid, themes) for wid, (_, themes) in zip(ids, inserts,
                                                                             strict=True)])
        log_changes(session, batch, "workshop", "insert", [(wid, None) for wid in ids])
    if updates:
        session.execute(update(Workshop), [{"id": old["id"]} | values
                                           for old, values, _ in updates])
        ids = [old["id"] for old, _, _ in updates]
        for chunk in chunks(ids):
            session.execute(delete(WorkshopTheme).where(WorkshopTheme.workshop_id.in_(chunk)))
        _insert_themes(session, [(old["id"], themes) for old, _, themes in updates])
        log_changes(session, batch, "workshop", "update",
                    [(old["id"], old) for old, _, _ in updates])
    # The monthly sums of every (commune, month) written, before and after: same transaction.
    workshop_months.refresh(session, [(v["commune_code"], v["date"]) for v, _ in inserts]
                            + [(row["commune_code"], row["date"]) for old, values, _ in updates
                               for row in (old, values)])
    return Counts(len(inserts), len(updates), unchanged)


def _insert_themes(session: Session, pairs: list[tuple[int, list[str]]]) -> None:
    rows = [{"workshop_id": wid, "theme": theme} for wid, themes in pairs for theme in themes]
    if rows:
        session.execute(insert(WorkshopTheme), rows)


def _existing_workshops(session: Session, keys: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for chunk in chunks(keys):
        # Themes come with their workshops, one query per chunk (not one per workshop).
        for row in session.scalars(select(Workshop).options(selectinload(Workshop.themes))
                                   .where(Workshop.external_ref.in_(chunk))):
            found[row.external_ref] = {"id": row.id, "themes": sorted(t.theme for t in
                                                                      row.themes)} | {
                k: getattr(row, k) for k in WORKSHOP_VALUES}
    return found


def _venue_key(record: WorkshopRecord) -> tuple[str, str]:
    return record.commune_code, fold(record.venue_name)


def _venue_ids(session: Session, records: Sequence[WorkshopRecord],
               batch: ImportBatch) -> dict[tuple[str, str], int]:
    """Venue of each (commune, name): an existing one of that commune, or a new one."""
    communes = sorted({r.commune_code for r in records})
    known: dict[tuple[str, str], int] = {}
    positions: dict[str, tuple[float | None, float | None]] = {}
    for chunk in chunks(communes):
        for vid, name, code in session.execute(
                select(Venue.id, Venue.name, Venue.commune_code)
                .where(Venue.commune_code.in_(chunk)).order_by(Venue.id)):
            known.setdefault((code, fold(name)), vid)
        positions |= {code: (lat, lon) for code, lat, lon in session.execute(
            select(Commune.code_insee, Commune.lat, Commune.lon)
            .where(Commune.code_insee.in_(chunk)))}
    new: dict[tuple[str, str], dict] = {}
    for r in records:
        key = _venue_key(r)
        if key not in known and key not in new:
            lat, lon = (r.venue_lat, r.venue_lon) if r.venue_lat is not None else \
                positions.get(r.commune_code, (None, None))
            new[key] = {"name": r.venue_name, "kind": r.venue_kind,
                        "commune_code": r.commune_code, "address": r.venue_address,
                        "lat": lat, "lon": lon, "source": batch.source}
    if new:
        ids = session.scalars(insert(Venue).returning(Venue.id, sort_by_parameter_order=True),
                              list(new.values())).all()
        known |= dict(zip(new, ids, strict=True))
        log_changes(session, batch, "venue", "insert", [(vid, None) for vid in ids])
    return known


# --- Parents Ressources and objectives: rows with a natural key -----------------------------

def write_parents_ressources(session: Session, records: Sequence[ParentsRessourcesRecord],
                             batch: ImportBatch, source: str) -> Counts:
    rows = [{"commune_code": r.commune_code, "period_start": r.period_start,
             "period_end": r.period_end, "recruited": r.recruited, "active": r.active,
             "meetings": r.meetings, "source": source} for r in records]
    return _upsert(session, ParentsRessourcesCount, ("commune_code", "period_start",
                                                     "period_end"), rows, batch)


def write_objectives(session: Session, records: Sequence[ObjectiveRecord], batch: ImportBatch,
                     source: str) -> Counts:
    rows = [{"scope_kind": r.scope_kind, "scope_code": r.scope_code,
             "period_kind": r.period.kind, "period_label": r.period.label,
             "period_start": r.period.start, "period_end": r.period.end,
             "indicator": r.indicator, "target": float(r.target), "source": source}
            for r in records]
    return _upsert(session, Objective, ("scope_kind", "scope_code", "period_label",
                                        "indicator"), rows, batch)


def _upsert(session: Session, model, key_columns: tuple[str, ...], rows: list[dict],
            batch: ImportBatch) -> Counts:
    table = model.__table__
    value_columns = [c.name for c in table.columns if c.name != "id"]
    first = key_columns[0]
    existing: dict[tuple, dict] = {}
    for chunk in chunks(sorted({row[first] for row in rows})):
        for found in session.execute(select(table).where(table.c[first].in_(chunk))).mappings():
            existing[tuple(found[k] for k in key_columns)] = dict(found)
    inserts, updates, unchanged = [], [], 0
    for row in rows:
        old = existing.get(tuple(row[k] for k in key_columns))
        if old is None:
            inserts.append(row)
        elif all(old[c] == row[c] for c in value_columns):
            unchanged += 1
        else:
            updates.append((old, row))
    if inserts:
        ids = session.scalars(insert(model).returning(table.c.id, sort_by_parameter_order=True),
                              inserts).all()
        log_changes(session, batch, table.name, "insert", [(rid, None) for rid in ids])
    if updates:
        session.execute(update(model), [{"id": old["id"]} | row for old, row in updates])
        log_changes(session, batch, table.name, "update",
                    [(old["id"], old) for old, _ in updates])
    return Counts(len(inserts), len(updates), unchanged)


# --- undo -----------------------------------------------------------------------------------

MODELS = {"workshop": Workshop, "venue": Venue, "parents_ressources_count":
          ParentsRessourcesCount, "objective": Objective,
          "vigilance_follow_up": VigilanceFollowUp}


def undo_batch(session: Session, batch_id: int, user_name: str, now: dt.datetime) -> int:
    """Remove the rows an import inserted and restore those it updated; returns rows touched.

    The journal keeps the import, marked undone. Refused (UndoRefused, nothing changed) when
    a later import, not undone, changed some of the same rows: undoing this one first would
    destroy that later work without a word.
    """
    take_import_lock(session)
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise UndoRefused(f"Import n° {batch_id} inconnu.")
    if batch.undone_at is not None:
        raise UndoRefused(f"L'import n° {batch_id} a déjà été annulé le "
                          f"{batch.undone_at:%d/%m/%Y à %H:%M}.")
    later = _later_changes(session, batch_id)
    if later:
        raise UndoRefused(_later_changes_message(batch_id, later))
    batch.undone_at, batch.undone_by = now, user_name[:100]
    session.flush()
    changes = session.scalars(select(ImportChange).where(ImportChange.batch_id == batch_id)
                              .order_by(ImportChange.id.desc())).all()
    months = _workshop_days(session, [c for c in changes if c.table_name == "workshop"])
    touched = 0
    for change in changes:
        model = MODELS[change.table_name]
        if change.action == "insert":
            touched += _delete_inserted(session, model, change.row_id)
        elif session.get(model, change.row_id) is not None:
            _restore(session, model, change.row_id, json.loads(change.previous))
            touched += 1
    workshop_months.refresh(session, months)
    return touched


def _workshop_days(session: Session, changes: list[ImportChange]) -> list[tuple[str, dt.date]]:
    """(commune, day) of the workshops an undo will delete or restore: as they are now, and
    as the journal will restore them — the months whose sums the undo changes."""
    days = []
    ids = [change.row_id for change in changes]
    for chunk in chunks(ids):
        days += [tuple(row) for row in session.execute(
            select(Workshop.commune_code, Workshop.date).where(Workshop.id.in_(chunk)))]
    for change in changes:
        if change.previous:
            previous = json.loads(change.previous)
            days.append((previous["commune_code"], dt.date.fromisoformat(previous["date"])))
    return days


def _later_changes(session: Session, batch_id: int) -> list[tuple[int, str, int]]:
    """The later imports, not undone, that changed rows this import wrote: number, file
    name and how many of those rows, oldest first."""
    mine = select(ImportChange.table_name, ImportChange.row_id).where(
        ImportChange.batch_id == batch_id)
    # One pass over the later changes, each looked up in this import's rows (hashed once).
    return [tuple(row) for row in session.execute(
        select(ImportBatch.id, ImportBatch.file_name, func.count())
        .join(ImportChange, ImportChange.batch_id == ImportBatch.id)
        .where(ImportBatch.id > batch_id, ImportBatch.undone_at.is_(None),
               tuple_(ImportChange.table_name, ImportChange.row_id).in_(mine))
        .group_by(ImportBatch.id, ImportBatch.file_name).order_by(ImportBatch.id))]


def _later_changes_message(batch_id: int, later: list[tuple[int, str, int]]) -> str:
    """« L'import n° 12 ne peut pas être annulé : 3 lignes ont été modifiées depuis par
    l'import n° 14 (fichier.csv). Annulez d'abord l'import n° 14. »"""
    parts = []
    for i, (later_id, file_name, rows) in enumerate(later):
        lines = f"{format_number(rows)} ligne{'s' if rows > 1 else ''}"
        if i == 0:  # the verb once: « 3 lignes ont été modifiées depuis par …, 1 ligne par … »
            lines += " ont été modifiées depuis" if rows > 1 else " a été modifiée depuis"
        parts.append(f"{lines} par l'import n° {later_id} ({file_name})")
    done = ", ".join(parts[:-1]) + " et " + parts[-1] if len(parts) > 1 else parts[0]
    order = ", puis ".join(f"l'import n° {later_id}" for later_id, _, _ in reversed(later))
    return (f"L'import n° {batch_id} ne peut pas être annulé : {done}. "
            f"Annulez d'abord {order}.")


def _delete_inserted(session: Session, model, row_id: int) -> int:
    if model is Venue and session.scalar(select(exists().where(Workshop.venue_id == row_id))):
        return 0  # a later import or entry uses this venue: keep it
    return session.execute(delete(model).where(model.id == row_id)).rowcount


def _restore(session: Session, model, row_id: int, previous: dict) -> None:
    columns = model.__table__.columns
    values = {}
    for name, value in previous.items():
        if name in ("id", "themes") or name not in columns:
            continue
        python_type = columns[name].type.python_type
        # Dates and times were journaled as ISO text: back to what the column takes.
        if value and python_type in (dt.date, dt.datetime):
            value = python_type.fromisoformat(value)
        values[name] = value
    session.execute(update(model).where(model.id == row_id).values(**values))
    if model is Workshop:
        session.execute(delete(WorkshopTheme).where(WorkshopTheme.workshop_id == row_id))
        _insert_themes(session, [(row_id, previous.get("themes", []))])
