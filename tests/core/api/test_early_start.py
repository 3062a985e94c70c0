"""An upload's first file decoded while it arrives (head_start.EarlyStart, fed by the API's body reader):
its job takes what that made, the very renditions the stored original makes; for any other bytes than
the file as validated, or another type, it is given up and the upload is processed as usual."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from nexus_core.config import get_settings
from nexus_core.media import arriving, formats, head_start, upload
from nexus_core.media.arriving import ArrivingBytes
from nexus_core.media.upload import IncomingFile
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles
from tests.core.api.helpers import Team, checked
from tests.core.api.helpers import upload as upload_through_api
from tests.factories import stored_item
from tests.queue import QueuedJobs


@pytest.fixture
def decoded_from(monkeypatch: pytest.MonkeyPatch, head_starts: None) -> Iterator[list[str]]:
    """What each head start decoded from: "arriving" (the file as it came) or "bytes" (as received)."""
    seen: list[str] = []
    decode = head_start._decode

    def recording(data: object, *args: object, **kwargs: object) -> object:
        seen.append("arriving" if isinstance(data, ArrivingBytes) else "bytes")
        return decode(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(head_start, "_decode", recording)
    yield seen
    head_start._decoding.submit(lambda: None).result()  # the decode thread is done before the next test


def arrive(early: head_start.EarlyStart, data: bytes, pieces: int = 8) -> None:
    size = -(-len(data) // pieces)
    for start in range(0, len(data), size):
        early.receive(data[start : start + size])
    early.end()


def begun() -> head_start.EarlyStart:
    early = head_start.begin_early(get_settings())
    assert early is not None, "head starts are on"
    return early


def arrived(data: bytes) -> head_start.EarlyStart:
    """An early start that has received the whole of `data`."""
    early = begun()
    arrive(early, data)
    return early


def processed(session: Session, jobs: QueuedJobs, item: MediaItem) -> MediaItem:
    """The item once its queued jobs have run: ready."""
    jobs.run_all()
    session.refresh(item)
    assert item.status == MediaStatus.READY, item.error
    return item


def upload_with(session: Session, actor: Actor, data: bytes, early: head_start.EarlyStart) -> MediaItem:
    files = [IncomingFile("photo.jpg", data, early=early)]
    return stored_item(session, upload.upload(session, actor=actor, files=files)[0])


def uploaded(client: TestClient, team: Team, session: Session, data: bytes) -> MediaItem:
    """The item of a file uploaded through the API (by an admin)."""
    created = checked(upload_through_api(client, team, data=data), 201)
    item = session.get(MediaItem, UUID(created["data"]["id"]))
    assert item is not None
    return item


def made_from(original: bytes) -> dict[str, bytes]:
    """The renditions the first job makes from the stored original (private metadata removed)."""
    made = head_start.process(original, formats.JPEG, get_settings())
    return {variant.name: variant.data for variant in made.variants}


def stored_renditions(stored: StoredFiles, item: MediaItem) -> dict[str, bytes]:
    return {
        made["name"]: stored.read(made["path"])
        for made in item.renditions
        if made["mime_type"] == formats.JPEG
    }


@pytest.mark.parametrize(
    "photo",
    [
        lambda: images.jpeg_with_camera_exif(2000, 1200),  # what the stored original loses: GPS, camera
        lambda: images.jpeg_dark_left(2000, 1200, orientation=6),  # what it keeps: the turn
        lambda: images.exif_in_front(images.jpeg_dark_left(2000, 1200, orientation=6), None),  # not turned
    ],
    ids=["camera-metadata", "exif-orientation", "two-exif-blocks"],
)
def test_the_job_takes_what_was_decoded_as_the_file_arrived(
    session: Session,
    admin: Actor,
    stored: StoredFiles,
    jobs: QueuedJobs,
    decoded_from: list[str],
    photo: Callable[[], bytes],
) -> None:
    data = photo()
    early = begun()
    early.receive(data[: len(data) // 2])
    time.sleep(0.3)
    assert decoded_from == ["arriving"] and not early.result.done()  # begun, waiting for the rest
    arrive(early, data[len(data) // 2 :], pieces=1)
    item = upload_with(session, admin, data, early)
    original = stored.read(item.file_path)
    stored.delete(item.file_path)  # a job that read the original back would fail now
    processed(session, jobs, item)
    assert decoded_from == ["arriving"]
    assert head_start.waiting() == 0
    assert stored_renditions(stored, item) == made_from(original)  # byte for byte


def test_other_bytes_than_those_decoded_are_processed_as_received(
    session: Session, admin: Actor, stored: StoredFiles, jobs: QueuedJobs, decoded_from: list[str]
) -> None:
    early = arrived(images.jpeg(2000, 1200))
    item = processed(
        session, jobs, upload_with(session, admin, images.jpeg(700, 500), early)
    )  # not what arrived
    assert (item.width, sorted(item.variants)) == (700, ["thumb"])
    assert decoded_from[-1] == "bytes"


def test_a_png_is_not_decoded_early(
    session: Session, admin: Actor, jobs: QueuedJobs, decoded_from: list[str]
) -> None:
    data = images.png(1200, 800)
    early = arrived(data)
    item = stored_item(
        session, upload.upload(session, actor=admin, files=[IncomingFile("logo.png", data, early=early)])[0]
    )
    processed(session, jobs, item)
    assert decoded_from == ["bytes"]


def test_an_upload_through_the_api_is_decoded_as_it_arrives(
    client: TestClient,
    team: Team,
    session: Session,
    stored: StoredFiles,
    jobs: QueuedJobs,
    decoded_from: list[str],
) -> None:
    item = uploaded(client, team, session, images.jpeg_with_camera_exif(2000, 1200))
    stored.delete(item.file_path)  # the job has all it needs from the head start
    processed(session, jobs, item)
    assert decoded_from == ["arriving"]


def test_a_refused_file_leaves_nothing_and_the_next_upload_starts_early(
    client: TestClient,
    team: Team,
    session: Session,
    stored: StoredFiles,
    jobs: QueuedJobs,
    decoded_from: list[str],
) -> None:
    refused = upload_through_api(client, team, data=images.truncated(images.jpeg(2000, 1200), 0.5))
    assert refused.status_code == 415, refused.text  # damaged or incomplete
    head_start._decoding.submit(lambda: None).result()  # its decode has ended (at the missing bytes)
    assert head_start.waiting() == 0
    assert stored.paths() == [] and session.exec(select(MediaItem)).all() == []

    item = uploaded(client, team, session, images.jpeg(1600, 1000))
    processed(session, jobs, item)
    assert decoded_from == ["arriving", "arriving"]  # the refused file's decode let go of the head start


def test_a_viewer_starts_no_decode(
    client: TestClient, team: Team, session: Session, decoded_from: list[str]
) -> None:
    checked(upload_through_api(client, team, who="viewer"), 403)
    assert decoded_from == []


def test_a_stalled_file_lets_its_reader_go(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arriving, "STALL", 0.1)
    stalled = ArrivingBytes()
    stalled.append(b"\xff\xd8\xff")
    assert stalled.read_at(0, 10) == b"\xff\xd8\xff"
    started = time.monotonic()
    assert stalled.read_at(3, 10) == b""  # nothing more came: the end, for the reader
    assert time.monotonic() - started < 5
    stalled.append(b"late")
    assert len(stalled) == 0 and not stalled.matches(b"\xff\xd8\xfflate")


def test_only_the_file_field_is_watched(client: TestClient, team: Team, decoded_from: list[str]) -> None:
    other = {"other": ("other.jpg", images.jpeg(1200, 800), "image/jpeg")}
    answer = client.post("/api/v1/media_items", headers=team.headers("admin"), files=other)
    assert answer.status_code == 422
    assert decoded_from == []
    assert head_start.take(uuid4()) is None


def test_of_several_files_the_first_is_decoded_as_it_arrives_and_each_is_made_from_its_own_bytes(
    client: TestClient,
    team: Team,
    session: Session,
    stored: StoredFiles,
    jobs: QueuedJobs,
    decoded_from: list[str],
) -> None:
    files = [
        ("file", ("wide.jpg", images.jpeg(2000, 1000), "image/jpeg")),
        ("file", ("narrow.jpg", images.jpeg(700, 500), "image/jpeg")),
    ]
    created = checked(client.post("/api/v1/media_items", headers=team.headers("admin"), files=files), 201)
    jobs.run_all()
    items = [session.get(MediaItem, UUID(resource["id"])) for resource in created["data"]]
    assert [(item.filename, item.status, sorted(item.variants)) for item in items if item] == [
        ("wide.jpg", MediaStatus.READY, ["large", "medium", "thumb"]),
        ("narrow.jpg", MediaStatus.READY, ["thumb"]),
    ]
    assert decoded_from[0] == "arriving"


@pytest.mark.parametrize("decoded_first", [True, False], ids=["decoded-before-its-item", "as-it-comes"])
def test_the_second_job_takes_the_modern_formats_of_the_same_decode(
    session: Session,
    admin: Actor,
    stored: StoredFiles,
    jobs: QueuedJobs,
    modern_formats: Callable[[str], None],
    decoded_from: list[str],
    decoded_first: bool,
) -> None:
    modern_formats("webp,avif")
    data = images.jpeg(2000, 1200)
    early = arrived(data)
    if decoded_first:
        early.result.result(timeout=30)  # done before the upload has its item
    item = upload_with(session, admin, data, early)
    stored.delete(item.file_path)  # jobs that read the original back would fail now
    assert jobs.run_all() == 2
    session.refresh(item)
    made = {(made["name"], made["mime_type"]) for made in item.renditions}
    assert {
        (name, mime) for name in ("thumb", "medium", "large") for mime in (formats.WEBP, formats.AVIF)
    } <= made
    assert decoded_from == ["arriving"]
    assert head_start.waiting() == 0
