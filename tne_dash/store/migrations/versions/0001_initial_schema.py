"""The initial schema: reference, activity, journal — as the first release built it.

Each index says which queries use it.

Revision ID: 0001
Revises: -
Create Date: 2026-11-22 08:29:18.315912
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('external_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_kind', sa.String(length=12), nullable=False),
    sa.Column('scope_code', sa.String(length=5), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('indicator', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('user_name', sa.String(length=100), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('set_aside', sa.Integer(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    # Re-import check: « this file was already imported » looks the hash up.
    op.create_index('ix_import_batch_sha256', 'import_batch', ['sha256'])

    op.create_table('metadata',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_kind', sa.String(length=12), nullable=False),
    sa.Column('scope_code', sa.String(length=5), nullable=False),
    sa.Column('period_kind', sa.String(length=14), nullable=False),
    sa.Column('period_label', sa.String(length=9), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('indicator', sa.String(length=60), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scope_kind', 'scope_code', 'period_label', 'indicator')
    )
    op.create_table('region',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('departement',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=3), nullable=False),
    sa.Column('zone', sa.String(length=5), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('tne_cohort', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    # The TNE scope and the map of France select départements by cohort.
    op.create_index('ix_departement_tne_cohort', 'departement', ['tne_cohort'])

    op.create_table('import_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('previous', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    # Undo an import: every change of one batch.
    op.create_index('ix_import_change_batch_id', 'import_change', ['batch_id'])

    op.create_table('commune',
    sa.Column('code_insee', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('departement_code', sa.String(length=3), nullable=False),
    sa.Column('epci_code', sa.String(length=9), nullable=True),
    sa.Column('epci_name', sa.String(length=150), nullable=True),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['departement_code'], ['departement.code'], ),
    sa.PrimaryKeyConstraint('code_insee')
    )
    # Every département-scoped query (indicators, phases, map, ranks) joins
    # commune and filters on its département.
    op.create_index('ix_commune_departement_code', 'commune', ['departement_code'])
    # Indicateurs grouped by EPCI; the EPCI filter.
    op.create_index('ix_commune_epci_code', 'commune', ['epci_code'])

    op.create_table('departement_strategy',
    sa.Column('departement_code', sa.String(length=3), nullable=False),
    sa.Column('validated_on', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['departement_code'], ['departement.code'], ),
    sa.PrimaryKeyConstraint('departement_code')
    )
    op.create_table('cnfs_structure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('public_private', sa.String(length=8), nullable=False),
    sa.Column('employer_kind', sa.String(length=20), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('coselec_date', sa.Date(), nullable=True),
    sa.Column('france_services', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code_insee'], ),
    sa.PrimaryKeyConstraint('id')
    )
    # CNFS posts per commune (indicators, map layer) join on the commune.
    op.create_index('ix_cnfs_structure_commune_code', 'cnfs_structure', ['commune_code'])
    # The ANCT file's structures are matched by SIRET on reload.
    op.create_index('ix_cnfs_structure_siret', 'cnfs_structure', ['siret'])

    op.create_table('parents_ressources_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('recruited', sa.Integer(), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('meetings', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code_insee'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('commune_code', 'period_start', 'period_end')
    )
    # Parents Ressources per commune (indicators, Déploiement).
    op.create_index('ix_parents_ressources_count_commune_code', 'parents_ressources_count',
                    ['commune_code'])
    # PR flows count periods whose end falls in the chosen period; the stock
    # of active PR reads the latest period_end before the date.
    op.create_index('ix_parents_ressources_count_period_end', 'parents_ressources_count',
                    ['period_end'])

    op.create_table('rollout_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('year_number', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('school_year', sa.String(length=9), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code_insee'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('commune_code', 'year_number')
    )
    # A commune's plan (phase at a date, timeline, engaged communes).
    op.create_index('ix_rollout_year_commune_code', 'rollout_year', ['commune_code'])

    op.create_table('school',
    sa.Column('uai', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('sector', sa.String(length=7), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('position_is_commune', sa.Boolean(), nullable=False),
    sa.Column('education_prioritaire', sa.String(length=4), nullable=True),
    sa.Column('strategy_target', sa.Boolean(), nullable=False),
    sa.Column('pcn_since', sa.Date(), nullable=True),
    sa.Column('programme_source', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code_insee'], ),
    sa.PrimaryKeyConstraint('uai')
    )
    # Schools per commune (per-school rates, target schools, map layer).
    op.create_index('ix_school_commune_code', 'school', ['commune_code'])
    # The school-level filter (écoles, collèges, lycées).
    op.create_index('ix_school_level', 'school', ['level'])

    op.create_table('venue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('school_uai', sa.String(length=8), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code_insee'], ),
    sa.ForeignKeyConstraint(['school_uai'], ['school.uai'], ),
    sa.PrimaryKeyConstraint('id')
    )
    # Venues of a commune (Saisie picker, map layer).
    op.create_index('ix_venue_commune_code', 'venue', ['commune_code'])
    # The venue-kind filter and breakdown.
    op.create_index('ix_venue_kind', 'venue', ['kind'])

    op.create_table('workshop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=30), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('facilitator_kind', sa.String(length=20), nullable=False),
    sa.Column('parents_count', sa.Integer(), nullable=False),
    sa.Column('first_time_parents_count', sa.Integer(), nullable=False),
    sa.Column('children_count', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('external_ref', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['commune.code_insee'], ),
    sa.ForeignKeyConstraint(['venue_id'], ['venue.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_ref')
    )
    # The workshop query of every indicator: scope (commune, through the
    # commune join) and period (date) together; also the latest workshop per commune.
    op.create_index('ix_workshop_commune_date', 'workshop', ['commune_code', 'date'])
    # Period-only scans: national and TNE totals, the month slide, freshness.
    op.create_index('ix_workshop_date', 'workshop', ['date'])
    # « Sans données de démonstration » leaves demo rows out by source.
    op.create_index('ix_workshop_source', 'workshop', ['source'])
    # Workshops per venue (map sizes) and the venue-kind join.
    op.create_index('ix_workshop_venue_id', 'workshop', ['venue_id'])

    op.create_table('workshop_theme',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', 'theme')
    )
    # The theme filter (EXISTS on workshop_theme) and the theme breakdown.
    op.create_index('ix_workshop_theme_theme', 'workshop_theme', ['theme'])



def downgrade() -> None:
    op.drop_index('ix_workshop_theme_theme', table_name='workshop_theme')

    op.drop_table('workshop_theme')
    op.drop_index('ix_workshop_venue_id', table_name='workshop')
    op.drop_index('ix_workshop_source', table_name='workshop')
    op.drop_index('ix_workshop_date', table_name='workshop')
    op.drop_index('ix_workshop_commune_date', table_name='workshop')

    op.drop_table('workshop')
    op.drop_index('ix_venue_kind', table_name='venue')
    op.drop_index('ix_venue_commune_code', table_name='venue')

    op.drop_table('venue')
    op.drop_index('ix_school_level', table_name='school')
    op.drop_index('ix_school_commune_code', table_name='school')

    op.drop_table('school')
    op.drop_index('ix_rollout_year_commune_code', table_name='rollout_year')

    op.drop_table('rollout_year')
    op.drop_index('ix_parents_ressources_count_period_end', table_name='parents_ressources_count')
    op.drop_index('ix_parents_ressources_count_commune_code', table_name='parents_ressources_count')

    op.drop_table('parents_ressources_count')
    op.drop_index('ix_cnfs_structure_siret', table_name='cnfs_structure')
    op.drop_index('ix_cnfs_structure_commune_code', table_name='cnfs_structure')

    op.drop_table('cnfs_structure')
    op.drop_table('departement_strategy')
    op.drop_index('ix_commune_epci_code', table_name='commune')
    op.drop_index('ix_commune_departement_code', table_name='commune')

    op.drop_table('commune')
    op.drop_index('ix_import_change_batch_id', table_name='import_change')

    op.drop_table('import_change')
    op.drop_index('ix_departement_tne_cohort', table_name='departement')

    op.drop_table('departement')
    op.drop_table('region')
    op.drop_table('objective')
    op.drop_table('metadata')
    op.drop_index('ix_import_batch_sha256', table_name='import_batch')

    op.drop_table('import_batch')
    op.drop_table('external_measure')
