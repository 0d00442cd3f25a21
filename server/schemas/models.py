"""Form schema versions: a draft is editable, a published version is immutable."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from ..i18n import in_page_language


class SchemaStatus(str, enum.Enum):
    draft = "draft"
    published = "published"


class SchemaVersion(Base):
    """One version of a relief type's intake form, for one county."""

    __tablename__ = "schema_version"
    __table_args__ = (UniqueConstraint("county_id", "relief_type", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    relief_type: Mapped[str] = mapped_column(String(8), ForeignKey("relief_item.code"))
    number: Mapped[int]  # 1, 2, 3 … per county and relief type; drafts get the next number
    status: Mapped[SchemaStatus] = mapped_column(
        Enum(SchemaStatus, native_enum=False, length=16), default=SchemaStatus.draft)
    source: Mapped[str] = mapped_column(Text)  # the YAML (or JSON) as the admin wrote it
    definition: Mapped[dict] = mapped_column(JSON)  # the parsed, validated schema
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    @property
    def region_id(self) -> int:  # scoping: visible to users under the county (queries.py)
        return self.county_id

    @property
    def is_draft(self) -> bool:
        return self.status == SchemaStatus.draft

    @property
    def title(self) -> str:
        """The form's title in the page's language (``title_en`` on English pages)."""
        definition = self.definition or {}
        return in_page_language(definition.get("title", ""), definition.get("title_en", ""))
