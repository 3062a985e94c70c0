"""Edits as data on the real database and storage: every edit is a new version with new URLs, the old
version's files stay for the grace period and are swept after it, a revert goes back to the original,
and a job or head start of an outdated version never overwrites a newer one."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from nexus_core.media import check, editing, head_start
from nexus_core.media import upload as uploading
from nexus_core.media.deletion import delete_item
from nexus_core.media.edits import EditChanges
from nexus_core.media.upload import IncomingFile
from nexus_core.models import MediaItem, MediaStatus, PendingDeletion
from nexus_core.models.base import utcnow
from nexus_core.policies import Actor
from nexus_core.read_models import MediaItemView
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project, stored_item
from tests.images import colour_at, is_red, size_of
from tests.queue import QueuedJobs


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


def upload(session: Session, actor: Actor, data: bytes | None = None) -> MediaItem:
    files = [IncomingFile("corner.jpg", data or images.marked_corner(1800, 1200))]
    return stored_item(session, uploading.upload(session, actor=actor, files=files)[0])


def edit(session: Session, actor: Actor, item_id: object, **changes: object) -> MediaItemView:
    return editing.update_item(
        session, actor=actor, item_id=str(item_id), changes=editing.ItemChanges(edits=EditChanges(**changes))
    )


def rendition_paths(item: MediaItem | MediaItemView) -> set[str]:
    recorded = item.renditions or []
    return {row["path"] if isinstance(row, dict) else row.path for row in recorded}


def test_an_edit_raises_the_version_and_moves_every_rendition_to_new_urls(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    before = rendition_paths(item)
    assert item.version == 1 and all("-v" not in path for path in before)
    assert {"thumb", "medium", "large", "16x9_thumb", "16x9_medium", "16x9_large"} == {
        row["name"] for row in item.renditions or []
    }
    edited = edit(session, admin, item.id, rotate=90)
    assert (edited.version, edited.status, edited.rotate) == (2, MediaStatus.READY, 90)
    after = rendition_paths(edited)
    assert after and not after & before
    assert all(f"{item.id}-v2_" in path for path in after)
    assert (edited.width, edited.height, edited.original_width, edited.original_height) == (
        1200,
        1800,
        1800,
        1200,
    )
    assert edited.file_path == item.file_path  # the original is never rewritten
    assert red_corner_of(stored, edited.variants["medium"]) == "tr"
    assert all(stored.exists(path) for path in before | after)  # the old version stays, for now


def red_corner_of(stored: StoredFiles, path: str) -> str:
    data = stored.read(path)
    corners = {"tl": (0.05, 0.05), "tr": (0.95, 0.05), "bl": (0.05, 0.95), "br": (0.95, 0.95)}
    red = [name for name, (x, y) in corners.items() if is_red(colour_at(data, x, y))]
    assert len(red) == 1, red
    return red[0]


def test_the_same_edits_again_start_no_version(session: Session, admin: Actor) -> None:
    item = upload(session, admin)
    assert edit(session, admin, item.id, rotate=180).version == 2
    assert edit(session, admin, item.id, rotate=180, flip=None).version == 2


def test_old_files_stay_until_the_grace_period_then_the_sweep_deletes_them(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    old = rendition_paths(item)
    edited = edit(session, admin, item.id, crop={"left": 0, "top": 0, "width": 900, "height": 600})
    report = check.check_library(session)
    assert report.clean, report
    assert {kept.path for kept in report.kept} == old
    assert all(
        utcnow() + timedelta(hours=23) < kept.due <= utcnow() + timedelta(hours=24) for kept in report.kept
    )
    check.sweep_library(session, apply=True)
    assert all(stored.exists(path) for path in old)  # within the grace period
    for deletion in session.exec(select(PendingDeletion)).all():
        deletion.due_at = utcnow() - timedelta(seconds=1)
        session.add(deletion)
    session.commit()
    assert {owed.path for owed in check.check_library(session).owed} == old
    check.sweep_library(session, apply=True)
    assert not any(stored.exists(path) for path in old)
    current = rendition_paths(edited) | {edited.file_path}
    assert all(stored.exists(path) for path in current)
    assert check.check_library(session).clean


def test_the_grace_period_is_a_setting(
    session: Session, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nexus_core.config import get_settings

    monkeypatch.setenv("NEXUS_OLD_VERSION_GRACE", "2h")
    get_settings.cache_clear()
    try:
        item = upload(session, admin)
        edit(session, admin, item.id, rotate=90)
        due = [kept.due for kept in check.check_library(session).kept]
        assert due and all(due_at <= utcnow() + timedelta(hours=2) for due_at in due)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_revert_clears_every_edit_in_a_new_version_made_from_the_original(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    edit(
        session,
        admin,
        item.id,
        rotate=270,
        crop={"left": 0, "top": 0, "width": 450, "height": 300},
        focal_point={"x": 0.1, "y": 0.1},
    )
    reverted = editing.revert_to_original(session, actor=admin, item_id=item.id)
    assert reverted.version == 3
    assert (reverted.crop, reverted.focal_point, reverted.rotate) == (None, None, 0)
    assert not reverted.edits.reshapes
    assert (reverted.width, reverted.height) == (1800, 1200)
    assert all(f"{item.id}-v3_" in path for path in rendition_paths(reverted))
    assert red_corner_of(stored, reverted.variants["large"]) == "tl"
    assert size_of(stored.read(reverted.variants["large"])) == (1600, 1067)


def test_deleting_an_edited_item_deletes_its_earlier_versions_at_once(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    old = rendition_paths(item)
    edit(session, admin, item.id, flip={"horizontal": True})
    delete_item(session, actor=admin, item_id=item.id)
    assert stored.paths() == []
    assert not any(stored.exists(path) for path in old)
    assert session.exec(select(PendingDeletion)).all() == []


def test_a_job_of_an_outdated_version_stops_without_recording_anything(
    session: Session, admin: Actor, stored: StoredFiles, jobs: QueuedJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = upload(session, admin)
    jobs.run_all()
    session.refresh(item)
    first = rendition_paths(item)
    edit(session, admin, item.id, rotate=90)  # version 2, its job queued

    real_process = head_start.process

    def edited_meanwhile(*args: object, **kwargs: object):
        result = real_process(*args, **kwargs)  # type: ignore[arg-type]
        from nexus_core.db import session_scope

        with session_scope() as other:  # another request edits while this job works
            edit(other, admin, item.id, rotate=180)
        return result

    monkeypatch.setattr(head_start, "process", edited_meanwhile)
    jobs.run_next()  # the job of version 2, overtaken by version 3
    monkeypatch.setattr(head_start, "process", real_process)
    session.refresh(item)
    assert (item.version, item.rotate, item.status) == (3, 180, MediaStatus.PENDING)
    assert rendition_paths(item) == first  # nothing of version 2 was recorded
    jobs.run_all()
    session.refresh(item)
    assert item.status == MediaStatus.READY
    assert all(f"{item.id}-v3_" in path for path in rendition_paths(item))
    assert red_corner_of(stored, item.variants["medium"]) == "br"
    assert not [path for path in stored.paths() if f"{item.id}-v2_" in path]  # made, never used: gone
    assert check.check_library(session).clean


def test_an_uploads_head_start_is_not_taken_after_an_edit(
    session: Session, admin: Actor, stored: StoredFiles, jobs: QueuedJobs, head_starts: None
) -> None:
    item = upload(session, admin)
    assert head_start.waiting() == 1  # made from the upload's bytes, without edits
    edit(session, admin, item.id, rotate=90)
    jobs.run_all()
    session.refresh(item)
    assert (item.version, item.status) == (2, MediaStatus.READY)
    assert red_corner_of(stored, item.variants["medium"]) == "tr"  # turned: not the head start's picture
    assert head_start.waiting() == 0


def test_a_head_start_is_taken_only_for_its_version() -> None:
    from concurrent.futures import Future
    from uuid import uuid4

    head_start.enable()
    try:
        item_id = uuid4()
        head_start.start(item_id, images.jpeg(400, 300), "image/jpeg", _settings(), version=2)
        assert head_start.take(item_id, 1) is None
        assert head_start.take(item_id, 2) is None  # dropped by the first take of another version
        deadline = time.monotonic() + 10
        while head_start.waiting() == 0 and time.monotonic() < deadline:  # one head start at a time
            head_start.start(item_id, images.jpeg(400, 300), "image/jpeg", _settings(), version=2)
            time.sleep(0.05)
        taken = head_start.take(item_id, 2)
        assert isinstance(taken, Future)
        taken.result()
    finally:
        head_start.disable()


def _settings():
    from nexus_core.config import get_settings

    return get_settings()


def test_modern_renditions_follow_the_new_version(
    session: Session, admin: Actor, modern_formats, stored: StoredFiles
) -> None:
    modern_formats("webp")
    item = upload(session, admin, images.marked_corner(1000, 600))
    assert {row["name"] for row in item.renditions or [] if row["mime_type"] == "image/webp"} == {
        "thumb",
        "medium",
        "16x9_thumb",
        "16x9_medium",
        "16x9_large",  # the aspect box's own width, 1000: no original stands in for it
    }
    edited = edit(session, admin, item.id, crop={"left": 0, "top": 0, "width": 500, "height": 300})
    webp = {r.name: r for r in edited.renditions if r.mime_type == "image/webp"}
    assert set(webp) == {"thumb", "16x9_thumb", "16x9_medium"}  # no WebP `full`: the JPEG one serves
    assert all(f"{item.id}-v2_" in r.path for r in webp.values())
    thumb = stored.read(webp["thumb"].path)
    assert is_red(colour_at(thumb, 0.1, 0.1)) and not is_red(colour_at(thumb, 0.9, 0.9))  # half the corner
    (full,) = [r for r in edited.renditions if r.name == "full"]
    assert (full.mime_type, full.width, full.height) == ("image/jpeg", 500, 300)


def test_a_replaced_original_is_kept_for_the_grace_period_like_the_old_renditions(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    from nexus_core.media import replacing

    item = upload(session, admin)
    first_original = item.file_path
    old = rendition_paths(item) | {first_original}
    edit(session, admin, item.id, rotate=90)
    replaced = replacing.replace_file(
        session,
        actor=admin,
        item_id=item.id,
        file=IncomingFile("new.png", images.marked_corner(900, 600, kind="png")),
    )
    view = replaced.item
    assert (view.version, view.rotate, view.mime_type, view.status) == (3, 0, "image/png", MediaStatus.READY)
    assert view.file_path == f"{item.project_id}/{item.id}-v3.png"
    assert red_corner_of(stored, view.variants["thumb"]) == "tl"  # made from the new file, unedited
    kept = {kept.path for kept in check.check_library(session).kept}
    assert first_original in kept and old <= kept  # version 1's original and renditions, and version 2's
    assert all(stored.exists(path) for path in kept)
    for deletion in session.exec(select(PendingDeletion)).all():
        deletion.due_at = utcnow() - timedelta(seconds=1)
        session.add(deletion)
    session.commit()
    check.sweep_library(session, apply=True)
    assert not any(stored.exists(path) for path in kept)
    assert stored.exists(view.file_path) and check.check_library(session).clean
