"""How a list counts its matches: exactly up to 1,000; beyond, on PostgreSQL, the planner's estimate
(marked as such), on SQLite exactly; the last page counts itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from nexus_core.media import counting, listing
from nexus_core.media.listing import ItemFilter
from nexus_core.models import MediaItem, MediaStatus, Project
from nexus_core.models.base import new_id
from nexus_core.policies import Actor
from tests.factories import admin_of, make_project

MANY = 2 * counting.TRUST_ESTIMATE_ABOVE + 500


def seed(session: Session, project: Project, count: int, *, png_every: int = 0) -> None:
    """`count` ready items by one bulk insert (no files: listing never reads them)."""
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    rows = []
    for number in range(count):
        item_id = new_id()
        png = bool(png_every) and number % png_every == 0
        rows.append(
            {
                "id": item_id,
                "project_id": project.id,
                "filename": f"IMG_{number:05d}.{'png' if png else 'jpg'}",
                "file_path": f"{project.id}/{item_id}.jpg",
                "mime_type": "image/png" if png else "image/jpeg",
                "file_size": 1000 + number,
                "width": 800,
                "height": 600,
                "alt_text": "",
                "variants": {},
                "storage_backend": "local",
                "status": MediaStatus.READY,
                "has_duplicates": False,
                "inserted_at": moment - timedelta(minutes=number),
                "updated_at": moment,
            }
        )
    session.execute(sa.insert(MediaItem), rows)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("ANALYZE media_items"))
        session.commit()


@pytest.fixture
def admin(session: Session) -> Actor:
    project = make_project(session)
    seed(session, project, MANY, png_every=500)
    return admin_of(session, project)


def test_a_large_library_is_counted_without_reading_every_row(session: Session, admin: Actor) -> None:
    page = listing.list_items(session, actor=admin, limit=20)
    assert (len(page.items), page.more) == (20, True)
    if session.get_bind().dialect.name == "postgresql":
        assert page.total_estimated
        assert abs(page.total - MANY) < MANY * 0.3
    else:
        assert (page.total, page.total_estimated) == (MANY, False)


def test_few_matches_are_counted_exactly(session: Session, admin: Actor) -> None:
    pngs = listing.list_items(session, actor=admin, filters=ItemFilter(type=("png",)), limit=2)
    assert (pngs.total, pngs.total_estimated, pngs.more) == (MANY // 500, False, True)


def test_the_last_page_counts_itself(session: Session, admin: Actor) -> None:
    last = listing.list_items(session, actor=admin, limit=20, offset=MANY - 7)
    assert (len(last.items), last.total, last.total_estimated, last.more) == (7, MANY, False, False)
    beyond = listing.list_items(session, actor=admin, limit=20, offset=MANY + 40)
    assert (beyond.items, beyond.more) == ([], False)
    assert beyond.total_estimated or beyond.total == MANY
