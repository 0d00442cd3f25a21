"""items: relief items as rows (relief_item); the code columns become strings referencing them

Creates ``relief_item`` and seeds the shipped items from ``forms/items.yaml``; the relief_type
of case, schema_version, workflow_setting and intake_draft widens from the four-value enum
(VARCHAR(4)) to VARCHAR(8) with a foreign key to relief_item.code. Data is kept both ways; the
downgrade refuses while a county's own item exists (the old enum cannot hold it).

Revision ID: 0024
Revises: 0022
"""
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None

ITEMS_FILE = Path(__file__).resolve().parents[2] / "forms" / "items.yaml"
TABLES = ("case", "schema_version", "workflow_setting", "intake_draft")


def _seed_rows() -> list[dict]:
    """The shipped items as the file gives them today (only the columns made here)."""
    data = yaml.safe_load(ITEMS_FILE.read_text(encoding="utf-8"))
    return [{"code": raw["code"], "position": position, "name": raw["name"],
             "name_en": raw.get("name_en", ""), "short_name": raw["short_name"],
             "short_name_en": raw.get("short_name_en", ""), "unit": raw["unit"],
             "family": raw["family"], "is_paid": bool(raw["is_paid"]),
             "basis": raw.get("basis", ""), "settings": dict(raw.get("settings") or {}),
             "is_shipped": True, "is_active": True, "county_id": None, "updated_by_id": None,
             "updated_at": sa.func.now()}
            for position, raw in enumerate(data["items"])]


def upgrade():
    table = op.create_table('relief_item',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('short_name', sa.String(length=20), nullable=False),
    sa.Column('short_name_en', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('family', sa.String(length=16), nullable=False),
    sa.Column('is_paid', sa.Boolean(), nullable=False),
    sa.Column('basis', sa.String(length=300), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('is_shipped', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['region.id'], name=op.f('fk_relief_item_county_id_region')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_relief_item_updated_by_id_user')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_relief_item'))
    )
    rows = _seed_rows()
    for row in rows:  # one by one: the timestamp is an SQL expression
        op.execute(table.insert().values(**row))
    codes = [row["code"] for row in rows]
    bind = op.get_bind()
    for name in TABLES:
        unknown = bind.execute(sa.text(
            f'SELECT DISTINCT relief_type FROM "{name}" WHERE relief_type NOT IN '
            f'({", ".join(repr(c) for c in codes)})')).scalars().all()
        if unknown:
            raise RuntimeError(f"{name}.relief_type holds codes forms/items.yaml lacks: {unknown}")
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('relief_type', existing_type=sa.String(length=4),
                                  type_=sa.String(length=8), existing_nullable=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{name}_relief_type_relief_item'),
                                        'relief_item', ['relief_type'], ['code'])


def downgrade():
    bind = op.get_bind()
    own = bind.execute(sa.text(
        "SELECT code FROM relief_item WHERE NOT is_shipped")).scalars().all()
    if own:
        raise RuntimeError(f"the counties' own relief items {own} cannot be kept by the old "
                           "schema: remove them (and what uses them) before downgrading")
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{name}_relief_type_relief_item'),
                                     type_='foreignkey')
            batch_op.alter_column('relief_type', existing_type=sa.String(length=8),
                                  type_=sa.String(length=4), existing_nullable=False)
    op.drop_table('relief_item')
