"""Each migration since stage 2 runs up and down on a database made by the revision before it and keeps its
data: on SQLite always, on PostgreSQL in the production pass (in a scratch database of the same server)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from alembic import command

from nexus_core.db import alembic_config
from tests.databases import scratch_database

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Migration:
    previous: str
    revision: str
    new_tables: tuple[str, ...]
    new_item_columns: tuple[str, ...] = ()
    """Columns it adds to media_items, NULL on the rows that were there."""
    filled_item_columns: tuple[tuple[str, object], ...] = ()
    """Columns it adds to media_items with what the rows that were there get."""


MIGRATIONS = [
    Migration("0002", "0003", ("folders", "tags", "media_tags"), ("folder_id", "sha256", "perceptual_hash")),
    Migration("0003", "0004", ("media_similarities",)),
    Migration("0004", "0005", ()),
    Migration("0005", "0006", (), ("renditions", "placeholder", "frames")),
    Migration("0006", "0007", ("webhooks", "webhook_deliveries")),
    Migration(
        "0007",
        "0008",
        (),
        ("focal_point", "crop"),
        (
            ("original_width", 800),
            ("original_height", 600),
            ("rotate", 0),
            ("flip_horizontal", False),
            ("flip_vertical", False),
            ("version", 1),
        ),
    ),
    Migration("0008", "0009", ()),
]
HEAD = MIGRATIONS[-1].revision


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
    with scratch_database(server, "nexus_migrations") as url:
        yield url


def seed(engine: sa.Engine, revision: str) -> dict[str, list[dict]]:
    """A user with a project, an item and a page using it, from 0003 on a folder and a tag holding it,
    and from 0007 on a webhook with a delivery: a row in every table of `revision`, written with that
    revision's tables."""
    tables = sa.MetaData()
    tables.reflect(engine)
    user, project, item, page, folder, tag = uuid4(), uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    rows = {
        "users": [{"id": user, "email": "old@example.com", "password_hash": "x", "inserted_at": NOW}],
        "projects": [{"id": project, "name": "Old", "slug": "old", "inserted_at": NOW}],
        "memberships": [
            {"id": uuid4(), "project_id": project, "user_id": user, "role": "admin", "inserted_at": NOW}
        ],
        "api_keys": [
            {
                "id": uuid4(),
                "project_id": project,
                "user_id": user,
                "name": "CI",
                "prefix": "nx_old",
                "key_hash": "cd" * 32,
                "inserted_at": NOW,
                "last_used_at": None,
                "revoked_at": None,
            }
        ],
        "pending_deletions": [
            {
                "id": uuid4(),
                "path": f"{project}/gone.jpg",
                "storage_backend": "local",
                "attempts": 1,
                "last_error": "storage down",
                "inserted_at": NOW,
            }
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
    if revision >= "0003":
        rows["folders"] = [
            {
                "id": folder,
                "project_id": project,
                "parent_id": None,
                "name": "Harbour",
                "sibling_key": "root/harbour",
                "depth": 1,
                "inserted_at": NOW,
            }
        ]
        rows["tags"] = [{"id": tag, "project_id": project, "name": "Pier", "name_key": "pier"}]
        rows["media_items"][0] |= {"folder_id": folder, "sha256": "ab" * 32, "perceptual_hash": -(2**62)}
        rows["media_tags"] = [{"media_item_id": item, "tag_id": tag}]
    if revision >= "0004":
        rows["media_similarities"] = [{"item_id": item, "other_id": item, "distance": 0}]
    if revision >= "0007":
        webhook = uuid4()
        rows["webhooks"] = [
            {
                "id": webhook,
                "project_id": project,
                "url": "https://hooks.example.com/nexus",
                "events": ["media.created", "page.published"],
                "secret": "whsec_old",
                "enabled": False,
                "consecutive_failures": 5,
                "inserted_at": NOW,
                "updated_at": NOW,
            }
        ]
        rows["webhook_deliveries"] = [
            {
                "id": uuid4(),
                "webhook_id": webhook,
                "event_id": uuid4(),
                "event": "media.created",
                "attempt": 5,
                "sent_at": NOW,
                "status_code": 500,
                "duration_ms": 12,
                "error": "The receiver answered 500 Internal Server Error.",
            }
        ]
    ordered = [name for name in (table.name for table in tables.sorted_tables) if name in rows]
    assert set(ordered) == set(tables.tables) - {"alembic_version"}, "a row in every table"
    rows = {name: rows[name] for name in ordered}
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


@pytest.mark.parametrize("migration", MIGRATIONS, ids=[m.revision for m in MIGRATIONS])
def test_the_migration_keeps_data_down_and_up(database_url: str, migration: Migration) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, migration.previous)
    engine = sa.create_engine(database_url)
    try:
        rows = seed(engine, migration.previous)
        command.upgrade(config, migration.revision)
        assert_kept(engine, rows)
        assert set(migration.new_tables) <= set(sa.inspect(engine).get_table_names())
        if migration.new_item_columns:
            with engine.connect() as connection:
                added = connection.execute(
                    sa.text(f"SELECT {', '.join(migration.new_item_columns)} FROM media_items")
                ).one()
            assert set(added) == {None}
        if migration.filled_item_columns:
            names = [name for name, _ in migration.filled_item_columns]
            with engine.connect() as connection:
                filled = connection.execute(sa.text(f"SELECT {', '.join(names)} FROM media_items")).one()
            assert list(filled) == [value for _, value in migration.filled_item_columns]
        command.downgrade(config, migration.previous)
        assert_kept(engine, rows)
        assert not set(migration.new_tables) & set(sa.inspect(engine).get_table_names())
        command.upgrade(config, migration.revision)
        assert_kept(engine, rows)
    finally:
        engine.dispose()


def test_the_newest_schema_keeps_a_row_in_every_table(database_url: str) -> None:
    """The seed the next migration's test starts from covers every table of the newest revision."""
    command.upgrade(alembic_config(database_url), HEAD)
    engine = sa.create_engine(database_url)
    try:
        assert_kept(engine, seed(engine, HEAD))
    finally:
        engine.dispose()


def test_going_back_before_edits_gives_an_edited_item_its_originals_size(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0007")
    engine = sa.create_engine(database_url)
    try:
        rows = seed(engine, "0007")
        command.upgrade(config, "0008")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "UPDATE media_items SET width = 300, height = 400, rotate = 90, version = 3, crop = :crop"
                ),
                {"crop": '{"left": 0, "top": 0, "width": 400, "height": 300}'},
            )
            connection.execute(sa.text("UPDATE pending_deletions SET due_at = :due"), {"due": NOW})
        command.downgrade(config, "0007")
        assert_kept(engine, rows)  # width and height are the original's again
    finally:
        engine.dispose()


