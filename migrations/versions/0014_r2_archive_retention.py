"""archive retention rules per class of file

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('archive_retention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('doc_class', sa.String(length=32), nullable=False),
    sa.Column('years', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['region.id'], name=op.f('fk_archive_retention_county_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_retention')),
    sa.UniqueConstraint('county_id', 'doc_class', name=op.f('uq_archive_retention_county_id'))
    )


def downgrade():
    op.drop_table('archive_retention')
