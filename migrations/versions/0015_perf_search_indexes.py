"""search indexes: name prefix (text_pattern_ops), name trigrams and reversed ID numbers on
PostgreSQL; planner statistics afterwards

Revision ID: 0015
Revises: 0007
"""
from alembic import op
from sqlalchemy import text

revision = '0015'
down_revision = '0007'
branch_labels = None
depends_on = None

NAMES = (("case", "applicant_name"), ("member", "name"))


def upgrade():
    bind = op.get_bind()
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
        op.execute("CREATE INDEX ix_member_id_number_reversed ON member "
                   "(reverse(id_number) text_pattern_ops)")
    bind.execute(text("ANALYZE"))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_index("ix_member_id_number_reversed", table_name="member")
        for table, column in NAMES:
            op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
    for table, column in NAMES:
        op.drop_index(f"ix_{table}_{column}_prefix", table_name=table)
