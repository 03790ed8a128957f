"""The store under a hostile test run (issue 18): imports after a demo build, a database file
deleted while the app runs, and an undo that would silently destroy later work.

The import and undo tests run on SQLite and on the real PostgreSQL server.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from imports_helpers import ADMIN, EDITOR_95, NOW, TODAY, counts, make_reference
from imports_helpers import run as run_import
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from tne_dash import REFERENCE_DIR
from tne_dash.config import Settings
from tne_dash.store import build_lock
from tne_dash.store.build import build_database
from tne_dash.store.db import DatabaseUnavailable, is_built, make_engine
from tne_dash.store.imports.service import journal, record_workshop, undo_import
from tne_dash.store.imports.writer import UndoRefused
from tne_dash.store.models import Base, Commune, ImportBatch, Venue, Workshop

HEADER = ("date;code_insee;lieu;type_lieu;phase;format;thematiques;duree_minutes;animateur;"
          "nb_parents;nb_nouveaux_parents;nb_enfants;reference")


def workshop_rows(n: int, prefix: str = "R", parents: int = 12,
                  venue: str = "Médiathèque") -> bytes:
    lines = [HEADER] + [
        f"12/03/2024;95063;{venue};médiathèque;acculturation;café des parents;ENT|Pix;90;"
        f"CNFS;{parents};7;3;{prefix}-{i}" for i in range(n)]
    return "\n".join(lines).encode()


def saisie_cells(venue: str) -> dict[str, object]:
    return {"date": TODAY, "code_insee": "95063", "lieu": venue, "type_lieu": "centre social",
            "phase": "acculturation", "format": "atelier collectif", "thematiques": "ENT",
            "duree_minutes": 120, "animateur": "CNFS", "nb_parents": 9,
            "nb_nouveaux_parents": 9, "nb_enfants": 0}


# --- 3. imports after a demo build -----------------------------------------------------------

def largest_ids_and_next_values(engine) -> dict[str, tuple[int, int]]:
    """PostgreSQL: each table's largest id and the id its sequence gives next."""
    found = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            column = table.autoincrement_column
            if column is None:
                continue
            largest = conn.scalar(select(func.coalesce(func.max(column), 0)))
            sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                   {"t": table.name, "c": column.name})
            last, called = conn.execute(text(
                f"SELECT last_value, is_called FROM {sequence}")).one()
            found[table.name] = (largest, last + 1 if called else last)
    return found


def test_after_a_demo_build_an_import_and_a_saisie_create_their_venue_and_workshop(db_url):
    engine = make_engine(db_url)
    assert build_database(engine, REFERENCE_DIR, demo=True)
    if engine.dialect.name == "postgresql":
        behind = {name: ids for name, ids in largest_ids_and_next_values(engine).items()
                  if ids[1] <= ids[0]}
        assert behind == {}, "séquences en retard sur les identifiants de la démo"
    before = counts(engine)

    imported = run_import(engine, "workshops", "apres_demo.csv",
                          workshop_rows(2, prefix="APRES-DEMO", venue="Salle Hostile"))
    saved = record_workshop(engine, saisie_cells("Centre social tout neuf"), account=EDITOR_95,
                            today=TODAY, now=NOW)

    assert imported.errors == [] and imported.batch_id is not None, imported.summary()
    assert saved.errors == [] and saved.batch_id is not None, saved.summary()
    after = counts(engine)
    assert after["venue"] == before["venue"] + 2
    assert after["workshop"] == before["workshop"] + 3
    with engine.connect() as conn:
        names = set(conn.scalars(select(Venue.name).where(Venue.source != "demo")))
    assert names == {"Salle Hostile", "Centre social tout neuf"}
    engine.dispose()


# --- 10. the SQLite file deleted while the app runs ------------------------------------------

@pytest.fixture
def deleted_database(tmp_path) -> Iterator[tuple[str, Path, Engine]]:
    """A built SQLite database (reference only) whose file is then deleted while an engine
    still holds a connection to it, as the running app does."""
    path = tmp_path / "tne_dash.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    build_database(engine, REFERENCE_DIR, demo=False)
    with engine.connect() as conn:  # a pooled connection now holds the file open
        assert conn.scalar(select(func.count()).select_from(Commune)) > 0
    path.unlink()
    yield url, path, engine
    engine.dispose()


