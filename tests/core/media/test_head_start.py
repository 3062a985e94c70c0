"""Upload to ready without waiting: the embedded worker starts a queued job at once, and the job takes the
variants its upload began (head_start) instead of reading the original back."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlmodel import Session

from nexus_core.errors import StorageError
from nexus_core.media import formats, head_start, renditions, tasks, upload
from nexus_core.media.upload import IncomingFile
from nexus_core.media.validation import detect_mime_type as formats_by_bytes
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project, stored_item
from tests.queue import QueuedJobs

MODERN = {formats.WEBP, formats.AVIF}


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


def upload_one(session: Session, actor: Actor, data: bytes) -> MediaItem:
    files = [IncomingFile("photo.jpg", data)]
    return stored_item(session, upload.upload(session, actor=actor, files=files)[0])


def test_the_job_takes_the_variants_its_upload_began(
    session: Session, admin: Actor, stored: StoredFiles, jobs: QueuedJobs, head_starts: None
) -> None:
    item = upload_one(session, admin, images.jpeg(2000, 1000))
    assert head_start.waiting() == 1
    stored.delete(item.file_path)  # a job that read the original back would fail now
    jobs.run_all()
    session.refresh(item)
    assert item.status == MediaStatus.READY
    assert sorted(item.variants) == ["large", "medium", "thumb"]
    assert item.placeholder is not None and item.perceptual_hash is not None
    assert all(stored.exists(path) for path in item.variants.values())
    assert head_start.waiting() == 0


def test_the_second_job_takes_the_modern_formats_made_from_the_same_decode(
    session: Session,
    admin: Actor,
    stored: StoredFiles,
    modern_formats: Callable[[str], None],
    jobs: QueuedJobs,
    head_starts: None,
) -> None:
    modern_formats("webp,avif")
    item = upload_one(session, admin, images.jpeg(2000, 1000))
    stored.delete(item.file_path)  # jobs that read the original back would fail now
    assert jobs.run_all() == 2  # the first job queues the second
    session.refresh(item)
    made = {
        (rendition.name, rendition.mime_type): rendition for rendition in renditions.made(item.renditions)
    }
    assert {(name, mime) for name in ("thumb", "medium", "large") for mime in MODERN} <= set(made)
    for (_, mime), rendition in made.items():
        assert formats_by_bytes(stored.read(rendition.path)) == mime
    assert head_start.waiting() == 0


def test_a_damaged_image_found_by_the_head_start_ends_as_error(
    session: Session, admin: Actor, jobs: QueuedJobs, head_starts: None
) -> None:
    damaged = images.truncated(images.jpeg(1000, 800), 0.3) + b"\xff\xd9"  # passes the upload's checks
    item = upload_one(session, admin, damaged)
    jobs.run_all()
    session.refresh(item)
    assert item.status == MediaStatus.ERROR
    assert item.error and "damaged" in item.error
    assert item.variants == {}


def test_without_a_head_start_the_job_reads_the_original(
    session: Session, admin: Actor, stored: StoredFiles, jobs: QueuedJobs
) -> None:
    item = upload_one(session, admin, images.jpeg(2000, 1000))
    assert head_start.waiting() == 0
    stored.write(item.file_path, images.jpeg(700, 500))  # what the job finds is what it processes
    jobs.run_all()
    session.refresh(item)
    assert item.status == MediaStatus.READY
    assert sorted(item.variants) == ["thumb"]


def test_a_file_already_in_the_library_leaves_no_head_start_behind(
    session: Session, admin: Actor, jobs: QueuedJobs, head_starts: None
) -> None:
    data = images.jpeg(1200, 800)
    first = upload_one(session, admin, data)
    jobs.run_all()  # the job takes its head start: none is running or waiting now
    assert head_start.waiting() == 0
    again = upload_one(session, admin, data)  # the same bytes: the first item stands in for it
    assert again.id == first.id
    assert head_start.waiting() == 0


def test_a_failed_upload_leaves_no_head_start_behind(
    session: Session, admin: Actor, stored: StoredFiles, head_starts: None
) -> None:
    class FailingStorage:
        name = "local"

        def store(self, *args: object, **kwargs: object) -> None:
            raise StorageError("The storage refused to store.")

        def delete(self, path: str) -> None:
            pass

    with pytest.raises(StorageError):
        upload.upload(
            session,
            actor=admin,
            files=[IncomingFile("photo.jpg", images.jpeg(1200, 800))],
            storage=FailingStorage(),  # type: ignore[arg-type]
        )
    assert head_start.waiting() == 0
    assert stored.paths() == []


def test_the_embedded_worker_starts_a_queued_job_at_once(
    session: Session, admin: Actor, jobs: QueuedJobs
) -> None:
    """Its poll interval here is 30 s, so only being woken by the upload's job gets the item ready."""
    consumer = tasks.EmbeddedConsumer(
        tasks.huey, workers=1, periodic=False, initial_delay=30, max_delay=30, check_worker_health=False
    )
    consumer.start()
    try:
        time.sleep(0.3)  # the worker finds the queue empty and waits
        item = upload_one(session, admin, images.jpeg(1200, 800))
        deadline = time.monotonic() + 15
        while item.status != MediaStatus.READY and time.monotonic() < deadline:
            time.sleep(0.05)
            session.refresh(item)
        assert item.status == MediaStatus.READY
    finally:
        stopping = time.monotonic()
        consumer.stop(graceful=True)
    assert time.monotonic() - stopping < 10  # a waiting worker sees the stop at once, not after 30 s
