"""Build a database: reference data from the shipped pack, then (optionally) demo activity.

Everything is written in one transaction with bulk inserts: a failed build leaves nothing.
One builder at a time (a file lock next to a SQLite database, an advisory lock on
PostgreSQL): the others wait, then find the database built.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, literal, select, update
from sqlalchemy.orm import Session

from tne_dash.store import reference, workshop_months
from tne_dash.store.build_lock import (
    Progress,
    build_lock,
    clear_a_deleted_file,
    follow_the_sqlite_file,
    is_ready,
)
from tne_dash.store.db import (
    BUILT_AT_KEY,
    drop_schema,
    is_built,
    upgrade_schema,
)
from tne_dash.store.demo import DEFAULT_SEED, DemoActivity, generate_demo_activity
from tne_dash.store.models import (
    Base,
    CnfsStructure,
    Commune,
    Departement,
    DepartementStrategy,
    ExternalMeasure,
    Metadata,
    Objective,
    ParentsRessourcesCount,
    Region,
    RolloutYear,
    School,
    Venue,
    Workshop,
    WorkshopTheme,
)
from tne_dash.store.national import NationalActivity, generate_national_activity
from tne_dash.store.programme import programme_objective_rows

TNE_SCALE, NATIONAL_SCALE = "tne", "national"
SCALES = (TNE_SCALE, NATIONAL_SCALE)
# Rows converted at a time when loading the national scenario (bounded memory).
NATIONAL_CHUNK = 100_000
# Rows per INSERT batch: large enough to be fast, small enough for any driver's limits.
BATCH = 5_000


class ReferenceData:
    """The reference frames a build needs, read (and validated) once."""

    def __init__(self, directory: Path) -> None:
        self.departements = reference.load_departements(directory)
        self.communes = reference.load_communes(directory)
        self.schools = reference.load_schools(directory)
        self.cnfs = reference.load_cnfs_structures(directory)


def _records(frame: pd.DataFrame) -> list[dict]:
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict(orient="records")


def _bulk(session: Session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start:start + BATCH])


def build_database(
    engine: Engine,
    reference_dir: Path,
    *,
    demo: bool = True,
    force: bool = False,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    scale: str = TNE_SCALE,
) -> bool:
    """Create and fill the database; returns False when it was already built (and not forced).

    One builder at a time (``build_lock``): a second one waits, then finds the database built
    and returns False. ``scale="national"`` replaces the TNE demo with the national scenario
    of ``national.py`` (every département engaged, a million workshops), loaded in bulk (COPY
    on PostgreSQL)."""
    if scale not in SCALES:
        raise ValueError(f"Échelle inconnue : « {scale} » — attendu {' ou '.join(SCALES)}.")
    report = progress or (lambda _label, _fraction: None)
    follow_the_sqlite_file(engine)
    if is_ready(engine) and not force:
        return False
    with build_lock(engine, report):
        clear_a_deleted_file(engine)
        if is_built(engine) and not force:
            return False  # another builder finished while this one waited
        _build(engine, reference_dir, demo=demo, force=force, seed=seed, report=report,
               scale=scale)
    return True


def _build(engine: Engine, reference_dir: Path, *, demo: bool, force: bool, seed: int,
           report: Progress, scale: str) -> None:
    report("Lecture des données de référence", 0.02)
    ref = ReferenceData(reference_dir)
    activity = national = None
    if demo and scale == NATIONAL_SCALE:
        report("Génération de l'activité nationale", 0.1)
        national = generate_national_activity(
            ref.communes, seed=seed,
            progress=lambda f: report("Génération de l'activité nationale", 0.1 + 0.2 * f))
    elif demo:
        report("Génération de l'activité de démonstration", 0.15)
        activity = generate_demo_activity(
            ref.communes, ref.schools, seed=seed,
            progress=lambda f: report("Génération de l'activité de démonstration", 0.15 + 0.3 * f),
        )
    if force:
        drop_schema(engine)
    upgrade_schema(engine)
    with Session(engine) as session, session.begin():
        _write_reference(session, ref, report)
        if activity is not None:
            _write_activity(session, activity, report)
        if national is not None:
            _write_national(session, national, report)
        facts = {
            BUILT_AT_KEY: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "demo": "true" if demo else "false",
            "demo_seed": str(seed) if demo else "",
            "cnfs_vintage": reference.CNFS_VINTAGE,
            "scale": scale,
        }
        _bulk(session, Metadata, [{"key": k, "value": v} for k, v in facts.items()])
        reset_sequences(session.connection())
        report("Enregistrement", 0.98)
    # Fresh statistics, so the planner picks the indexes at once (PostgreSQL's autovacuum
    # would get there later; SQLite has none until ANALYZE).
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    report("Base prête", 1.0)


def reset_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence just past its table's largest id. Bulk builds give
    the ids themselves, which the sequences never see: without this, the first row an import
    or the Saisie form adds would collide with an existing id. Nothing to do on SQLite."""
    if connection.dialect.name != "postgresql":
        return
    preparer = connection.dialect.identifier_preparer
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        # pg_get_serial_sequence parses its first argument as SQL: the quoted table name.
        sequence = func.pg_get_serial_sequence(literal(preparer.format_table(table)),
                                               literal(column.name))
        largest = func.max(column)
        connection.execute(select(func.setval(sequence, func.coalesce(largest, 1),
                                              largest.is_not(None))).select_from(table))