def communes_in_file(path: Path) -> int:
    """Communes of the file now at ``path``, read by a new engine (as a new process would)."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert is_built(engine)
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Commune))
    finally:
        engine.dispose()


# Two builders together finish well within this (a build alone takes a few seconds).
WITHIN_S = 180


def at_the_same_time(work, n: int = 2) -> tuple[list, list[BaseException]]:
    """Run ``work(i)`` in ``n`` threads released together; their results and errors."""
    start = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 — the test reports every failure
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WITHIN_S)
    assert not any(t.is_alive() for t in threads), f"toujours en cours après {WITHIN_S} s"
    return results, errors


def test_two_builds_of_a_deleted_database_at_the_same_time_build_it_once(deleted_database):
    url, path, _running = deleted_database
    engines = [make_engine(url) for _ in range(2)]
    builds = []

    def build_one(i: int) -> bool:
        return build_database(engines[i], REFERENCE_DIR, demo=False,
                              progress=lambda label, _f: builds.append(label)
                              if label.startswith("Lecture") else None)

    results, errors = at_the_same_time(build_one)
    assert errors == []
    assert sorted(results) == [False, True] and len(builds) == 1
    for engine in engines:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Commune)) > 0
        engine.dispose()
    assert communes_in_file(path) > 0


def test_two_builds_of_an_empty_database_at_the_same_time_build_it_once(db_url):
    engines = [make_engine(db_url) for _ in range(2)]

    results, errors = at_the_same_time(
        lambda i: build_database(engines[i], REFERENCE_DIR, demo=False))

    assert errors == [] and sorted(results) == [False, True]
    for engine in engines:
        assert is_built(engine)
        engine.dispose()


# Another process (a second app, a sqlite3 shell) still holds the deleted file open, with
# writes not yet copied from its write-ahead log into the file.
HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("CREATE TABLE ancienne (x)")
db.executemany("INSERT INTO ancienne VALUES (?)", [(i,) for i in range(20000)])
db.commit()
print("prêt", flush=True)
time.sleep(60)
"""


def test_a_file_deleted_while_another_process_holds_it_is_rebuilt_clean(tmp_path):
    path = tmp_path / "tne_dash.sqlite"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "prêt"
        assert Path(f"{path}-wal").stat().st_size > 0
        path.unlink()  # its -wal and -shm stay behind
        engine = make_engine(f"sqlite:///{path}")
        assert build_database(engine, REFERENCE_DIR, demo=False)
        with engine.connect() as conn:
            assert conn.scalar(text("PRAGMA integrity_check")) == "ok"
            assert conn.scalar(text("SELECT count(*) FROM sqlite_master "
                                    "WHERE name = 'ancienne'")) == 0
        engine.dispose()
    finally:
        holder.kill()
        holder.wait()
    assert communes_in_file(path) > 0


def test_a_build_kept_waiting_too_long_says_so_in_french(deleted_database, monkeypatch):
    url, path, _running = deleted_database
    monkeypatch.setattr(build_lock, "BUILD_LOCK_TIMEOUT_S", 0.3)
    engine = make_engine(url)
    with open(f"{path}.lock", "a") as held:  # another builder holds the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(DatabaseUnavailable, match="en cours de construction") as refused:
            build_database(engine, REFERENCE_DIR, demo=False)
    assert "tne_dash.sqlite" in refused.value.detail
    assert not is_built(engine)
    engine.dispose()


def test_the_app_rebuilds_a_database_file_deleted_while_it_runs_once(deleted_database,
                                                                       monkeypatch):
    from tne_dash.ui import data

    url, path, _running = deleted_database
    config = Settings(database_url=url, demo=False)
    data.ensure_database(config)  # the app ran on the file before it was deleted…
    with data.get_engine(url).connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Commune)) > 0
    path.unlink()  # … then the file went away under the running app
    built = []
    real_build = data.build_database
    monkeypatch.setattr(data, "build_database",
                        lambda *a, **k: built.append(real_build(*a, **k)) or built[-1])

    _, errors = at_the_same_time(lambda _i: data.ensure_database(config))

    assert errors == [] and built.count(True) == 1
    assert communes_in_file(path) > 0
    with data.get_engine(url).connect() as conn:  # the app's own engine reads the new file
        assert conn.scalar(select(func.count()).select_from(Commune)) == communes_in_file(path)
    data.ensure_database(config)
    assert built.count(True) == 1  # the next page run finds it built


# --- 11. undo never destroys later work ------------------------------------------------------

@pytest.fixture
def ref_engine(engine, session):
    make_reference(session)
    return engine


def state(engine) -> tuple[dict[str, int], list[int], list]:
    """Row counts, every workshop's parents and the journal's undo marks."""
    with engine.connect() as conn:
        parents = sorted(conn.scalars(select(Workshop.parents_count)))
        undone = list(conn.scalars(select(ImportBatch.undone_at).order_by(ImportBatch.id)))
    return counts(engine), parents, undone


