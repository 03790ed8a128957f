"""Parents Ressources: find each commune's latest count with one index seek.

The stock of active Parents Ressources reads, for each commune, its count with the largest
``period_end`` before the date (``indicators._parents_ressources_active_query``: a join of
``parents_ressources_count`` to its own per-commune ``max(period_end)``). With only the
single-column indexes, SQLite joined back through ``period_end`` alone — every commune
shares the same latest month, so each of the 7 000 communes scanned 7 000 rows: 27 s for
``tne-dash indicators --scope national`` on the national database, 39 ms with this index.

The composite index also serves every lookup by commune (its leading column), so the
single-column ``commune_code`` index it replaces is dropped.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_parents_ressources_count_commune_period_end",
                    "parents_ressources_count", ["commune_code", "period_end"])
    op.drop_index("ix_parents_ressources_count_commune_code",
                  table_name="parents_ressources_count")


def downgrade() -> None:
    op.create_index("ix_parents_ressources_count_commune_code", "parents_ressources_count",
                    ["commune_code"])
    op.drop_index("ix_parents_ressources_count_commune_period_end",
                  table_name="parents_ressources_count")
