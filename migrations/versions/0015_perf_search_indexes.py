"""search indexes: name prefix (text_pattern_ops on PostgreSQL), name trigrams (PostgreSQL)
and the indexed last four characters of members' ID numbers (``jiuzhu db upgrade`` runs
ANALYZE afterwards)

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

NAMES = (("case", "applicant_name"), ("member", "name"))


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("id_number_tail", sa.String(length=4), server_default="",
                                   nullable=False))
    tail = "right(id_number, 4)" if bind.dialect.name == "postgresql" else "substr(id_number, -4)"
    op.execute(f"UPDATE member SET id_number_tail = {tail}")
    op.create_index("ix_member_id_number_tail", "member", ["id_number_tail"])
    for table, column in NAMES:
        op.create_index(f"ix_{table}_{column}_prefix", table, [column],
                        postgresql_ops={column: "text_pattern_ops"})
    if bind.dialect.name == "postgresql":
        # trigrams make contains-search of 3+ characters indexable; pg_trgm ships with
        # PostgreSQL's contrib and is a trusted extension (the database owner may create it)
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column in NAMES:
            op.create_index(f"ix_{table}_{column}_trgm", table, [column], postgresql_using="gin",
                            postgresql_ops={column: "gin_trgm_ops"})


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, column in NAMES:
            op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
    for table, column in NAMES:
        op.drop_index(f"ix_{table}_{column}_prefix", table_name=table)
    op.drop_index("ix_member_id_number_tail", table_name="member")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("id_number_tail")
