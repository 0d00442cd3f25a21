"""standards: named values of a standard version (standard_value)

Revision ID: 0022
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('standard_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_set_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['standard_set_id'], ['standard_set.id'], name=op.f('fk_standard_value_standard_set_id_standard_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_value')),
    sa.UniqueConstraint('standard_set_id', 'name', name=op.f('uq_standard_value_standard_set_id'))
    )
    with op.batch_alter_table('standard_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_value_standard_set_id'), ['standard_set_id'], unique=False)


def downgrade():
    with op.batch_alter_table('standard_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_value_standard_set_id'))
    op.drop_table('standard_value')