def _write_reference(session: Session, ref: ReferenceData, report: Progress) -> None:
    deps = ref.departements
    regions = deps[["region_code", "region_name"]].drop_duplicates("region_code")
    _bulk(session, Region, _records(regions.rename(
        columns={"region_code": "code", "region_name": "name"})))
    _bulk(session, Departement, _records(deps.drop(columns=["region_name", "tne_in_file"])))
    report("Communes", 0.5)
    _bulk(session, Commune, _records(ref.communes))
    report("Écoles, collèges et lycées", 0.6)
    _bulk(session, School, _records(ref.schools))
    report("Structures d'accueil des conseillers numériques", 0.7)
    _bulk(session, CnfsStructure, _records(ref.cnfs))
    _bulk(session, Objective, programme_objective_rows())


def _load(session: Session, model, frame: pd.DataFrame) -> None:
    """A whole frame into ``model``'s table: COPY on PostgreSQL, batched INSERTs elsewhere."""
    rows = _records(frame)
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        _bulk(session, model, rows)
        return
    columns = list(frame.columns)
    statement = f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _write_national(session: Session, activity: NationalActivity, report: Progress) -> None:
    steps = [("Lieux", Venue, activity.venues), ("Ateliers", Workshop, activity.workshops),
             ("Thèmes des ateliers", WorkshopTheme, activity.workshop_themes),
             ("Déploiement", RolloutYear, activity.rollout_years),
             ("Parents Ressources", ParentsRessourcesCount, activity.parents_ressources),
             ("Objectifs", Objective, activity.objectives)]
    for i, (label, model, frame) in enumerate(steps):
        report(f"{label} ({len(frame):,} lignes)".replace(",", "\u202f"), 0.72 + 0.04 * i)
        for start in range(0, len(frame), NATIONAL_CHUNK):
            _load(session, model, frame.iloc[start:start + NATIONAL_CHUNK])
    workshop_months.rebuild(session)  # the monthly sums, in the same transaction
    reset_sequences(session.connection())  # the scenario gives its ids itself


def _write_activity(session: Session, activity: DemoActivity, report: Progress) -> None:
    report("Lieux et ateliers de démonstration", 0.75)
    _bulk(session, Venue, activity.venues)
    _bulk(session, Workshop, activity.workshops)
    _bulk(session, WorkshopTheme, activity.workshop_themes)
    workshop_months.rebuild(session)  # the monthly sums, in the same transaction
    report("Parents Ressources, déploiement et objectifs de démonstration", 0.9)
    _bulk(session, ParentsRessourcesCount, activity.parents_ressources)
    _bulk(session, RolloutYear, activity.rollout_years)
    _bulk(session, Objective, activity.objectives)
    _bulk(session, DepartementStrategy, activity.strategies)
    _bulk(session, ExternalMeasure, activity.external_measures)
    for uai, (target, pcn_since) in activity.school_programme.items():
        session.execute(
            update(School).where(School.uai == uai).values(
                strategy_target=target, pcn_since=pcn_since, programme_source="demo")
        )
