"""intake: the proxy (代办) of a case, filled from the form's proxy roles; uploads bound to
the uploader's region

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_upload_created_by_id_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_upload_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upload'))
    )
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_upload_sha256'), ['sha256'], unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proxy_name', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('proxy_id_number', sa.String(length=18), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('proxy_relation', sa.String(length=20), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_sha256'))
        batch_op.drop_index(batch_op.f('ix_upload_region_id'))
    op.drop_table('upload')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('proxy_relation')
        batch_op.drop_column('proxy_id_number')
        batch_op.drop_column('proxy_name')
