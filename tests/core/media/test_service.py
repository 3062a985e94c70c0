"""The media use cases on real SQLite/PostgreSQL, real files and the real (inline) queue."""

from __future__ import annotations

from typing import Any
from uuid import UUID
from xml.etree.ElementTree import canonicalize

import pytest
from sqlmodel import Session, select

from nexus_core.errors import (
    Forbidden,
    ImageError,
    InvalidInput,
    NotFound,
    StorageError,
    UnsupportedMediaType,
    UploadTooLarge,
)
from nexus_core.media import deletion, editing, jobs, library, listing, paths, upload, variants
from nexus_core.media.storage import get_storage
from nexus_core.media.upload import IncomingFile
from nexus_core.models import MediaItem, MediaStatus, PendingDeletion, Role
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_member, make_project, stored_item
from tests.queue import QueuedJobs

MB = 1024 * 1024


def item_count(session: Session) -> int:
    return len(session.exec(select(MediaItem)).all())


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


def upload_one(
    session: Session, actor: Actor, data: bytes, filename: str = "photo.jpg", **kwargs
) -> MediaItem:
    return stored_item(
        session, upload.upload(session, actor=actor, files=[IncomingFile(filename, data)], **kwargs)[0]
    )


def test_upload_stores_original_and_makes_variants(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload_one(session, admin, images.jpeg(2000, 1000), alt_text="  A  wide   view ")
    session.refresh(item)
    assert item.status == MediaStatus.READY
    assert (item.width, item.height) == (2000, 1000)
    assert item.alt_text == "A wide view"
    assert item.mime_type == "image/jpeg"
    assert item.file_path == f"{admin.project_id}/{item.id}.jpg"
    assert sorted(item.variants) == ["large", "medium", "thumb"]
    assert {p.rsplit("/", 1)[-1] for p in stored.paths()} == {
        f"{item.id}.jpg",
        f"{item.id}_thumb.jpg",
        f"{item.id}_medium.jpg",
        f"{item.id}_large.jpg",
        f"{item.id}_16x9_thumb.jpg",  # 16:9 boxes for image fields that ask for that shape
        f"{item.id}_16x9_medium.jpg",
        f"{item.id}_16x9_large.jpg",
    }


def test_upload_is_pending_until_the_job_runs(session: Session, admin: Actor, jobs: QueuedJobs) -> None:
    item = upload_one(session, admin, images.png(900, 600), filename="diagram.png")
    assert item.status == MediaStatus.PENDING
    assert jobs.pending() == 1
    assert jobs.run_all() == 1
    session.refresh(item)
    assert item.status == MediaStatus.READY
    assert sorted(item.variants) == ["medium", "thumb"]


def test_extension_comes_from_content_not_from_the_name(session: Session, admin: Actor) -> None:
    item = upload_one(session, admin, images.png(50, 50), filename="../../evil.jpg.exe")
    assert item.mime_type == "image/png"
    assert item.file_path.endswith(".png")
    assert item.filename == "evil.jpg.png"


def test_svg_is_kept_without_variants(session: Session, admin: Actor, stored: StoredFiles) -> None:
    data = images.svg(120, 80)
    item = upload_one(session, admin, data, filename="logo.svg")
    session.refresh(item)
    assert item.status == MediaStatus.READY
    assert item.variants == {}
    assert (item.width, item.height) == (120, 80)
    assert canonicalize(stored.read(item.file_path)) == canonicalize(data)  # re-written, same drawing


def test_scripted_svg_is_stored_cleaned_and_the_uploader_told(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    data = images.svg(body='<script>alert(1)</script><rect onclick="alert(2)" width="9" height="9"/>')
    uploaded = upload.upload(session, actor=admin, files=[IncomingFile("logo.svg", data)])
    item = stored_item(session, uploaded[0])
    kept = stored.read(item.file_path)
    assert (item.status, item.variants, item.file_size) == (MediaStatus.READY, {}, len(kept))
    assert b"alert" not in kept
    assert b'<rect width="9" height="9" />' in kept
    assert uploaded.warnings == (
        "\u201clogo.svg\u201d: removed 1 script and 1 event handler, which SVG uploads may not contain.",
    )


def test_clean_uploads_bring_no_warnings(session: Session, admin: Actor) -> None:
    files = [IncomingFile("logo.svg", images.svg()), IncomingFile("photo.png", images.png(20, 20))]
    assert upload.upload(session, actor=admin, files=files).warnings == ()


HOSTILE_INPUTS = [
    ("empty.jpg", b"", InvalidInput, "empty"),
    ("notes.jpg", b"Dear diary, this is text.\n" * 20, UnsupportedMediaType, "not a supported image"),
    ("cut.jpg", images.truncated(images.jpeg(800, 600)), ImageError, "damaged or incomplete"),
    ("bomb.png", images.png_bomb(), ImageError, "too large"),
    (
        "laughs.svg",
        b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        UnsupportedMediaType,
        "declares XML entities",
    ),
    ("huge.jpg", b"\xff\xd8\xff" + b"\0" * (21 * MB), UploadTooLarge, "limit is 20 MB"),
]


@pytest.mark.parametrize(
    ("filename", "data", "error", "message"), HOSTILE_INPUTS, ids=[row[0] for row in HOSTILE_INPUTS]
)
def test_bad_input_is_refused_and_nothing_is_left(
    session: Session, admin: Actor, stored: StoredFiles, filename: str, data: bytes, error: type, message: str
) -> None:
    with pytest.raises(error, match=message) as raised:
        upload_one(session, admin, data, filename=filename)
    assert filename in str(raised.value)
    assert item_count(session) == 0
    assert stored.paths() == []


def test_eleven_files_are_refused_and_nothing_is_left(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    files = [IncomingFile(f"p{n}.png", images.png(20, 20)) for n in range(11)]
    with pytest.raises(InvalidInput, match="at most 10"):
        upload.upload(session, actor=admin, files=files)
    assert item_count(session) == 0
    assert stored.paths() == []


def test_one_bad_file_refuses_the_whole_batch(session: Session, admin: Actor, stored: StoredFiles) -> None:
    files = [IncomingFile("good.png", images.png(20, 20)), IncomingFile("bad.jpg", b"nope")]
    with pytest.raises(UnsupportedMediaType, match=r"bad\.jpg"):
        upload.upload(session, actor=admin, files=files)
    assert item_count(session) == 0
    assert stored.paths() == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [("../../etc/passwd", "passwd.jpg"), ("a\x00b.jpg", "ab.jpg"), ("x" * 300 + ".jpg", "x" * 251 + ".jpg")],
)
def test_hostile_filenames_are_cleaned(session: Session, admin: Actor, given: str, expected: str) -> None:
    item = upload_one(session, admin, images.jpeg(40, 40), filename=given)
    assert item.filename == expected
    assert item.file_path == f"{admin.project_id}/{item.id}.jpg"


class BrokenStorage:
    """The real local storage, with chosen operations failing as a full disk or dead network would."""

    def __init__(self, *failing: str) -> None:
        self._inner = get_storage()
        self._failing = set(failing)
        self.name = self._inner.name

    def __getattr__(self, operation: str):
        if operation in self._failing:

            def fail(*args, **kwargs):
                raise StorageError(f"The storage refused to {operation}.")

            return fail
        return getattr(self._inner, operation)

    def delete_many(self, paths: list[str]) -> dict[str, StorageError]:
        """As the storage contract says: the paths it could not delete, with why."""
        if "delete" in self._failing:
            return {path: StorageError("The storage refused to delete.") for path in paths}
        return self._inner.delete_many(paths)


def test_storage_failure_during_upload_leaves_nothing(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    files = [IncomingFile("a.png", images.png(20, 20)), IncomingFile("b.png", images.png(20, 20))]

    class FailsOnSecondStore(BrokenStorage):
        calls = 0

        def store(self, *args, **kwargs):
            self.calls += 1
            if self.calls == 2:
                raise StorageError("The storage refused to store.")
            return self._inner.store(*args, **kwargs)

    with pytest.raises(StorageError):
        upload.upload(session, actor=admin, files=files, storage=FailsOnSecondStore())
    assert item_count(session) == 0
    assert stored.paths() == []


def test_queue_failure_during_upload_leaves_nothing(
    session: Session, admin: Actor, stored: StoredFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    class QueueDown:
        def process(self, item_id: UUID) -> None:
            raise ConnectionError("queue unreachable")

    monkeypatch.setattr(jobs, "_queue", QueueDown())  # the queue bound at start-up, unreachable
    with pytest.raises(ConnectionError):
        upload_one(session, admin, images.png(20, 20))
    assert item_count(session) == 0
    assert stored.paths() == []


def test_viewer_cannot_upload(session: Session, admin: Actor) -> None:
    viewer = make_member(session, _project(session, admin), Role.VIEWER)
    with pytest.raises(Forbidden):
        upload_one(session, viewer, images.png(20, 20))


def _project(session: Session, actor: Actor):
    from nexus_core.models import Project

    return session.get(Project, actor.project_id)


def test_list_is_newest_first_and_confined_to_the_project(session: Session, admin: Actor) -> None:
    first = upload_one(session, admin, images.png(20, 20), filename="first.png")
    second = upload_one(session, admin, images.png(20, 20), filename="second.png")
    other = admin_of(session, make_project(session))
    upload_one(session, other, images.png(20, 20), filename="elsewhere.png")
    page = listing.list_items(session, actor=admin)
    assert [item.id for item in page.items] == [second.id, first.id]
    assert page.total == 2


def test_list_searches_filters_and_pages(session: Session, admin: Actor) -> None:
    upload_one(session, admin, images.png(20, 20), filename="beach.png", alt_text="Sunset at sea")
    upload_one(session, admin, images.png(20, 20), filename="forest.png", alt_text="Tall trees")
    upload_one(session, admin, images.png(20, 20), filename="100%_real.png")
    assert [i.filename for i in library_list(session, admin, q="SUNSET").items] == ["beach.png"]
    assert [i.filename for i in library_list(session, admin, q="forest").items] == ["forest.png"]
    assert [i.filename for i in library_list(session, admin, q="%_").items] == ["100%_real.png"]
    assert library_list(session, admin, status=MediaStatus.PENDING).total == 0
    assert library_list(session, admin, status=MediaStatus.READY).total == 3
    page = listing.list_items(session, actor=admin, limit=2, offset=2)
    assert (len(page.items), page.total) == (1, 3)


def test_items_of_other_projects_are_not_found(session: Session, admin: Actor) -> None:
    item = upload_one(session, admin, images.png(20, 20))
    stranger = admin_of(session, make_project(session))
    for action in (library.get_item, deletion.delete_item):
        with pytest.raises(NotFound):
            action(session, actor=stranger, item_id=item.id)
    with pytest.raises(NotFound):
        library.get_item(session, actor=admin, item_id="not-a-uuid")


def test_alt_text_update_rules(session: Session, admin: Actor) -> None:
    item = upload_one(session, admin, images.png(20, 20))
    assert (
        editing.update_alt_text(session, actor=admin, item_id=item.id, alt_text=" A  cat ").alt_text
        == "A cat"
    )
    with pytest.raises(InvalidInput, match="at most 1000"):
        editing.update_alt_text(session, actor=admin, item_id=item.id, alt_text="x" * 1001)
    viewer = make_member(session, _project(session, admin), Role.VIEWER)
    with pytest.raises(Forbidden):
        editing.update_alt_text(session, actor=viewer, item_id=item.id, alt_text="mine")


def test_delete_removes_every_file_and_the_row(session: Session, admin: Actor, stored: StoredFiles) -> None:
    item = upload_one(session, admin, images.jpeg(1700, 900))
    assert len(stored.paths()) == 7  # the original, three variants and three 16:9 renditions
    deletion.delete_item(session, actor=admin, item_id=item.id)
    assert item_count(session) == 0
    assert stored.paths() == []
    assert session.exec(select(PendingDeletion)).all() == []


def test_only_admins_delete(session: Session, admin: Actor) -> None:
    item = upload_one(session, admin, images.png(20, 20))
    editor = make_member(session, _project(session, admin), Role.EDITOR)
    with pytest.raises(Forbidden):
        deletion.delete_item(session, actor=editor, item_id=item.id)
    assert item_count(session) == 1


def test_storage_error_while_deleting_is_recorded_and_finished_later(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload_one(session, admin, images.jpeg(900, 600))
    deletion.delete_item(session, actor=admin, item_id=item.id, storage=BrokenStorage("delete"))
    assert item_count(session) == 0
    owed = session.exec(select(PendingDeletion)).all()
    assert {d.path for d in owed} >= {item.file_path, *item.variants.values()}
    assert all(d.attempts == 1 and "refused" in (d.last_error or "") for d in owed)
    assert deletion.delete_pending_files(session, owed, get_storage()) == 0
    assert stored.paths() == []
    assert session.exec(select(PendingDeletion)).all() == []


def test_processing_twice_gives_the_same_result(session: Session, admin: Actor, stored: StoredFiles) -> None:
    item = upload_one(session, admin, images.jpeg(1000, 800))
    before = {p: stored.read(p) for p in stored.paths()}
    again = variants.process_item(session, item_id=item.id)
    assert again is not None and again.status == MediaStatus.READY
    assert {p: stored.read(p) for p in stored.paths()} == before


def test_processing_a_deleted_item_is_a_no_op(
    session: Session, admin: Actor, stored: StoredFiles, jobs
) -> None:
    item = upload_one(session, admin, images.jpeg(1000, 800))
    deletion.delete_item(session, actor=admin, item_id=item.id)
    jobs.run_all()
    assert variants.process_item(session, item_id=item.id) is None
    assert stored.paths() == []


def test_corrupt_original_ends_as_error_with_a_reason(
    session: Session, admin: Actor, stored: StoredFiles, jobs
) -> None:
    item = upload_one(session, admin, images.jpeg(1000, 800))
    stored.write(item.file_path, images.truncated(images.jpeg(1000, 800), 0.3) + b"\xff\xd9")
    jobs.run_all()
    session.refresh(item)
    assert item.status == MediaStatus.ERROR
    assert item.error and "damaged" in item.error
    assert item.variants == {}


def test_urls_point_at_the_proxy(session: Session, admin: Actor) -> None:
    item = upload_one(session, admin, images.jpeg(400, 300))
    assert paths.url(item.variants["thumb"]) == f"/media/{admin.project_id}/{item.id}_thumb.jpg"


def library_list(session: Session, actor: Actor, **filters: Any) -> listing.MediaPage:
    return listing.list_items(session, actor=actor, filters=listing.ItemFilter(**filters))
