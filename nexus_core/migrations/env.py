"""Alembic environment: the target metadata is every SQLModel table in nexus_core.models."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import nexus_core.models  # noqa: F401  (registers the tables)
from nexus_core.db import create_db_engine

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Batch mode rebuilds a table by copy, drop and rename: with foreign keys on, the drop
                # would cascade to the rows that refer to it (a page's media references). Off for the
                # migration (the pragma must be set outside a transaction), checked once it is done.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=sqlite)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                assert not broken, f"the migration left rows that refer to nothing: {broken}"
    finally:
        engine.dispose()


run_migrations()
