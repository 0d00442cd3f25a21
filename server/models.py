"""Imports every room's models so the metadata is complete (Alembic, create_all)."""
from .db import Base
from .rooms import room_modules

room_modules("models")

metadata = Base.metadata