def test_undoing_an_import_whose_rows_a_later_import_changed_is_refused_and_changes_nothing(
        ref_engine):
    first = run_import(ref_engine, "workshops", "premier.csv", workshop_rows(3))
    later = run_import(ref_engine, "workshops", "fichier.csv", workshop_rows(3, parents=20))
    before = state(ref_engine)

    with pytest.raises(UndoRefused) as refused:
        undo_import(ref_engine, first.batch_id, account=ADMIN, now=NOW)

    assert str(refused.value) == (
        f"L'import n° {first.batch_id} ne peut pas être annulé : 3 lignes ont été modifiées "
        f"depuis par l'import n° {later.batch_id} (fichier.csv). Annulez d'abord l'import "
        f"n° {later.batch_id}.")
    assert state(ref_engine) == before
    assert before[1] == [20, 20, 20]


def test_undoing_the_later_import_first_then_the_earlier_one_works(ref_engine):
    first = run_import(ref_engine, "workshops", "premier.csv", workshop_rows(3))
    later = run_import(ref_engine, "workshops", "fichier.csv", workshop_rows(3, parents=20))

    assert undo_import(ref_engine, later.batch_id, account=ADMIN, now=NOW) == 3
    assert state(ref_engine)[1] == [12, 12, 12]
    assert undo_import(ref_engine, first.batch_id, account=ADMIN, now=NOW) == 4
    assert counts(ref_engine)["workshop"] == 0 and counts(ref_engine)["venue"] == 0
    with ref_engine.connect() as conn:
        assert journal(conn)["Annulé par"].tolist() == ["admin", "admin"]


def test_the_refusal_names_every_later_import_and_the_order_to_undo_them(ref_engine):
    first = run_import(ref_engine, "workshops", "premier.csv", workshop_rows(3))
    second = run_import(ref_engine, "workshops", "deux.csv", workshop_rows(1, parents=20))
    third = run_import(ref_engine, "workshops", "trois.csv", workshop_rows(3, parents=30))
    unrelated = run_import(ref_engine, "workshops", "autre.csv", workshop_rows(2, prefix="X"))
    assert unrelated.counts.inserted == 2

    with pytest.raises(UndoRefused) as refused:
        undo_import(ref_engine, first.batch_id, account=ADMIN, now=NOW)

    assert str(refused.value) == (
        f"L'import n° {first.batch_id} ne peut pas être annulé : 1 ligne a été modifiée "
        f"depuis par l'import n° {second.batch_id} (deux.csv) et 3 lignes par l'import "
        f"n° {third.batch_id} (trois.csv). Annulez d'abord l'import n° {third.batch_id}, "
        f"puis l'import n° {second.batch_id}.")
    undo_import(ref_engine, third.batch_id, account=ADMIN, now=NOW)
    with pytest.raises(UndoRefused, match=f"Annulez d'abord l'import n° {second.batch_id}\\."):
        undo_import(ref_engine, first.batch_id, account=ADMIN, now=NOW)


def test_an_undone_later_import_no_longer_blocks_and_an_unrelated_one_never_does(ref_engine):
    first = run_import(ref_engine, "workshops", "premier.csv", workshop_rows(2))
    later = run_import(ref_engine, "workshops", "fichier.csv", workshop_rows(2, parents=20))
    run_import(ref_engine, "workshops", "autre.csv", workshop_rows(2, prefix="X"))
    undo_import(ref_engine, later.batch_id, account=ADMIN, now=NOW)

    assert undo_import(ref_engine, first.batch_id, account=ADMIN, now=NOW) == 2
    with Session(ref_engine) as session:
        refs = sorted(session.scalars(select(Workshop.external_ref)))
    assert [ref.rsplit(":", 1)[-1] for ref in refs] == ["X-0", "X-1"]  # autre.csv's rows


def test_refusing_the_undo_of_a_large_import_takes_under_two_seconds(ref_engine):
    first = run_import(ref_engine, "workshops", "grand.csv", workshop_rows(5_000))
    later = run_import(ref_engine, "workshops", "grand_bis.csv",
                       workshop_rows(5_000, parents=20))
    start = time.perf_counter()
    with pytest.raises(UndoRefused, match=f"5\u202f000 lignes .* n° {later.batch_id}"):
        undo_import(ref_engine, first.batch_id, account=ADMIN, now=NOW)
    assert time.perf_counter() - start < 2.0
