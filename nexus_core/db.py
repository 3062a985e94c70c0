"""Database engine, sessions and migrations (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from nexus_core.config import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_db_engine(url: str) -> Engine:
    """An engine tuned per dialect: SQLite gets WAL and foreign keys, servers get pre-ping to survive restarts."""
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _ensure_sqlite_directory(url: str) -> None:
    database = url.split("///", 1)[-1]
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@lru_cache
def get_engine() -> Engine:
    return create_db_engine(get_settings().resolved_database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that is closed afterwards; callers commit explicitly."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", (url or get_settings().resolved_database_url).replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest revision."""
    resolved = url or get_settings().resolved_database_url
    if resolved.startswith("sqlite"):
        _ensure_sqlite_directory(resolved)
    command.upgrade(alembic_config(resolved), "head")
