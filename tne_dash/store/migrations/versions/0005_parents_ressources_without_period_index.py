"""Parents Ressources: no index on ``period_end`` alone.

A period reads nearly every count (a national total up to a date: 163 000 rows), and SQLite
took that index for it — one lookup per row, 100 ms — where a scan of the table takes 27 ms.
Lookups by commune keep the composite ``(commune_code, period_end)`` index of 0002, which
also finds each commune's latest count.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_parents_ressources_count_period_end",
                  table_name="parents_ressources_count")


def downgrade() -> None:
    op.create_index("ix_parents_ressources_count_period_end", "parents_ressources_count",
                    ["period_end"])
