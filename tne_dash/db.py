"""Engines, schema creation and the errors a user can act on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, make_url, select
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from tne_dash.models import Base, Metadata

BUILT_AT_KEY = "built_at"


class DatabaseUnavailable(RuntimeError):
    """The database URL is malformed or the server cannot be reached; the message is French."""


def redact_url(url: str) -> str:
    """The URL with its password hidden, safe to show in a message."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<adresse de base de données illisible>"


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
            f"Base de données injoignable : « {engine.url.render_as_string(hide_password=True)} »"
            f" ({type(exc.orig or exc).__name__})."
        ) from exc


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet."""
    Base.metadata.create_all(engine)


def drop_schema(engine: Engine) -> None:
    """Drop every table of the model."""
    Base.metadata.drop_all(engine)


def is_built(engine: Engine) -> bool:
    """True when the database holds a completed build (reference data loaded).

    A built database also gets the tables added since it was built (the import journal …):
    creating missing tables never touches existing rows.
    """
    check_connection(engine)
    if not inspect(engine).has_table(Metadata.__tablename__):
        return False
    with Session(engine) as session:
        built = session.get(Metadata, BUILT_AT_KEY) is not None
    if built:
        create_schema(engine)
    return built


def read_metadata(engine: Engine) -> dict[str, str]:
    """All build facts as a dict (empty when the database is not built)."""
    if not inspect(engine).has_table(Metadata.__tablename__):
        return {}
    with Session(engine) as session:
        return {m.key: m.value for m in session.scalars(select(Metadata))}
