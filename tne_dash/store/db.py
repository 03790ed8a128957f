"""Engines, the schema (through Alembic migrations) and the errors a user can act on."""

from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, select
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from tne_dash.store.models import Base, Metadata

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
        return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseUnavailable(
            f"Pilote de base de données indisponible pour « {redact_url(url)} » : {exc}"
        ) from exc


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
