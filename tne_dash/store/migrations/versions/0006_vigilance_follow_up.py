"""Points de vigilance: a commune can be marked « suivie » with a short note (journaled).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vigilance_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("followed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=280), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["commune_code"], ["commune.code_insee"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commune_code"),
    )


def downgrade() -> None:
    op.drop_table("vigilance_follow_up")
