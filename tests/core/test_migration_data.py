"""Each migration runs up and down on a database made by the previous head and keeps its data:
on SQLite always, on PostgreSQL in the production pass (in a scratch database of the same server)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from nexus_core.db import alembic_config

PREVIOUS_HEAD = "0002"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def postgres_url() -> str | None:
    url = os.environ.get("NEXUS_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'previous-head.db'}"
        return
    server = postgres_url()
    if server is None:
        pytest.skip("needs PostgreSQL (./dev test --production)")
    name = f"nexus_migrations_{uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed_previous_head(engine: sa.Engine) -> dict[str, list[dict]]:
    """A user with a project, an item and a page using it, written with the previous head's tables."""
    tables = sa.MetaData()
    tables.reflect(engine)
    user, project, item, page = uuid4(), uuid4(), uuid4(), uuid4()
    rows = {
        "users": [{"id": user, "email": "old@example.com", "password_hash": "x", "inserted_at": NOW}],
        "projects": [{"id": project, "name": "Old", "slug": "old", "inserted_at": NOW}],
        "memberships": [
            {"id": uuid4(), "project_id": project, "user_id": user, "role": "admin", "inserted_at": NOW}
        ],
        "media_items": [
            {
                "id": item,
                "project_id": project,
                "uploaded_by_id": user,
                "filename": "pier.jpg",
                "file_path": f"{project}/{item}.jpg",
                "mime_type": "image/jpeg",
                "file_size": 1234,
                "width": 800,
                "height": 600,
                "alt_text": "The pier",
                "variants": {"thumb": "t.jpg"},
                "storage_backend": "local",
                "status": "ready",
                "error": None,
                "inserted_at": NOW,
                "updated_at": NOW,
            }
        ],
        "pages": [
            {
                "id": page,
                "project_id": project,
                "title": "Home",
                "slug": "home",
                "template": "blog_post",
                "template_data": {},
                "body_json": {"type": "doc"},
                "body_html": "",
                "status": "draft",
                "inserted_at": NOW,
                "updated_at": NOW,
                "published_at": None,
            }
        ],
        "media_references": [{"page_id": page, "media_item_id": item}],
    }
    with engine.begin() as connection:
        for table, values in rows.items():
            connection.execute(tables.tables[table].insert(), [stored_form(engine, row) for row in values])
    return rows


def stored_form(engine: sa.Engine, row: dict) -> dict:
    """Reflected SQLite tables know ids only as CHAR(32): give them the hex SQLAlchemy's Uuid writes."""
    if engine.dialect.name != "sqlite":
        return row
    return {column: value.hex if isinstance(value, UUID) else value for column, value in row.items()}


def assert_kept(engine: sa.Engine, rows: dict[str, list[dict]]) -> None:
    tables = sa.MetaData()
    tables.reflect(engine)
    with engine.connect() as connection:
        for table, values in rows.items():
            stored = [dict(row._mapping) for row in connection.execute(sa.select(tables.tables[table]))]
            assert len(stored) == len(values), table
            for expected, found in zip(values, stored, strict=True):
                for column, value in expected.items():
                    got = found[column]
                    if isinstance(got, datetime) and got.tzinfo is None:
                        got = got.replace(tzinfo=UTC)
                    if isinstance(value, UUID) and not isinstance(got, UUID):
                        got = UUID(str(got))
                    assert got == value, (table, column)


def test_the_newest_migration_keeps_data_down_and_up(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, PREVIOUS_HEAD)
    engine = sa.create_engine(database_url)
    try:
        rows = seed_previous_head(engine)
        command.upgrade(config, "head")
        assert_kept(engine, rows)
        with engine.connect() as connection:
            new_columns = connection.execute(
                sa.text("SELECT folder_id, sha256, perceptual_hash FROM media_items")
            ).one()
        assert tuple(new_columns) == (None, None, None)
        command.downgrade(config, PREVIOUS_HEAD)
        assert_kept(engine, rows)
        assert "folders" not in sa.inspect(engine).get_table_names()
        command.upgrade(config, "head")
        assert_kept(engine, rows)
    finally:
        engine.dispose()
