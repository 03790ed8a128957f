"""The SQL a piece of code sends, recorded and replayed straight on the driver: the floor no
page can beat, measured by ``tne-dash bench`` in the same run."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine, event

# SQLAlchemy's own schema introspection (the "is the database built" check) reads these; its
# statements are driver-internal (not replayable as recorded) and cost microseconds.
SCHEMA_CATALOGS = ("pg_catalog", "sqlite_master", "sqlite_schema")


@dataclass
class RecordedSql:
    """The read statements a piece of code sent to the database, as the driver saw them."""

    statements: list[tuple[str, object]] = field(default_factory=list)


@contextlib.contextmanager
def record_sql() -> Iterator[RecordedSql]:
    """Record every SELECT any engine of this process executes inside the block (schema
    introspection aside)."""
    recorded = RecordedSql()

    def before(conn, cursor, statement, parameters, context, executemany):
        if (not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH"))
                and not any(catalog in statement for catalog in SCHEMA_CATALOGS)):
            recorded.statements.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield recorded
    finally:
        event.remove(Engine, "before_cursor_execute", before)


def replay_ms(engine: Engine, recorded: RecordedSql) -> float:
    """Milliseconds to execute the recorded statements directly on the driver, fetching
    every row: the floor no page can beat, measured in the same run."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        start = time.perf_counter()
        for statement, parameters in recorded.statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        elapsed = time.perf_counter() - start
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return elapsed * 1000
