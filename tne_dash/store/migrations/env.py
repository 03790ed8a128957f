"""Alembic environment: always run from ``tne_dash.store.db.upgrade`` with a live connection."""

from __future__ import annotations

from alembic import context

from tne_dash.store.models import Base, built_on

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=built_on(connection.dialect.name),
)
with context.begin_transaction():
    context.run_migrations()
