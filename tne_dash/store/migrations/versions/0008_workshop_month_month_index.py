"""Monthly sums: a covering index led by month, on PostgreSQL only.

PostgreSQL 15 cannot skip-scan ``ix_workshop_month_commune_month``: a short period of every
commune (France's last three months, read by the points de vigilance at each date) scanned
the whole table in parallel, 40 ms; led by month it is an index-only range, 5 ms. SQLite
skip-scans the commune-led index and took a month-led one for long periods, slower (a
département up to today 0.34 → 0.45 s): it does not get it (the model's ``ddl_if``).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ["month", "commune_code", "venue_id", "source", "workshops", "participations",
           "parents_reached", "children_reached", "duration_minutes", "last_date"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_workshop_month_month", "workshop_month", COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_workshop_month_month", table_name="workshop_month")