def test_pages_saved_with_media_urls_get_item_references_and_get_them_back(database_url: str) -> None:
    """Image fields and rich-text images (nested ones too) name their items; a rich-text image's alt text
    stays its own only where it differs from the item's; going back writes the URLs again."""
    config = alembic_config(database_url)
    command.upgrade(config, "0008")
    engine = sa.create_engine(database_url)
    try:
        rows = seed(engine, "0008")
        item, page = rows["media_items"][0], rows["pages"][0]
        gone_id = uuid4()
        url, gone = f"/media/{item['file_path']}", f"/media/{item['project_id']}/{gone_id}-v2_large.jpg"

        def image(src: str, alt: str) -> dict:
            return {"type": "image", "attrs": {"src": src, "alt": alt, "mediaId": None, "title": None}}

        def body(*images: dict) -> dict:
            return {
                "type": "doc",
                "content": [images[0], {"type": "blockquote", "content": list(images[1:])}],
            }

        before = {
            "template_data": {"hero_image": url, "summary": "Piers"},
            "body_json": body(image(url, "The pier"), image(url, "Our pier"), image(gone, "Gone")),
        }
        write_page(engine, page["id"], before)
        command.upgrade(config, "0009")
        reference = {"media_id": str(item["id"]), "alt": ""}
        assert read_page(engine, page["id"]) == {
            "template_data": {"hero_image": reference, "summary": "Piers"},
            "body_json": body(
                {"type": "image", "attrs": {"mediaId": str(item["id"]), "alt": ""}},
                {"type": "image", "attrs": {"mediaId": str(item["id"]), "alt": "Our pier"}},
                {"type": "image", "attrs": {"mediaId": str(gone_id), "alt": "Gone"}},
            ),
        }
        command.downgrade(config, "0008")
        back = body(
            {"type": "image", "attrs": {"src": url, "alt": "The pier", "mediaId": str(item["id"])}},
            {"type": "image", "attrs": {"src": url, "alt": "Our pier", "mediaId": str(item["id"])}},
        )
        back["content"][1]["content"] = back["content"][1]["content"][:1]  # the deleted item's usage is gone
        assert read_page(engine, page["id"]) == {"template_data": before["template_data"], "body_json": back}
        command.upgrade(config, "0009")
        assert read_page(engine, page["id"])["template_data"]["hero_image"] == reference
    finally:
        engine.dispose()


def write_page(engine: sa.Engine, page_id: UUID, values: dict) -> None:
    with engine.begin() as connection:
        connection.execute(PAGES.update().where(PAGES.c.id == page_id).values(**values))


def read_page(engine: sa.Engine, page_id: UUID) -> dict:
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(PAGES.c.template_data, PAGES.c.body_json).where(PAGES.c.id == page_id)
        ).one()
    return dict(row._mapping)


PAGES = sa.table(
    "pages",
    sa.column("id", sa.Uuid()),
    sa.column("template_data", sa.JSON()),
    sa.column("body_json", sa.JSON()),
)
