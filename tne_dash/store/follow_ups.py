"""Communes « suivies » on the points de vigilance: an editor marks a commune, with a short
note about its figures — never about a person.

Every change is checked on the server (the editor's rights on the commune's département,
the note) and written in one transaction with its journal entry (``import_batch`` of kind
``follow-up`` and one ``import_change``: the row inserted, or its values before), so that an
administrator undoes it from the Import page like any entry, back to the state before.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tne_dash.access import Account
from tne_dash.store.imports import writer
from tne_dash.store.imports.service import ImportKind
from tne_dash.store.models import Commune, VigilanceFollowUp
from tne_dash.vocabulary import Source

MAX_NOTE_LENGTH = 280
NOTE_FIELD = "Note de suivi"
NOTE_HELP = (f"Pas de nom ni de donnée personnelle : la situation de la commune et ce qui "
             f"est prévu, en {MAX_NOTE_LENGTH} caractères au plus. Les adresses e-mail et "
             "les numéros de téléphone sont refusés.")
_NO_PERSONAL_DATA = "pas de nom ni de donnée personnelle dans la note"
# « prenom.nom@mairie.fr », « contact@ville-bezons.fr »
_EMAIL = re.compile(r"[^\s@<>()\[\]]+@[^\s@<>()\[\]]+\.[^\s@<>()\[\].]{2,}")
# French numbers (« 06 12 34 56 78 », « 01.30.45.67.89 », « 0612345678 ») and international
# ones (« +33 6 12 34 56 78 », « +33 (0)6 12 34 56 78 », « +44 20 7946 0958 », 8 to 15
# digits): a school year (« 2022-2023 »), a date or a count (« +12 % ») is none of these.
_FRENCH_PHONE = re.compile(r"(?<![\w+])0[1-9](?:[\s.\-]?\d{2}){4}(?!\w)")
_INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])\+\d[\d\s.\-()]{6,}\d(?!\w)")
_ALLOWED_CONTROLS = frozenset("\n\t")


@dataclass(frozen=True)
class FollowUp:
    """A commune's follow-up as stored: followed or not, the note, who changed it, when."""

    followed: bool
    note: str
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class FollowUpSaved:
    """What ``set_follow_up`` did: its journal entry (None when nothing changed), and
    whether the commune had no follow-up before."""

    batch_id: int | None
    created: bool

    @property
    def changed(self) -> bool:
        return self.batch_id is not None


class FollowUpRefused(ValueError):
    """The follow-up was not written; the message is French and names the field."""


def check_note(note: str | None) -> str:
    """The note as stored — accents composed, line ends ``\\n``, trimmed — or
    ``FollowUpRefused`` naming the field: longer than ``MAX_NOTE_LENGTH`` characters, a
    control character, an e-mail address or a phone number. (A person's name cannot be told
    from a place's: the form says « Pas de nom ni de donnée personnelle ».)"""
    text = unicodedata.normalize("NFC", note or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise FollowUpRefused(f"{NOTE_FIELD} : {len(text)} caractères — au plus "
                              f"{MAX_NOTE_LENGTH}.")
    bad = sorted({c for c in text if not c.isprintable() and c not in _ALLOWED_CONTROLS})
    if bad:
        raise FollowUpRefused(f"{NOTE_FIELD} : caractère invisible refusé "
                              f"({', '.join(f'U+{ord(c):04X}' for c in bad)}).")
    if _EMAIL.search(text):
        raise FollowUpRefused(f"{NOTE_FIELD} : une adresse e-mail a été reconnue — "
                              f"{_NO_PERSONAL_DATA}.")
    if _FRENCH_PHONE.search(text) or any(
            8 <= sum(c.isdigit() for c in found) <= 15
            for found in _INTERNATIONAL_PHONE.findall(text)):
        raise FollowUpRefused(f"{NOTE_FIELD} : un numéro de téléphone a été reconnu — "
                              f"{_NO_PERSONAL_DATA}.")
    return text


def set_follow_up(engine: Engine, account: Account, commune_code: str, followed: bool,
                  note: str | None, *, now: dt.datetime) -> FollowUpSaved:
    """Mark ``commune_code`` followed (or not) with ``note``, for ``account``: refused
    (``FollowUpRefused``, nothing written) for an unknown commune, a commune outside the
    account's départements, or a bad note. Written in one transaction with its journal
    entry; the same state again writes nothing (``batch_id`` None)."""
    text = check_note(note)
    code = (commune_code or "").strip()
    try:
        with Session(engine) as session:
            commune = session.get(Commune, code)
            if commune is None:
                raise FollowUpRefused(f"Commune : code INSEE « {code} » inconnu du "
                                      "référentiel.")
            if not account.may_write(commune.departement_code):
                raise FollowUpRefused(
                    f"Commune : {commune.name} ({code}) est dans le département "
                    f"{commune.departement_code}, hors de vos droits "
                    f"({account.describe_rights()}) — rien n'a été enregistré.")
            # The import lock first (SQLite: the write lock), then the row as it is now.
            batch = writer.open_batch(
                session, kind=ImportKind.FOLLOW_UP.value, source=Source.FORM.value,
                file_name=f"Suivi de {commune.name} ({code})", sha256="",
                user_name=account.name or "anonyme", now=now, rows_read=1, set_aside=0)
            table = VigilanceFollowUp.__table__
            before = session.execute(select(table).where(table.c.commune_code == code)
                                     ).mappings().first()
            if before is not None and (before["followed"], before["note"]) == (followed, text):
                session.rollback()  # the same state: no journal entry
                return FollowUpSaved(None, False)
            values = {"commune_code": code, "followed": bool(followed), "note": text,
                      "updated_by": (account.name or "anonyme")[:100], "updated_at": now}
            if before is None:
                row_id = session.scalar(insert(VigilanceFollowUp).values(**values)
                                        .returning(table.c.id))
                writer.log_changes(session, batch, table.name, "insert", [(row_id, None)])
            else:
                session.execute(update(VigilanceFollowUp)
                                .where(table.c.id == before["id"]).values(**values))
                writer.log_changes(session, batch, table.name, "update",
                                   [(before["id"], dict(before))])
            writer.close_batch(session, batch, writer.Counts(
                inserted=int(before is None), updated=int(before is not None)))
            session.commit()
            return FollowUpSaved(batch.id, before is None)
    except OperationalError as exc:
        raise FollowUpRefused(
            "La base de données n'a pas pu enregistrer le suivi (occupée ou injoignable : "
            f"{type(exc.orig or exc).__name__}) — rien n'a été enregistré, réessayez."
        ) from exc


def follow_ups(conn: Connection, communes: Collection[str] | None = None
               ) -> dict[str, FollowUp]:
    """Every commune's follow-up (those of ``communes`` only, when given) by INSEE code."""
    query = select(VigilanceFollowUp.commune_code, VigilanceFollowUp.followed,
                   VigilanceFollowUp.note, VigilanceFollowUp.updated_by,
                   VigilanceFollowUp.updated_at)
    if communes is None:
        rows = list(conn.execute(query))
    else:
        rows = [row for chunk in writer.chunks(sorted(set(communes)))
                for row in conn.execute(query.where(VigilanceFollowUp.commune_code.in_(chunk)))]
    return {code: FollowUp(bool(followed), note, by, at)
            for code, followed, note, by, at in rows}
