"""Every ORM model of the service, imported so that `metadata` knows all tables.

Alembic (`migrations/env.py`) and the tests read `metadata` from here, so a
model that is not imported below has no table. Modules add their import at
the marker (graft injects it there).
"""
# Those imports are there for their side effect: registering the tables.
# pyright: reportUnusedImport=false

from .base import Base

metadata = Base.metadata

# graft: models
