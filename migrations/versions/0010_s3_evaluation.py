"""township evaluation: settings (weights, bottom rule) and close-supervision marks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 16:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('bottom_kind', sa.String(length=8), nullable=False),
    sa.Column('bottom_value', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_evaluation_setting_region_id_region')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_evaluation_setting_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_setting')),
    sa.UniqueConstraint('region_id', name=op.f('uq_evaluation_setting_region_id'))
    )
    with op.batch_alter_table('evaluation_setting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_setting_region_id'), ['region_id'], unique=False)

    op.create_table('close_supervision_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user.id'], name=op.f('fk_close_supervision_mark_marked_by_id_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_close_supervision_mark_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_close_supervision_mark')),
    sa.UniqueConstraint('region_id', 'year', name=op.f('uq_close_supervision_mark_region_id'))
    )
    with op.batch_alter_table('close_supervision_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_close_supervision_mark_region_id'), ['region_id'], unique=False)


def downgrade():
    with op.batch_alter_table('close_supervision_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_close_supervision_mark_region_id'))
    op.drop_table('close_supervision_mark')
    with op.batch_alter_table('evaluation_setting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_setting_region_id'))
    op.drop_table('evaluation_setting')
