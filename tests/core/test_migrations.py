"""The Alembic migrations build exactly the schema the models describe, on a fresh database."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from nexus_core.db import alembic_config, migrate


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate(url)
    command.check(alembic_config(url))  # raises when autogenerate would find a difference
    tables = set(sa.inspect(sa.create_engine(url)).get_table_names())
    assert {
        "users",
        "projects",
        "memberships",
        "api_keys",
        "media_items",
        "pages",
        "media_references",
    } <= tables


def test_migrations_run_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cycle.db'}"
    migrate(url)
    command.downgrade(alembic_config(url), "base")
    assert sa.inspect(sa.create_engine(url)).get_table_names() == ["alembic_version"]
    migrate(url)
    assert "media_items" in sa.inspect(sa.create_engine(url)).get_table_names()
