"""Engines, the schema (through Alembic migrations) and the errors a user can act on."""

from __future__ import annotations

import functools
import logging
import re
import tempfile
import threading
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    URL,
    Connection,
    Engine,
    create_engine,
    event,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.exc import ArgumentError, DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from tne_dash.store.models import Base, Metadata

# SQLAlchemy's SQLite compiler drops a table's hint, where SQLite reads one after the table's
# name (``FROM workshop INDEXED BY ix_workshop_date``): with this, ``Select.with_hint(table,
# "INDEXED BY …", "sqlite")`` reaches SQLite — and only SQLite, by the hint's dialect name.
SQLiteCompiler.get_from_hint_text = lambda self, table, text: text

BUILT_AT_KEY = "built_at"
MIGRATIONS = Path(__file__).parent / "migrations"
# The first migration: the schema as databases built before migrations existed have it.
BASELINE_REVISION = "0001"


UNREACHABLE = ("Base de données injoignable : les chiffres ne peuvent pas être affichés pour "
               "le moment. Réessayez dans un instant.")
# Query-string arguments of a database URL that may carry a secret.
_SECRET_ARGUMENT = re.compile(r"pass|pwd|secret|token|key", re.IGNORECASE)


class DatabaseUnavailable(RuntimeError):
    """The database URL is malformed or the server cannot be reached.

    ``str()`` is the public French message, which says nothing of the URL; ``detail`` names
    the URL (passwords hidden) and the reason, for the server log and the operators' CLI.
    """

    def __init__(self, detail: str, public: str = UNREACHABLE):
        super().__init__(public)
        self.detail = detail


def redact_url(url: str) -> str:
    """The URL with every password hidden (``user:***@`` and ``?password=***``), safe to log."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "<adresse de base de données illisible>"
    hidden = {k: "***" if _SECRET_ARGUMENT.search(k) else v for k, v in parsed.query.items()}
    return parsed.set(query=hidden).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys and WAL so readers never block a writer."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(
            f"Adresse de base de données invalide : « {redact_url(url)} »."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    try:
        return create_engine(parsed, **_server_engine_options(parsed))
    except (ArgumentError, ImportError) as exc:
        raise DatabaseUnavailable(
            f"Pilote de base de données indisponible pour « {redact_url(url)} » : {exc}"
        ) from exc


def make_read_engine(read_url: str, primary_url: str) -> Engine:
    """An engine that reads from the replica at ``read_url`` — and, while the replica cannot
    be reached, from the primary at ``primary_url``, with one line in the server log.

    Every new connection first tries the replica and asks it ``SELECT 1`` (PgBouncer accepts
    a client before it has reached the server); when that fails, the connection is opened on
    the primary instead. A connection made on the primary is dropped at checkout once it is
    ``REPLICA_RETRY_S`` old, so reads return to the replica soon after it is back. The pool
    checks each connection before use (``pool_pre_ping``): a replica stopped under an open
    pool costs one reconnection — to the primary — not an error page. Same URL for both:
    a plain engine."""
    if read_url == primary_url:
        return make_engine(read_url)
    engine = make_engine(read_url)
    primary_engine = make_engine(primary_url)
    if engine.dialect.name != primary_engine.dialect.name:
        raise DatabaseUnavailable(
            f"La réplique « {redact_url(read_url)} » et la base « {redact_url(primary_url)} » "
            "doivent être du même type (une réplique en continu de la base).")
    primary_engine.dispose()  # only its dialect is used: how to connect to the primary
    fallback = _ReplicaFallback(engine, primary_engine)
    event.listen(engine, "do_connect", fallback.connect)
    event.listen(engine, "checkout", fallback.retry_replica)
    return engine


@functools.lru_cache(maxsize=4)
def shared_read_engine(read_url: str, primary_url: str) -> Engine:
    """One read engine per process for code that runs outside the pages' script runs (the
    HTTP API, the embedded cards): ``shared_read_engine(settings.reading_url,
    settings.database_url)``. The pages use ``tne_dash.ui.data.get_engine(read_url())``."""
    return make_read_engine(read_url, primary_url)


# A connection opened on the primary because the replica was down is given up after this
# long, and the replica tried again.
REPLICA_RETRY_S = 15.0
_ON_PRIMARY = "tne_dash_on_primary_since"
_log = logging.getLogger("tne_dash")


class _ReplicaFallback:
    """The read engine's connection hooks: the replica first, the primary when it fails."""

    def __init__(self, engine: Engine, primary_engine: Engine) -> None:
        self.replica_name = redact_url(engine.url.render_as_string(False))
        self.primary_dialect = primary_engine.dialect
        self.primary_args, params = primary_engine.dialect.create_connect_args(primary_engine.url)
        # The primary's own engine options too (psycopg's prepare_threshold).
        self.primary_params = {**params, **_server_engine_options(primary_engine.url).get(
            "connect_args", {})}
        self.replica_down = False
        self.lock = threading.Lock()

    def connect(self, dialect, record, cargs, cparams):
        if dialect.name == "postgresql":  # a replica that does not answer: not for long
            cparams.setdefault("connect_timeout", 5)
        try:
            connection = dialect.connect(*cargs, **cparams)
            try:
                cursor = connection.cursor()
                cursor.execute("SELECT 1")
                cursor.close()
                connection.rollback()
            except Exception:
                connection.close()
                raise
        except dialect.loaded_dbapi.Error as exc:
            with self.lock:
                if not self.replica_down:
                    _log.warning("Réplique en lecture injoignable (%s : %s) : les lectures "
                                 "passent par la base principale.", self.replica_name,
                                 type(exc).__name__)
                self.replica_down = True
            record.info[_ON_PRIMARY] = time.monotonic()
            return self.primary_dialect.connect(*self.primary_args, **self.primary_params)
        with self.lock:
            if self.replica_down:
                _log.warning("Réplique en lecture de nouveau joignable (%s) : les lectures y "
                             "retournent.", self.replica_name)
            self.replica_down = False
        record.info.pop(_ON_PRIMARY, None)
        return connection

    def retry_replica(self, _dbapi_connection, record, _proxy) -> None:
        since = record.info.get(_ON_PRIMARY)
        if since is not None and time.monotonic() - since > REPLICA_RETRY_S:
            raise DisconnectionError("connexion de repli sur la base principale : réplique "
                                     "essayée de nouveau")


