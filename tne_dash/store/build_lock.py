"""One builder at a time, and no connection left on a deleted SQLite file.

A build takes a file lock next to a SQLite database (an advisory lock on PostgreSQL, also
through PgBouncer): other
sessions and processes wait for it, then find the database built. A pooled connection to a
SQLite file deleted or replaced while the app runs is dropped at checkout, so the app
rebuilds the file and reads the new one without a restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError

from tne_dash.store.db import (
    BUILT_AT_KEY,
    DatabaseUnavailable,
    head_revision,
    is_built,
    redact_url,
)

Progress = Callable[[str, float], None]

# A builder waits this long for another one (another session or process) to finish.
BUILD_LOCK_TIMEOUT_S = 120.0
BUILD_LOCK_POLL_S = 0.2
BUILD_LOCK_KEY = 7_042_021  # pg_advisory_lock key of builds (imports take 7_042_020)
BUILD_BUSY = ("La base de données est en cours de construction dans une autre session : "
              "réessayez dans quelques minutes.")
WAITING = "Une autre session construit la base de données : attente"


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database (None on another backend, or in memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


@contextlib.contextmanager
def build_lock(engine: Engine, report: Progress | None = None) -> Iterator[None]:
    """Hold the build lock: ``flock`` on ``<file>.lock`` next to a SQLite database (sessions
    and processes alike), a transaction advisory lock on PostgreSQL. A second builder waits at
    most BUILD_LOCK_TIMEOUT_S, then gets DatabaseUnavailable with a French message."""
    path = sqlite_file(engine)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as handle:
            _wait_for(lambda: _try_flock(handle), engine, report)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    elif engine.dialect.name == "postgresql":
        # A transaction-level lock in a transaction left open for the whole build: behind
        # PgBouncer's transaction pooling the open transaction keeps its server connection,
        # so the lock holds (a session lock would stay on whichever server connection took
        # it, and the next builder would take it on another). Released at the end.
        with engine.connect() as conn, conn.begin():
            key = {"key": BUILD_LOCK_KEY}
            _wait_for(lambda: conn.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), key),
                      engine, report)
            yield
    else:
        yield


def _try_flock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _wait_for(acquire: Callable[[], bool], engine: Engine, report: Progress | None) -> None:
    deadline = time.monotonic() + BUILD_LOCK_TIMEOUT_S
    told = False
    while not acquire():
        if time.monotonic() >= deadline:
            raise DatabaseUnavailable(
                f"Construction de « {redact_url(engine.url.render_as_string(False))} » : une "
                f"autre construction tient le verrou depuis plus de {BUILD_LOCK_TIMEOUT_S:g} s.",
                public=BUILD_BUSY)
        if report is not None and not told:
            report(WAITING, 0.0)
            told = True
        time.sleep(BUILD_LOCK_POLL_S)


def is_ready(engine: Engine) -> bool:
    """``db.is_built``, without creating a missing SQLite file: only a builder, under the
    build lock, creates it again (after clearing what the deleted one left behind)."""
    path = sqlite_file(engine)
    if path is not None and not path.exists():
        return False
    # Every page run asks: one query answers when all is well; anything else (unreachable,
    # not built, behind the code's migrations) takes the full check, which says why.
    try:
        with engine.connect() as conn:
            revision, built_at = conn.execute(_READY, {"key": BUILT_AT_KEY}).one()
    except SQLAlchemyError:
        return is_built(engine)
    return (revision == head_revision() and built_at is not None) or is_built(engine)


_READY = text("SELECT (SELECT version_num FROM alembic_version), "
              "(SELECT value FROM metadata WHERE key = :key)")


def clear_a_deleted_file(engine: Engine) -> None:
    """Under the build lock, when the SQLite file is gone: close the connections still on it
    and remove its orphan ``-wal``, ``-shm`` and ``-journal`` files, which SQLite would
    otherwise read as the new file's (« disk I/O error », or old pages in a new database)."""
    path = sqlite_file(engine)
    if path is None or path.exists():
        return
    engine.dispose()
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


# Engines whose connections are checked against their SQLite file (follow_the_sqlite_file).
_followed: weakref.WeakSet[Engine] = weakref.WeakSet()
_following = threading.Lock()
_OPENED = "tne_dash_sqlite_file"  # a pooled connection's info: the file it opened


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def follow_the_sqlite_file(engine: Engine) -> None:
    """SQLite: never hand out a connection to a database file deleted or replaced since the
    connection opened it. Such a connection goes on reading the old file (an open file
    outlives its name), so a running app would show it, or mix it with the empty file a new
    connection creates (« no such table »), and never rebuild. Each connection remembers the
    file (device, inode) it opened; at checkout, one whose file is no longer at the path is
    discarded and a new one opened. One ``stat`` per checkout; idempotent; nothing on other
    backends."""
    path = sqlite_file(engine)
    if path is None:
        return
    with _following:
        if engine in _followed:
            return
        _followed.add(engine)

    def remember(_dbapi, record) -> None:
        record.info[_OPENED] = _file_identity(path)

    def check(_dbapi, record, _proxy) -> None:
        now = _file_identity(path)
        opened = record.info.get(_OPENED)
        if opened is None:  # opened before it was followed: the file still there is its own
            record.info[_OPENED] = opened = now
        if now is None or now != opened:
            raise DisconnectionError(f"{path} supprimé ou remplacé depuis l'ouverture")

    event.listen(engine, "connect", remember)
    event.listen(engine, "checkout", check)
