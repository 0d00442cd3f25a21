"""cases: 失信 first-occurrence warnings; listings record the kind, the warning, stopped cases

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dishonesty_warning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('warned_on', sa.Date(), nullable=False),
    sa.Column('correction_due_on', sa.Date(), nullable=False),
    sa.Column('corrected_on', sa.Date(), nullable=True),
    sa.Column('listed_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_dishonesty_warning_created_by_id_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_dishonesty_warning_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dishonesty_warning'))
    )
    with op.batch_alter_table('dishonesty_warning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dishonesty_warning_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_dishonesty_warning_region_id'), ['region_id'], unique=False)

    with op.batch_alter_table('dishonesty_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=32), nullable=False, server_default='other'))
        batch_op.add_column(sa.Column('warning_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stopped_cases', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.create_foreign_key(batch_op.f('fk_dishonesty_entry_warning_id_dishonesty_warning'), 'dishonesty_warning', ['warning_id'], ['id'])


def downgrade():
    with op.batch_alter_table('dishonesty_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dishonesty_entry_warning_id_dishonesty_warning'), type_='foreignkey')
        batch_op.drop_column('stopped_cases')
        batch_op.drop_column('warning_id')
        batch_op.drop_column('kind')
    with op.batch_alter_table('dishonesty_warning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dishonesty_warning_region_id'))
        batch_op.drop_index(batch_op.f('ix_dishonesty_warning_id_number'))
    op.drop_table('dishonesty_warning')
