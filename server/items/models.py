"""Relief items (救助项目) as rows: the shipped items from ``forms/items.yaml`` and the items a
county adds. Cases, form versions, workflow settings and intake drafts store an item's code."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, event, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from ..relief import FILE_ITEMS, Family, ReliefType


class ReliefItem(Base):
    """One item: what ``ReliefType`` says, plus its place in lists and whether it is shipped
    (kept equal to the file) and published (in force; a county's draft is not)."""

    __tablename__ = "relief_item"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    short_name: Mapped[str] = mapped_column(String(20))
    short_name_en: Mapped[str] = mapped_column(String(40), default="")
    unit: Mapped[str] = mapped_column(String(16))
    family: Mapped[str] = mapped_column(String(16))
    is_paid: Mapped[bool]
    basis: Mapped[str] = mapped_column(String(300), default="")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    is_shipped: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=False)  # published: in force
    county_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))  # who added it
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def id(self) -> str:  # the audit trail's object id
        return self.code

    @property
    def region_id(self) -> int | None:  # the audit trail's region
        return self.county_id

    def as_type(self) -> ReliefType:
        return ReliefType(
            code=self.code, name=self.name, short_name=self.short_name, unit=self.unit,
            is_paid=self.is_paid, family=Family(self.family), name_en=self.name_en,
            short_name_en=self.short_name_en, basis=self.basis,
            settings=dict(self.settings or {}))


def shipped_values(kind: ReliefType, position: int) -> dict:
    """The row of a shipped item, as the file defines it."""
    return {"code": kind.code, "position": position, "name": kind.name, "name_en": kind.name_en,
            "short_name": kind.short_name, "short_name_en": kind.short_name_en,
            "unit": kind.unit, "family": kind.family.value, "is_paid": kind.is_paid,
            "basis": kind.basis, "settings": dict(kind.settings), "is_shipped": True,
            "is_active": True, "updated_at": utcnow()}


def sync_shipped(connection) -> list[str]:
    """Make the shipped rows equal to ``forms/items.yaml`` (insert or update them); county
    rows are not touched. Returns the codes written."""
    table = ReliefItem.__table__
    stored = {row.code: row for row in connection.execute(select(table))}
    written = []
    for position, kind in enumerate(FILE_ITEMS.values()):
        values = shipped_values(kind, position)
        row = stored.get(kind.code)
        if row is None:
            connection.execute(insert(table).values(**values))
        elif any(getattr(row, k) != v for k, v in values.items() if k != "updated_at"):
            connection.execute(update(table).where(table.c.code == kind.code).values(**values))
        else:
            continue
        written.append(kind.code)
    return written


@event.listens_for(ReliefItem.__table__, "after_create")
def _seed(table, connection, **kw):
    """A new table (``create_all``) starts with the shipped items, as the migration seeds them:
    the code columns' foreign keys need them."""
    sync_shipped(connection)
