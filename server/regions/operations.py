"""Writes for regions: CSV import of the division tree."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from ..audit.operations import record
from ..db import db
from .models import Region, RegionLevel, UrbanRural


class ImportError_(Exception):
    """Every problem found in an import file, with line numbers; nothing was saved."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def level_of(code: str) -> RegionLevel:
    if code.endswith("000000"):
        return RegionLevel.county
    if code.endswith("000"):
        return RegionLevel.township
    return RegionLevel.village


def import_regions(text: str, actor=None) -> tuple[int, int]:
    """Import ``code,name,parent_code[,urban_rural]`` rows. Returns (created, updated).

    All-or-nothing: any bad row aborts the import with every error listed.
    """
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if rows and rows[0] and rows[0][0].strip().lower() == "code":
        rows = [(None, None)] + rows[1:]  # keep line numbers right
    existing = {r.code: r for r in db.session.scalars(select(Region))}
    errors, pending = [], {}
    for lineno, row in enumerate(rows, start=1):
        if row == (None, None) or not any(c.strip() for c in row):
            continue
        cells = [c.strip() for c in row] + ["", "", ""]
        code, name, parent_code, urban_rural = cells[:4]
        if not (len(code) == 12 and code.isdigit()):
            errors.append(f"第 {lineno} 行: 区划代码必须是 12 位数字: {code!r}")
            continue
        if not name:
            errors.append(f"第 {lineno} 行: 名称不能为空")
            continue
        level = level_of(code)
        if level != RegionLevel.county:
            if not parent_code:
                errors.append(f"第 {lineno} 行: 乡镇和村必须填写上级代码")
                continue
            if parent_code not in existing and parent_code not in pending:
                errors.append(f"第 {lineno} 行: 上级代码 {parent_code} 不存在（上级须在前面的行或已导入）")
                continue
            parent_level = level_of(parent_code)
            expected = RegionLevel.county if level == RegionLevel.township else RegionLevel.township
            if parent_level != expected or not code.startswith(
                parent_code[: parent_level.prefix_length]
            ):
                errors.append(f"第 {lineno} 行: 上级代码 {parent_code} 与代码 {code} 不相符")
                continue
        if urban_rural and urban_rural not in {"urban", "rural", "城市", "农村"}:
            errors.append(f"第 {lineno} 行: 城乡类别只能是 urban/rural 或 城市/农村")
            continue
        ur = UrbanRural.urban if urban_rural in {"urban", "城市"} else UrbanRural.rural
        pending[code] = (name, parent_code or None, level, ur)
    if errors:
        raise ImportError_(errors)
    created = updated = 0
    for code, (name, parent_code, level, ur) in pending.items():
        region = existing.get(code)
        parent = existing.get(parent_code) if parent_code else None
        if region is None:
            region = Region(code=code, name=name, level=level, urban_rural=ur, parent=parent)
            db.session.add(region)
            existing[code] = region
            created += 1
        else:
            region.name, region.urban_rural, region.parent = name, ur, parent
            updated += 1
    db.session.flush()
    record("region.import", details={"created": created, "updated": updated}, actor=actor)
    return created, updated
