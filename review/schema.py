"""Schema migrations with Alembic, driven from code so `review db upgrade` needs no alembic.ini."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata

from . import models  # noqa: F401  (registers the tables)
from . import idempotency, throttle  # noqa: F401
from . import originals  # noqa: F401
from .db import Base, Database

target_metadata = Base.metadata
MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection=None) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def revision(db: Database, message: str) -> None:
    """Autogenerate a new migration from the models (a developer's tool: `review db revision`)."""
    with db.engine.begin() as connection:
        command.revision(_alembic_config(connection), message=message, autogenerate=True)


def drift(db: Database) -> list:
    """Differences between the migrated database and the models; empty when they agree."""
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), target_metadata)
