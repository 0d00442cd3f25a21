"""Administrative regions: county → township/street → village/community."""
from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..db import Base


class RegionLevel(str, enum.Enum):
    county = "county"
    township = "township"
    village = "village"

    @property
    def prefix_length(self) -> int:
        """Digits of the 12-digit statistical code that identify a region of this level."""
        return {"county": 6, "township": 9, "village": 12}[self.value]


class UrbanRural(str, enum.Enum):
    urban = "urban"
    rural = "rural"


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[RegionLevel] = mapped_column(Enum(RegionLevel, native_enum=False, length=16))
    urban_rural: Mapped[UrbanRural] = mapped_column(
        Enum(UrbanRural, native_enum=False, length=8), default=UrbanRural.rural
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)

    parent: Mapped[Region | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.code")

    @property
    def prefix(self) -> str:
        """Code prefix shared by this region and everything under it."""
        return self.code[: self.level.prefix_length]

    def contains(self, other: Region) -> bool:
        return other.code.startswith(self.prefix)

    @property
    def county(self) -> Region:
        region = self
        while region.level != RegionLevel.county and region.parent is not None:
            region = region.parent
        return region

    @property
    def township(self) -> Region | None:
        region = self
        while region is not None and region.level != RegionLevel.township:
            region = region.parent
        return region

    @property
    def full_name(self) -> str:
        names, region = [], self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class RegionScoped:
    """Mixin for records that belong to a region; reads go through ``regions.queries.scoped``."""

    @declared_attr
    def region_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("region.id"), index=True)

    @declared_attr
    def region(cls) -> Mapped[Region]:
        return relationship(Region)
