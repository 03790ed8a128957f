"""Alembic owns the schema: the migrations build exactly the models, a database built before
migrations is adopted without losing a row, and ``tne-dash db`` says where a database is."""

from __future__ import annotations

import shutil

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from tne_dash.cli import main
from tne_dash.store import db
from tne_dash.store.db import (
    BASELINE_REVISION,
    BUILT_AT_KEY,
    alembic_config,
    drop_schema,
    head_revision,
    is_built,
    make_engine,
    schema_revision,
    upgrade_schema,
)
from tne_dash.store.models import Base, Metadata, built_on


def test_the_migrations_build_exactly_the_tables_and_indexes_of_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": built_on(conn.dialect.name)})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert schema_revision(engine) == head_revision()


def test_the_monthly_sums_are_indexed_by_month_on_postgresql_only(engine):
    indexes = {index["name"] for index in inspect(engine).get_indexes("workshop_month")}
    assert "ix_workshop_month_commune_month" in indexes
    assert ("ix_workshop_month_month" in indexes) == (engine.dialect.name == "postgresql")


def test_the_migrations_go_down_to_nothing_and_up_again(engine):
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_schema(engine)
    assert "workshop" in inspect(engine).get_table_names()


def test_a_database_built_before_migrations_is_adopted_with_its_rows(db_url):
    engine = make_engine(db_url)
    drop_schema(engine)
    with engine.begin() as conn:  # the first releases' schema (0001), without the marker
        command.upgrade(db.alembic_config(conn), BASELINE_REVISION)
        conn.exec_driver_sql("DROP TABLE alembic_version")
    with Session(engine) as session, session.begin():
        session.add(Metadata(key=BUILT_AT_KEY, value="2026-01-05T10:00:00+00:00"))
    assert schema_revision(engine) is None
    assert is_built(engine)  # what every page run checks: it upgrades on the way
    assert schema_revision(engine) == head_revision()
    with Session(engine) as session:
        assert session.scalar(select(Metadata.value)) == "2026-01-05T10:00:00+00:00"
    engine.dispose()


def test_tne_dash_db_upgrade_creates_the_schema_then_says_it_is_current(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert main(["db", "current", "--database-url", url]) == 0
    assert capsys.readouterr().out.startswith("Révision de la base : aucune ; révision du code")
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert capsys.readouterr().out == f"Schéma à jour : révision {head_revision()} (depuis " \
                                      "aucune).\n"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert capsys.readouterr().out == f"Schéma à jour : révision {head_revision()}.\n"


def test_a_new_revision_of_unchanged_models_migrates_nothing(monkeypatch, tmp_path):
    # Written to a copy of the migrations, so the real folder never changes.
    copy = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, copy)
    monkeypatch.setattr(db, "MIGRATIONS", copy)
    path = db.new_revision("no change")
    text = open(path, encoding="utf-8").read()
    head = head_revision()
    assert f"down_revision = '{head}'" in text
    assert f"revision = '{int(head) + 1:04d}'" in text  # numbered after the last one
    assert "op." not in text  # nothing to create, alter or drop
