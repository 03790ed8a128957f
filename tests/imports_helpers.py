"""Shared set-up of the import tests: a small reference, accounts, and row counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from factories import make_commune, make_rollout
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tne_dash.access import Account, Role
from tne_dash.store.imports.service import import_file
from tne_dash.store.models import (
    ImportBatch,
    Objective,
    ParentsRessourcesCount,
    Venue,
    Workshop,
    WorkshopTheme,
)

DATA = Path(__file__).parent / "data" / "imports"
TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 10, 30)
ADMIN = Account("admin", Role.ADMIN)
EDITOR_95 = Account("claire", Role.EDITEUR, frozenset({"95"}))
ACTIVITY_TABLES = (Workshop, WorkshopTheme, Venue, ParentsRessourcesCount, Objective)


def make_reference(session: Session) -> None:
    """Bezons, Argenteuil (95), Poitiers (86) and L'Abergement-Clémenciat (01)."""
    make_commune(session, "95063", name="Bezons")
    make_commune(session, "95018", name="Argenteuil")
    make_commune(session, "86194", name="Poitiers")
    make_commune(session, "01001", name="L'Abergement-Clémenciat")
    make_rollout(session, "95063", first_year=2022)
    session.commit()


def counts(engine) -> dict[str, int]:
    """Rows of every activity table: the proof that nothing (or what) was written."""
    with engine.connect() as conn:
        return {model.__tablename__: conn.scalar(select(func.count()).select_from(model))
                for model in ACTIVITY_TABLES}


def batches(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ImportBatch))


def run(engine, kind: str, name: str, content: bytes | None = None, account=ADMIN, **kwargs):
    """Import a corpus file (or ``content`` under that name)."""
    data = content if content is not None else (DATA / name).read_bytes()
    return import_file(engine, kind, name, data, account=account, today=TODAY, now=NOW,
                       **kwargs)


def record_bezons_workshop_today(url: str) -> None:
    """Another process records a workshop in Bezons today through the app's own write path
    (as ``tne-dash import`` or the Saisie form of another server would)."""
    from tne_dash.store.db import make_engine
    from tne_dash.store.imports.service import record_workshop

    engine = make_engine(url)
    now = dt.datetime.now()
    report = record_workshop(engine, {
        "date": now.date(), "code_insee": "95063", "lieu": "Médiathèque Maupassant",
        "type_lieu": "médiathèque", "phase": "autonomie", "format": "atelier collectif",
        "thematiques": "ENT", "duree_minutes": 90, "animateur": "CNFS", "nb_parents": 9,
        "nb_nouveaux_parents": 6, "nb_enfants": 0}, account=ADMIN, today=now.date(), now=now)
    assert report.errors == []
    engine.dispose()
