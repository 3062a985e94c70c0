"""Maintenance use cases on the real database, real files on disk and a real S3 server (moto)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlmodel import Session, select

from nexus_core.config import Settings
from nexus_core.errors import InvalidInput, StorageError
from nexus_core.media import check, migration, processing, renditions, variants
from nexus_core.media import upload as uploading
from nexus_core.media.backends import Backends
from nexus_core.media.check import StoredFile
from nexus_core.media.deletion import recorded_paths
from nexus_core.media.storage import LocalStorage, Storage
from nexus_core.media.storage.s3 import S3Storage
from nexus_core.media.tasks import huey
from nexus_core.media.upload import IncomingFile
from nexus_core.models import MediaItem, MediaStatus, PendingDeletion, Project
from nexus_core.models.base import utcnow
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles, local_only
from tests.factories import admin_of, make_project, stored_item
from tests.queue import QueuedJobs

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytest_plugins = ("tests.s3server",)

HOUR = 3600


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


def upload(session: Session, actor: Actor, data: bytes | None = None) -> MediaItem:
    """A processed item: 400 px wide gives an original and a thumb."""
    files = [IncomingFile("photo.jpg", data or images.jpeg(400, 300))]
    item = stored_item(session, uploading.upload(session, actor=actor, files=files)[0])
    return item


def orphan(stored: StoredFiles, path: str, *, seconds_old: float = 2 * HOUR) -> str:
    stored.write(path, b"left behind", seconds_old=seconds_old)
    return path


def make_stuck(session: Session, item: MediaItem, minutes: int = 20) -> None:
    item.updated_at = utcnow() - timedelta(minutes=minutes)
    session.add(item)
    session.commit()


def log() -> tuple[list[str], Any]:
    lines: list[str] = []
    return lines, lines.append


# check


def test_a_healthy_library_is_clean(session: Session, admin: Actor, stored: StoredFiles) -> None:
    upload(session, admin)
    upload(session, admin)
    report = check.check_library(session)
    assert report.clean
    # each: the original, a thumb, and a 16x9_thumb and 16x9_medium (its 16:9 box is 400 wide)
    assert (report.item_count, report.file_count, report.backends) == (2, 8, (stored.backend,))


def test_check_finds_items_whose_original_or_variant_is_missing(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    no_original = upload(session, admin)
    no_thumb = upload(session, admin)
    stored.delete(no_original.file_path)
    stored.delete(no_thumb.variants["thumb"])
    report = check.check_library(session)
    found = {m.item_id: m for m in report.missing}
    assert found[no_original.id].original_missing
    assert found[no_original.id].paths == (no_original.file_path,)
    assert not found[no_thumb.id].original_missing
    assert found[no_thumb.id].paths == (no_thumb.variants["thumb"],)
    assert report.problem_count == 2


def test_check_finds_files_of_no_item_and_nothing_outside_the_root(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    stranger = f"{admin.project_id}/{item.id.hex[:8]}-0000-7000-8000-000000000000.jpg"
    wrong_project = f"{make_project(session).id}/{item.id}.jpg"
    for relative in (
        "notes.txt",
        "deep/down/x.jpg",
        stranger,
        wrong_project,
        f"{admin.project_id}/{item.id}.png",
    ):
        orphan(stored, relative)
    orphan(stored, f"{admin.project_id}/{item.id}_large.jpg")  # a variant the worker may be writing
    if isinstance(stored.storage, LocalStorage):  # a writer's temporary and a file beside the root
        (stored.storage.root / f"{admin.project_id}/.upload.tmp").write_bytes(b"left behind")
        (stored.storage.root.parent / "outside.jpg").write_bytes(b"not ours")
    report = check.check_library(session)
    assert sorted(o.path for o in report.orphans) == sorted(
        ["notes.txt", "deep/down/x.jpg", stranger, wrong_project, f"{admin.project_id}/{item.id}.png"]
    )
    assert not report.missing


def test_check_finds_items_stuck_in_processing_by_updated_at(
    session: Session, admin: Actor, jobs: QueuedJobs
) -> None:
    stuck = upload(session, admin)
    fresh = upload(session, admin)
    make_stuck(session, stuck, minutes=20)
    report = check.check_library(session, stuck_after=timedelta(minutes=15))
    assert [(s.item_id, s.status) for s in report.stuck] == [(stuck.id, "pending")]
    assert fresh.id not in {s.item_id for s in report.stuck}
    assert check.check_library(session, stuck_after=timedelta(minutes=30)).clean


def test_check_lists_owed_deletions_and_not_their_files_as_orphans(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    orphan(stored, "p/owed.jpg")
    session.add(
        PendingDeletion(path="p/owed.jpg", storage_backend=stored.backend, attempts=2, last_error="disk")
    )
    session.commit()
    report = check.check_library(session)
    assert [(d.path, d.attempts, d.last_error) for d in report.owed] == [("p/owed.jpg", 2, "disk")]
    assert report.orphans == []


# sweep


@pytest.fixture
def untidy(session: Session, admin: Actor, stored: StoredFiles, jobs: QueuedJobs) -> dict[str, Any]:
    """One of each problem: an old and a young orphan, an owed deletion, a stuck item, a lost original."""
    lost = upload(session, admin)
    jobs.run_all()
    session.refresh(lost)
    stored.delete(lost.file_path)
    stuck = upload(session, admin)
    huey.flush()  # its job was lost with a crashed worker
    make_stuck(session, stuck)
    owed = orphan(stored, "p/owed.jpg")
    session.add(PendingDeletion(path="p/owed.jpg", storage_backend=stored.backend))
    session.commit()
    return {
        "old": orphan(stored, "p/old.jpg", seconds_old=2 * HOUR),
        "young": orphan(stored, "p/young.jpg", seconds_old=60),
        "stored": stored,
        "owed": owed,
        "stuck": stuck,
        "lost": lost,
    }


def test_sweep_is_a_dry_run_by_default(session: Session, untidy: dict[str, Any], jobs: QueuedJobs) -> None:
    stored, backend = untidy["stored"], untidy["stored"].backend
    lines, progress = log()
    result = check.sweep_library(session, progress=progress)
    assert not result.applied
    assert result.orphans_deleted == [StoredFile(backend, "p/old.jpg")]
    assert result.orphans_kept_young == [StoredFile(backend, "p/young.jpg")]
    assert (result.requeued, result.marked_error, result.deletions_retried) == (
        [untidy["stuck"].id],
        [untidy["lost"].id],
        1,
    )
    assert f"would delete orphan {backend}: p/old.jpg" in lines
    assert all(stored.exists(untidy[name]) for name in ("old", "young", "owed"))
    assert jobs.pending() == 0
    assert len(session.exec(select(PendingDeletion)).all()) == 1
    assert session.get(MediaItem, untidy["lost"].id, populate_existing=True).status == MediaStatus.READY


def test_sweep_apply_fixes_everything_but_young_files(
    session: Session, untidy: dict[str, Any], jobs: QueuedJobs
) -> None:
    stored = untidy["stored"]
    result = check.sweep_library(session, apply=True, grace=timedelta(hours=1))
    assert not stored.exists(untidy["old"])
    assert stored.exists(untidy["young"])
    assert not stored.exists(untidy["owed"])
    assert session.exec(select(PendingDeletion)).all() == []
    lost = session.get(MediaItem, untidy["lost"].id, populate_existing=True)
    assert lost.status == MediaStatus.ERROR
    assert "original file is missing" in lost.error
    assert jobs.pending() == 1
    jobs.run_all()
    assert session.get(MediaItem, untidy["stuck"].id, populate_existing=True).status == MediaStatus.READY
    assert result.failures == []
    assert check.sweep_library(session, apply=True).orphans_deleted == []
    assert not check.check_library(session).stuck


def test_sweep_keeps_a_file_whose_row_arrived_after_the_check(
    session: Session, admin: Actor, stored: StoredFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = upload(session, admin)
    stored.age(item.file_path, 2 * HOUR)
    real_check = check.check_library

    def check_before_the_row(session: Session, **options: Any) -> check.CheckReport:
        report = real_check(session, **options)
        return check.CheckReport(
            **{**report.__dict__, "orphans": [StoredFile(stored.backend, item.file_path)]}
        )

    monkeypatch.setattr(check, "check_library", check_before_the_row)
    result = check.sweep_library(session, apply=True)
    assert result.orphans_deleted == []
    assert stored.exists(item.file_path)


# regenerate


def fewer_sizes(monkeypatch: pytest.MonkeyPatch, widths: dict[str, int]) -> None:
    monkeypatch.setattr(renditions, "WIDTHS", widths)
    monkeypatch.setattr(renditions, "NAMES", tuple(widths))
    monkeypatch.setattr(processing, "generate_variants", partial(processing.generate_variants, widths=widths))


def test_regenerate_a_project_after_the_size_list_shrinks(
    session: Session, admin: Actor, stored: StoredFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = upload(session, admin, images.jpeg(900, 600))
    other_project = admin_of(session, make_project(session))
    elsewhere = upload(session, other_project, images.jpeg(900, 600))
    assert sorted(item.variants) == ["medium", "thumb"]
    fewer_sizes(monkeypatch, {"thumb": 300})
    project = session.get(Project, admin.project_id)
    lines, progress = log()
    result = variants.regenerate_variants(session, project_slug=project.slug, progress=progress)
    assert result.done == [item.id]
    assert lines == [f"[1/1] regenerated {item.id} (thumb)"]
    session.refresh(item)
    assert item.variants == {"thumb": f"{admin.project_id}/{item.id}_thumb.jpg"}
    assert not stored.exists(f"{admin.project_id}/{item.id}_medium.jpg")
    assert stored.exists(elsewhere.variants["medium"])
    assert check.check_library(session).clean


def test_regenerate_by_id_skips_items_in_flight_and_retries_failed_ones(
    session: Session, admin: Actor, jobs: QueuedJobs
) -> None:
    failed = upload(session, admin)
    jobs.run_all()
    pending = upload(session, admin)
    failed.status, failed.error = MediaStatus.ERROR, "worker crashed"
    session.add(failed)
    session.commit()
    result = variants.regenerate_variants(session, item_ids=[str(pending.id), str(failed.id)])
    assert result.skipped == [(pending.id, "still pending")]
    assert result.done == [failed.id]
    session.refresh(failed)
    assert (failed.status, failed.error, sorted(failed.variants)) == (MediaStatus.READY, None, ["thumb"])


def test_regenerate_marks_an_item_without_its_original_as_error(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    stored.delete(item.file_path)
    result = variants.regenerate_variants(session, all_items=True)
    assert [item_id for item_id, _ in result.failed] == [item.id]
    session.refresh(item)
    assert item.status == MediaStatus.ERROR
    assert "original file is missing" in item.error


def test_regenerate_can_queue_instead(session: Session, admin: Actor, jobs: QueuedJobs) -> None:
    items = [upload(session, admin), upload(session, admin)]
    jobs.run_all()
    result = variants.regenerate_variants(session, all_items=True, queue=True)
    assert result.queued == [item.id for item in items]
    assert jobs.pending() == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "Name the items"),
        ({"all_items": True, "project_slug": "x"}, "either"),
        ({"item_ids": ["nope"]}, "not a media item id"),
    ],
)
def test_regenerate_needs_one_clear_selection(
    session: Session, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        variants.regenerate_variants(session, **options)


# migrate-storage (local <-> S3 on moto): the app is configured for local storage, so not in S3 mode


@pytest.fixture
def local_settings(s3_settings: Settings) -> Settings:
    """The app serves from local; S3 is configured for the move."""
    return s3_settings.model_copy(update={"storage_backend": "local"})


def s3_keys(s3_client: S3Client, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3_client.list_objects_v2(Bucket=bucket).get("Contents", []))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FailingStore:
    """A storage whose n-th store fails, as a dropped connection would."""

    def __init__(self, inner: Storage, fail_on: int) -> None:
        self._inner = inner
        self._fail_on = fail_on
        self.stores = 0
        self.name = inner.name

    def store(self, path: str, data: bytes, *, content_type: str) -> None:
        self.stores += 1
        if self.stores == self._fail_on:
            raise StorageError("S3 PutObject failed: connection reset")
        self._inner.store(path, data, content_type=content_type)

    def __getattr__(self, operation: str) -> Any:
        return getattr(self._inner, operation)


@local_only
def test_migrate_local_to_s3_and_back(
    session: Session,
    admin: Actor,
    media_dir: Path,
    local_settings: Settings,
    s3_settings: Settings,
    s3_client: S3Client,
    s3_bucket: str,
) -> None:
    items = [upload(session, admin), upload(session, admin, images.png(40, 40))]
    lines, progress = log()
    result = migration.migrate_storage(session, to="s3", backends=Backends(local_settings), progress=progress)
    assert result.complete
    # 400 × 300: the original, a thumb, a 16x9_thumb and a 16x9_medium; 40 × 40: the original and a 16x9_thumb
    assert (len(result.moved), result.files_copied, result.files_reused) == (2, 6, 0)
    assert lines[1] == f"[1/2] copied {items[0].id} (4 copied, 0 already there)"
    expected = sorted(f"media/{p}" for i in items for p in recorded_paths(i))
    assert s3_keys(s3_client, s3_bucket) == expected
    for key in expected:
        body = s3_client.get_object(Bucket=s3_bucket, Key=key)["Body"].read()
        assert sha256(body) == sha256((media_dir / key.removeprefix("media/")).read_bytes())
    assert {i.storage_backend for i in session.exec(select(MediaItem)).all()} == {"s3"}
    assert len(list(media_dir.rglob("*.*"))) == 6  # the source is kept

    assert check.check_library(session, backends=Backends(local_settings)).elsewhere == {"s3": 2}
    assert check.check_library(session, backends=Backends(s3_settings)).clean

    again = migration.migrate_storage(session, to="s3", backends=Backends(local_settings))
    assert (again.total, again.already_there, again.complete) == (0, 2, True)

    back = migration.migrate_storage(session, to="local", backends=Backends(s3_settings))
    assert (len(back.moved), back.files_copied, back.files_reused) == (2, 0, 6)
    assert {i.storage_backend for i in session.exec(select(MediaItem)).all()} == {"local"}


@local_only
def test_migration_resumes_after_an_interruption_and_recopies_a_corrupt_copy(
    session: Session,
    admin: Actor,
    local_settings: Settings,
    s3_storage: S3Storage,
    s3_client: S3Client,
    s3_bucket: str,
) -> None:
    first, second, third = (upload(session, admin) for _ in range(3))
    flaky = FailingStore(s3_storage, fail_on=6)  # after the first item's 4 files and the second's original
    interrupted = migration.migrate_storage(
        session, to="s3", backends=Backends(local_settings, overrides={"s3": flaky})
    )
    assert interrupted.stopped and "connection reset" in interrupted.stopped
    assert interrupted.moved == [first.id]
    backend_of = {i.id: i.storage_backend for i in session.exec(select(MediaItem)).all()}
    assert backend_of == {first.id: "s3", second.id: "local", third.id: "local"}

    copied = s3_storage.key(second.file_path)
    original = s3_client.get_object(Bucket=s3_bucket, Key=copied)
    s3_client.put_object(  # same size and recorded sha256, different bytes: only a read-back notices
        Bucket=s3_bucket, Key=copied, Body=b"\0" * original["ContentLength"], Metadata=original["Metadata"]
    )
    resumed = migration.migrate_storage(
        session, to="s3", backends=Backends(local_settings, overrides={"s3": s3_storage})
    )
    assert resumed.complete
    assert (resumed.total, resumed.already_there) == (2, 1)
    assert resumed.moved == [second.id, third.id]
    assert (resumed.files_copied, resumed.files_reused) == (8, 0)
    assert s3_storage.read_bytes(second.file_path) == LocalStorage(
        local_settings.resolved_media_dir
    ).read_bytes(second.file_path)


@local_only
def test_migration_skips_files_already_copied_with_the_same_content(
    session: Session, admin: Actor, local_settings: Settings, s3_storage: S3Storage
) -> None:
    item = upload(session, admin)
    s3_storage.store(
        item.file_path,
        LocalStorage(local_settings.resolved_media_dir).read_bytes(item.file_path),
        content_type="image/jpeg",
    )
    result = migration.migrate_storage(
        session, to="s3", backends=Backends(local_settings, overrides={"s3": s3_storage})
    )
    assert (result.files_copied, result.files_reused) == (3, 1)


class CorruptingStore(FailingStore):
    def store(self, path: str, data: bytes, *, content_type: str) -> None:
        self._inner.store(path, data[:-1] + b"!", content_type=content_type)


@local_only
def test_a_copy_that_does_not_verify_is_reported_and_the_item_stays(
    session: Session, admin: Actor, local_settings: Settings, s3_storage: S3Storage
) -> None:
    item = upload(session, admin)
    result = migration.migrate_storage(
        session, to="s3", backends=Backends(local_settings, overrides={"s3": CorruptingStore(s3_storage, 0)})
    )
    assert not result.complete
    assert [item_id for item_id, _ in result.failed] == [item.id]
    assert "does not match the original (sha256)" in result.failed[0][1]
    session.refresh(item)
    assert item.storage_backend == "local"


@local_only
def test_items_still_processing_are_postponed(
    session: Session, admin: Actor, local_settings: Settings, jobs: QueuedJobs
) -> None:
    item = upload(session, admin)
    result = migration.migrate_storage(session, to="s3", backends=Backends(local_settings))
    assert (result.postponed, result.complete) == ([item.id], False)


@local_only
def test_source_files_are_deleted_only_once_the_app_serves_from_the_target(
    session: Session, admin: Actor, media_dir: Path, local_settings: Settings, s3_settings: Settings
) -> None:
    item = upload(session, admin)
    with pytest.raises(InvalidInput, match="NEXUS_STORAGE_BACKEND=s3"):
        migration.migrate_storage(session, to="s3", delete_source=True, backends=Backends(local_settings))
    assert migration.migrate_storage(session, to="s3", backends=Backends(local_settings)).complete
    assert (media_dir / item.file_path).exists()
    switched = Backends(s3_settings)
    result = migration.migrate_storage(session, to="s3", delete_source=True, backends=switched)
    assert (result.source_files_deleted, result.source_files_kept) == (4, [])
    assert not (media_dir / item.file_path).exists()
    assert switched.get("s3").exists(item.file_path)


def test_s3_sweep_never_touches_keys_outside_the_prefix(
    session: Session, s3_settings: Settings, s3_client: S3Client, s3_bucket: str
) -> None:
    for key in ("media/junk.txt", "backups/db.sql", "media2/x.jpg"):
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=b"x")
    result = check.sweep_library(session, apply=True, grace=timedelta(0), backends=Backends(s3_settings))
    assert result.orphans_deleted == [StoredFile("s3", "junk.txt")]
    assert s3_keys(s3_client, s3_bucket) == ["backups/db.sql", "media2/x.jpg"]


@local_only
def test_migrating_to_s3_without_a_bucket_says_what_to_set(session: Session) -> None:
    with pytest.raises(InvalidInput, match="NEXUS_S3_BUCKET"):
        migration.migrate_storage(session, to="s3", backends=Backends(Settings(storage_backend="local")))
