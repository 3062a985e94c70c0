"""The per-process bound on uploads in memory: at most N files' bytes at once, the others wait, then give up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from uuid import UUID

import pytest
from sqlmodel import Session, select

from nexus_core.config import Settings, get_settings
from nexus_core.db import session_scope
from nexus_core.errors import UnsupportedMediaType, UploadsBusy, UploadTooLarge
from nexus_core.media import upload
from nexus_core.media.storage import get_storage
from nexus_core.media.upload import IncomingFile, SpooledUpload
from nexus_core.models import MediaItem
from nexus_core.policies import Actor
from tests import images
from tests.factories import admin_of, make_project


class GatedStorage:
    """The configured storage, each store held until the test lets it through; it counts the files whose
    bytes are in memory, from the read of their spooled upload until their store returns."""

    def __init__(self) -> None:
        self._inner = get_storage()
        self.name = self._inner.name
        self.gate = threading.Semaphore(0)
        self._lock = threading.Lock()
        self.reads = 0
        self.holding = 0
        self.peak = 0

    def __getattr__(self, operation: str) -> object:
        return getattr(self._inner, operation)

    def spooled(self, data: bytes) -> SpooledUpload:
        def read() -> bytes:
            with self._lock:
                self.reads += 1
                self.holding += 1
                self.peak = max(self.peak, self.holding)
            return data

        return SpooledUpload(len(data), read)

    def store(self, path: str, data: bytes, *, content_type: str) -> None:
        assert self.gate.acquire(timeout=10), "the test never let this store through"
        self._inner.store(path, data, content_type=content_type)
        with self._lock:
            self.holding -= 1


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


@pytest.fixture
def storage() -> Iterator[GatedStorage]:
    gated = GatedStorage()
    yield gated
    gated.gate.release(100)  # nothing stays blocked past a failed test


@pytest.fixture
def uploads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        yield executor


def slots(count: int, wait: float) -> Settings:
    return get_settings().model_copy(update={"max_concurrent_uploads": count, "upload_wait_seconds": wait})


def upload_in_thread(
    executor: ThreadPoolExecutor, actor: Actor, storage: GatedStorage, settings: Settings, name: str
) -> Future[UUID]:
    def run() -> UUID:
        with session_scope() as session:
            file = IncomingFile(name, storage.spooled(images.png(20, 20)))
            return upload.upload(session, actor=actor, files=[file], storage=storage, settings=settings)[0].id

    return executor.submit(run)


def eventually(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_at_most_the_configured_number_of_uploads_hold_their_bytes(
    session: Session, admin: Actor, storage: GatedStorage, uploads: ThreadPoolExecutor
) -> None:
    settings = slots(2, wait=10)
    futures = [upload_in_thread(uploads, admin, storage, settings, f"p{n}.png") for n in range(4)]
    eventually(lambda: storage.reads == 2)
    time.sleep(0.2)
    assert storage.reads == 2  # the other two wait without reading their files

    storage.gate.release()
    eventually(lambda: storage.reads == 3)  # one finished, so a waiting upload proceeds
    storage.gate.release(3)

    ids = {future.result(timeout=10) for future in futures}
    assert storage.peak == 2
    assert set(session.exec(select(MediaItem.id)).all()) == ids


def test_an_upload_that_waits_too_long_gives_up_with_a_retryable_error(
    session: Session, admin: Actor, storage: GatedStorage, uploads: ThreadPoolExecutor
) -> None:
    settings = slots(1, wait=0.2)
    first = upload_in_thread(uploads, admin, storage, settings, "first.png")
    eventually(lambda: storage.reads == 1)
    started = time.monotonic()
    with pytest.raises(UploadsBusy, match="try again") as raised:
        file = IncomingFile("second.png", storage.spooled(images.png(20, 20)))
        upload.upload(session, actor=admin, files=[file], storage=storage, settings=settings)
    assert time.monotonic() - started >= 0.2
    assert (raised.value.status_code, raised.value.retry_after) == (503, 10)
    assert storage.reads == 1  # the refused upload never read its file

    storage.gate.release()
    assert session.get(MediaItem, first.result(timeout=10)) is not None


def test_a_refused_file_frees_its_slot(session: Session, admin: Actor) -> None:
    settings = slots(1, wait=0.2)
    with pytest.raises(UnsupportedMediaType):
        upload.upload(
            session, actor=admin, files=[IncomingFile("notes.png", b"text" * 20)], settings=settings
        )
    files = [IncomingFile("fine.png", images.png(20, 20))]
    assert upload.upload(session, actor=admin, files=files, settings=settings)


def test_an_oversized_spooled_file_is_refused_unread(session: Session, admin: Actor) -> None:
    def read() -> bytes:
        raise AssertionError("an oversized file must not be read")

    file = IncomingFile("huge.jpg", SpooledUpload(21 * 1024 * 1024, read))
    with pytest.raises(UploadTooLarge, match=r"“huge\.jpg” is 21\.0 MB; the limit is 20 MB"):
        upload.upload(session, actor=admin, files=[file])
