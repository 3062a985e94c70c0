"""The edited picture at its full size is a file of its version like the others: a version that changes
the pixels makes it (in the item's format only), the next version owes it after the grace period, and
deleting the item deletes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from nexus_core.media import check, paths
from nexus_core.media.deletion import delete_item
from nexus_core.models import PendingDeletion
from nexus_core.models.base import utcnow
from nexus_core.policies import Actor
from nexus_core.read_models import MediaItemView
from tests.conftest import StoredFiles
from tests.core.media.test_versions import edit, upload
from tests.factories import admin_of, make_project
from tests.images import size_of


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


def full_path(item: MediaItemView) -> str:
    full = paths.full_picture(item.file_path, item.renditions)
    assert full is not None, item.renditions
    return full.path


def test_each_version_that_changes_the_pixels_has_its_own_full_picture(
    session: Session, admin: Actor, stored: StoredFiles, modern_formats
) -> None:
    modern_formats("webp")
    item = upload(session, admin)
    cropped = edit(session, admin, item.id, crop={"left": 0, "top": 0, "width": 900, "height": 600})
    assert full_path(cropped).endswith(f"{item.id}-v2_full.jpg")
    assert size_of(stored.read(full_path(cropped))) == (900, 600)
    assert [r.mime_type for r in cropped.renditions if r.name == "full"] == ["image/jpeg"]  # no WebP one
    focused = edit(session, admin, item.id, focal_point={"x": 0.1, "y": 0.1})
    assert full_path(focused).endswith(f"{item.id}-v3_full.jpg")  # still cropped: made again
    assert size_of(stored.read(full_path(focused))) == (900, 600)


def test_the_previous_versions_full_picture_is_swept_after_the_grace_period_not_before(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    cropped = edit(session, admin, item.id, crop={"left": 0, "top": 0, "width": 900, "height": 600})
    turned = edit(session, admin, item.id, rotate=90)
    previous, current = full_path(cropped), full_path(turned)
    assert previous != current and size_of(stored.read(current)) == (600, 900)
    report = check.check_library(session)
    assert report.clean, report
    assert previous in {kept.path for kept in report.kept}
    check.sweep_library(session, apply=True)
    assert stored.exists(previous)  # within the grace period
    for deletion in session.exec(select(PendingDeletion)).all():
        deletion.due_at = utcnow() - timedelta(seconds=1)
        session.add(deletion)
    session.commit()
    check.sweep_library(session, apply=True)
    assert not stored.exists(previous)
    assert stored.exists(current) and stored.exists(turned.file_path)
    assert check.check_library(session).clean


def test_a_missing_full_picture_is_a_problem_check_reports(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    flipped = edit(session, admin, item.id, flip={"vertical": True})
    stored.delete(full_path(flipped))
    (missing,) = check.check_library(session).missing
    assert missing.paths == (full_path(flipped),) and not missing.original_missing


def test_deleting_the_item_deletes_every_versions_full_picture(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    cropped = edit(session, admin, item.id, crop={"left": 0, "top": 0, "width": 900, "height": 600})
    turned = edit(session, admin, item.id, rotate=180)
    assert stored.exists(full_path(cropped)) and stored.exists(full_path(turned))
    delete_item(session, actor=admin, item_id=item.id)
    assert stored.paths() == []
    assert session.exec(select(PendingDeletion)).all() == []
