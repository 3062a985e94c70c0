"""Test set-up: an isolated NEXUS_HOME, a migrated database (SQLite, or PostgreSQL when
NEXUS_TEST_DATABASE_URL is set), tasks run at once unless a test starts a real consumer."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_HOME = Path(tempfile.mkdtemp(prefix="nexus-test-"))
os.environ["NEXUS_HOME"] = str(_HOME)
os.environ["NEXUS_QUEUE_URL"] = "memory://"
os.environ.pop("NEXUS_STORAGE_BACKEND", None)
os.environ.pop("NEXUS_MEDIA_DIR", None)
if os.environ.get("NEXUS_TEST_DATABASE_URL"):
    os.environ["NEXUS_DATABASE_URL"] = os.environ["NEXUS_TEST_DATABASE_URL"]
else:
    os.environ.pop("NEXUS_DATABASE_URL", None)

import pytest  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from nexus_core import models  # noqa: E402, F401
from nexus_core.config import get_settings  # noqa: E402
from nexus_core.db import get_engine, migrate, session_scope  # noqa: E402


def _delete_all_rows() -> None:
    with get_engine().begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope="session", autouse=True)
def _migrated_database() -> Iterator[None]:
    migrate()
    _delete_all_rows()
    yield
    get_engine().dispose()
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    yield
    _delete_all_rows()
    shutil.rmtree(get_settings().resolved_media_dir, ignore_errors=True)


@pytest.fixture
def session() -> Iterator[Session]:
    with session_scope() as db_session:
        yield db_session


@pytest.fixture
def media_dir() -> Path:
    return get_settings().resolved_media_dir


@pytest.fixture
def jobs() -> Iterator[object]:
    """Jobs stay queued (status pending) until the test calls `jobs.run_all()`."""
    from tests.queue import queued_jobs

    with queued_jobs() as driver:
        yield driver
