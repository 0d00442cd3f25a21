"""intake: the proxy (代办) of a case, filled from the form's proxy roles

Revision ID: 0003_intake
Revises: 0002
Create Date: 2026-12-01 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_intake'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proxy_name', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('proxy_id_number', sa.String(length=18), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('proxy_relation', sa.String(length=20), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('proxy_relation')
        batch_op.drop_column('proxy_id_number')
        batch_op.drop_column('proxy_name')
