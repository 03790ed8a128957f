"""Monthly workshop sums: ``workshop_month``, summed from the workshops already there.

The indicator path reads whole months of a period from this table instead of every
workshop (``store/workshop_months.py`` keeps it exact in the transaction of every write).
A database upgraded here gets its sums at once, from its own workshops.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from tne_dash.store import workshop_months

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("workshops", sa.Integer(), nullable=False),
        sa.Column("participations", sa.Integer(), nullable=False),
        sa.Column("parents_reached", sa.Integer(), nullable=False),
        sa.Column("children_reached", sa.Integer(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["commune_code"], ["commune.code_insee"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # Every column, led by (commune, month): a territory's months by seek (and the refresh of
    # a write), and any period of the whole table read from the index alone — a national
    # total in 90 ms on SQLite, where a lookup per row of an index on the month took 350 ms.
    op.create_index("ix_workshop_month_commune_month", "workshop_month",
                    ["commune_code", "month", "venue_id", "source", "workshops",
                     "participations", "parents_reached", "children_reached",
                     "duration_minutes", "last_date"])
    workshop_months.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_workshop_month_commune_month", table_name="workshop_month")
    op.drop_table("workshop_month")
