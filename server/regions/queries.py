"""The one place region scoping is enforced: every read of scoped records goes through here."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from ..db import db
from .models import Region, RegionScoped


def _user(user):
    return current_user if user is None else user


def scoped(model_or_stmt, user=None) -> Select:
    """A ``select`` limited to the rows under the user's region.

    Accepts a model class or an existing ``select`` whose first entity is the model.
    """
    user = _user(user)
    stmt = select(model_or_stmt) if isinstance(model_or_stmt, type) else model_or_stmt
    model = stmt.column_descriptions[0]["entity"]
    prefix = user.region.prefix
    if model is Region:
        return stmt.where(Region.code.startswith(prefix, autoescape=True))
    if issubclass(model, RegionScoped) or hasattr(model, "region_id"):
        scope = select(Region.id).where(Region.code.startswith(prefix, autoescape=True))
        return stmt.where(model.region_id.in_(scope))
    scope_via = getattr(model, "__scope_via__", None)
    if scope_via is not None:
        # records that belong to a scoped parent, e.g. a user's API token
        parent_model, fk = scope_via
        return stmt.where(fk.in_(scoped(parent_model, user).with_only_columns(parent_model.id)))
    raise TypeError(f"{model.__name__} is not region-scoped")


def get_scoped(model, object_id, user=None):
    """The object with this id if the user's region covers it, else None."""
    stmt = scoped(model, user).where(model.id == object_id)
    return db.session.scalars(stmt).first()


def get_scoped_or_404(model, object_id, user=None):
    obj = get_scoped(model, object_id, user)
    if obj is None:
        abort(404)
    return obj


def region_by_code(code: str) -> Region | None:
    return db.session.scalars(select(Region).where(Region.code == code)).first()


def region_tree(user=None) -> list[dict]:
    """Regions visible to the user as nested dicts, root first."""
    regions = db.session.scalars(scoped(Region, user).order_by(Region.code)).all()
    by_id = {r.id: {"id": r.id, "code": r.code, "name": r.name, "level": r.level.value,
                    "urban_rural": r.urban_rural.value, "children": []} for r in regions}
    roots = []
    for r in regions:
        node = by_id[r.id]
        if r.parent_id in by_id:
            by_id[r.parent_id]["children"].append(node)
        else:
            roots.append(node)
    return roots


def villages_of(user=None) -> list[Region]:
    from .models import RegionLevel

    stmt = scoped(Region, user).where(Region.level == RegionLevel.village).order_by(Region.code)
    return list(db.session.scalars(stmt))
