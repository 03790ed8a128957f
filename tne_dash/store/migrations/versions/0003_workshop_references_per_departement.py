"""Workshop references of the template are scoped by département.

Two coordinators may both number their workshops « ATELIER-001 »: the idempotence key of a
template row was ``ref:<reference>``, so the second import updated the first coordinator's
workshop (in another département). It becomes ``ref:<département>:<reference>``; rows
already imported take the département of their commune. Keys of the Saisie form
(``saisie:``) and of the Coop (``coop:``, the Coop's own unique ID) are unchanged.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE workshop SET external_ref = 'ref:' || (SELECT c.departement_code FROM commune c "
        "WHERE c.code_insee = workshop.commune_code) || ':' || substr(external_ref, 5) "
        "WHERE external_ref LIKE 'ref:%'")


def downgrade() -> None:
    # ref:95:ATELIER-001 → ref:ATELIER-001 (a département code has no colon).
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, external_ref FROM workshop "
                                "WHERE external_ref LIKE 'ref:%:%'")).all()
    if rows:
        conn.execute(sa.text("UPDATE workshop SET external_ref = :ref WHERE id = :id"),
                     [{"id": row.id, "ref": "ref:" + row.external_ref.split(":", 2)[2]}
                      for row in rows])