def serves_current_schema(engine: Engine) -> bool:
    """True when the database answers, is built and is at the code's migration — one query,
    never a write (a read replica can answer it). False on any database error."""
    try:
        with engine.connect() as conn:
            revision, built_at = conn.execute(_BUILT_AND_REVISION, {"key": BUILT_AT_KEY}).one()
    except SQLAlchemyError:
        return False
    return revision == head_revision() and built_at is not None


_BUILT_AND_REVISION = text("SELECT (SELECT version_num FROM alembic_version), "
                           "(SELECT value FROM metadata WHERE key = :key)")


def _server_engine_options(url: URL) -> dict:
    """A database server's engine, the same whether PgBouncer (transaction pooling) sits in
    front or not: each pooled connection is checked before use (``pool_pre_ping``: a server
    restarted or a pooler that lost its server connection costs one reconnection, not an
    error page), and psycopg never prepares statements on the server — under transaction
    pooling the next transaction may run on another server connection, where a prepared
    statement does not exist (``prepare_threshold=None``)."""
    options: dict = {"pool_pre_ping": True}
    if url.get_driver_name() == "psycopg":
        options["connect_args"] = {"prepare_threshold": None}
    return options


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnavailable with a French message if the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except (OperationalError, SQLAlchemyError) as exc:
        raise DatabaseUnavailable(
            f"Base de données injoignable : « {redact_url(engine.url.render_as_string(False))} »"
            f" ({type(exc.orig or exc).__name__})."
        ) from exc


def alembic_config(connection: Connection | None) -> Config:
    """Alembic's configuration in code (no alembic.ini): our migrations, this connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    """The latest migration shipped with this version of the code (read once per process:
    the scripts ship with the code)."""
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at (None: no schema, or one made before migrations)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the latest migration — the only way tables are created, on every
    backend. A database built before migrations existed (tables but no ``alembic_version``)
    is first stamped at the baseline it was built with, then upgraded."""
    with engine.begin() as conn:
        config = alembic_config(conn)
        tables = inspect(conn)
        if not tables.has_table("alembic_version") and tables.has_table(Metadata.__tablename__):
            command.stamp(config, BASELINE_REVISION)
        command.upgrade(config, "head")


def new_revision(message: str) -> str:
    """Autogenerate the migration from the last revision to ``models.py`` (developers): a
    throw-away SQLite database at head is compared with the models. Returns its path."""
    next_id = f"{int(head_revision()) + 1:04d}"  # revisions are numbered 0001, 0002…
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/head.sqlite")
        upgrade_schema(engine)
        with engine.begin() as conn:
            script = command.revision(alembic_config(conn), message=message, autogenerate=True,
                                      rev_id=next_id)
        engine.dispose()
    return script.path


def drop_schema(engine: Engine) -> None:
    """Drop every table of the model and the migration marker (``init-db --force``)."""
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def is_built(engine: Engine) -> bool:
    """True when the database holds a completed build (reference data loaded).

    A built database behind the code's migrations is upgraded first (new tables, new
    indexes): migrations never touch existing rows' meaning.
    """
    check_connection(engine)
    if not inspect(engine).has_table(Metadata.__tablename__):
        return False
    if schema_revision(engine) != head_revision():
        upgrade_schema(engine)
    with Session(engine) as session:
        return session.get(Metadata, BUILT_AT_KEY) is not None


def read_metadata(engine: Engine) -> dict[str, str]:
    """All build facts as a dict (empty when the database is not built)."""
    if not inspect(engine).has_table(Metadata.__tablename__):
        return {}
    with Session(engine) as session:
        return {m.key: m.value for m in session.scalars(select(Metadata))}
