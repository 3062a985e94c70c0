"""Duplicates: exact copies refused at upload, near duplicates recorded by the processing job, and the
SQL pieces the library's filters use (has_duplicates, similar_to)."""

from __future__ import annotations

import hashlib
import threading
from uuid import UUID

import pytest
import pyvips
from sqlmodel import Session, col, delete, select, update

from nexus_core.db import get_engine, session_scope
from nexus_core.errors import NotFound, UnsupportedMediaType
from nexus_core.media import deletion, duplicates, upload, variants
from nexus_core.media.upload import Duplicate, IncomingFile, UploadedItems
from nexus_core.models import MediaItem, MediaSimilarity, MediaStatus, Project
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


@pytest.fixture(scope="module")
def scene() -> pyvips.Image:
    return images.scene(1200, 800, seed=1)


def jpeg(image: pyvips.Image, quality: int = 90) -> bytes:
    return bytes(image.jpegsave_buffer(Q=quality))


def send(session: Session, actor: Actor, *files: tuple[str, bytes], **options) -> UploadedItems:
    incoming = [IncomingFile(name, data) for name, data in files]
    return upload.upload(session, actor=actor, files=incoming, **options)


def ids(items) -> list[UUID]:
    return [item.id for item in items]


def rows(session: Session) -> list[MediaItem]:
    session.expire_all()
    return list(session.exec(select(MediaItem).order_by(col(MediaItem.inserted_at))))


def pairs(session: Session) -> set[tuple[UUID, UUID, int]]:
    found = session.exec(select(MediaSimilarity.item_id, MediaSimilarity.other_id, MediaSimilarity.distance))
    return set(found)


def with_duplicates(session: Session) -> set[UUID]:
    return set(session.exec(select(MediaItem.id).where(duplicates.has_duplicates())))


def test_the_same_file_again_is_not_stored_and_names_the_item_there(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    data = images.png(64, 48)
    first = send(session, admin, ("harbour.png", data))
    files_before = stored.paths()
    again = send(session, admin, ("harbour-copy.png", data), alt_text="Another description")
    assert ids(again) == ids(first)
    assert again.duplicates == (Duplicate(0, again[0]),)
    assert not again.any_new and first.any_new
    assert again[0].filename == "harbour.png" and again[0].alt_text == ""  # the item there, unchanged
    assert len(rows(session)) == 1
    assert stored.paths() == files_before


def test_the_bytes_compared_are_those_stored_with_private_metadata_removed(
    session: Session, admin: Actor, scene: pyvips.Image
) -> None:
    plain = send(session, admin, ("plain.jpg", jpeg(scene.resize(0.25), quality=85)))
    tagged = images._with_camera_metadata(scene.resize(0.25))
    assert ids(send(session, admin, ("camera.jpg", jpeg(tagged, quality=85)))) == ids(plain)


def test_several_files_list_each_item_in_upload_order(session: Session, admin: Actor) -> None:
    there, fresh = images.png(30, 20), images.png(20, 30)
    existing = send(session, admin, ("there.png", there))[0]
    result = send(session, admin, ("new.png", fresh), ("there-again.png", there))
    assert [item.filename for item in result] == ["new.png", "there.png"]
    assert [(duplicate.index, duplicate.existing.id) for duplicate in result.duplicates] == [(1, existing.id)]
    assert result.any_new
    assert len(rows(session)) == 2


def test_a_second_identical_file_in_one_upload_is_a_duplicate_of_the_first(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    data = images.jpeg(120, 80)
    result = send(session, admin, ("a.jpg", data), ("b.jpg", data), ("a-again.jpg", data))
    assert len(set(ids(result))) == 1
    assert [duplicate.index for duplicate in result.duplicates] == [1, 2]
    assert result.any_new
    (item,) = rows(session)
    assert item.filename == "a.jpg" and item.status == MediaStatus.READY
    assert sum(path.endswith(".jpg") and "_" not in path for path in stored.paths()) == 1


def test_an_item_whose_processing_failed_does_not_keep_its_file_out(session: Session, admin: Actor) -> None:
    data = images.png(40, 40)
    broken = send(session, admin, ("lost.png", data))[0]
    row = session.get(MediaItem, broken.id)
    assert row is not None
    variants.set_status(
        session, row, MediaStatus.ERROR, error=variants.MISSING_ORIGINAL
    )  # as the sweep marks it
    again = send(session, admin, ("found.png", data))
    assert again.any_new and again[0].id != broken.id
    assert again[0].status == MediaStatus.READY


def test_copies_are_only_found_in_the_same_project(session: Session, admin: Actor) -> None:
    data = images.png(40, 40)
    send(session, admin, ("mine.png", data))
    elsewhere = admin_of(session, make_project(session))
    assert not send(session, elsewhere, ("theirs.png", data)).duplicates
    assert len(rows(session)) == 2


def test_allowing_duplicates_stores_a_copy_and_both_are_paired(session: Session, admin: Actor) -> None:
    data = images.svg()
    first = send(session, admin, ("logo.svg", data))
    copy = send(session, admin, ("logo.svg", data), allow_duplicates=True)
    assert copy.any_new and not copy.duplicates
    assert copy[0].id != first[0].id and copy[0].sha256 == first[0].sha256
    assert pairs(session) == {(first[0].id, copy[0].id, 0), (copy[0].id, first[0].id, 0)}
    assert with_duplicates(session) == {first[0].id, copy[0].id}


def test_a_failed_upload_takes_away_only_what_it_stored(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    data = images.png(30, 30)
    send(session, admin, ("there.png", data))
    files_before = stored.paths()
    with pytest.raises(UnsupportedMediaType):
        send(
            session, admin, ("new.png", images.png(31, 31)), ("there.png", data), ("notes.png", b"text" * 40)
        )
    assert [item.filename for item in rows(session)] == ["there.png"]
    assert stored.paths() == files_before


NEAR_COPIES = {
    "quality 30": lambda image: jpeg(image, quality=30),
    "half size": lambda image: jpeg(image.resize(0.5)),
    "5% off the right": lambda image: jpeg(image.crop(0, 0, image.width * 95 // 100, image.height)),
}


def test_near_copies_are_paired_and_a_different_picture_is_not(
    session: Session, admin: Actor, scene: pyvips.Image
) -> None:
    original = send(session, admin, ("pier.jpg", jpeg(scene)))[0]
    copies = {
        name: send(session, admin, (f"{name}.jpg", make(scene)))[0] for name, make in NEAR_COPIES.items()
    }
    other = send(session, admin, ("other.jpg", jpeg(images.scene(1200, 800, seed=2))))[0]
    near = {other_id: distance for item_id, other_id, distance in pairs(session) if item_id == original.id}
    assert set(near) == set(ids(copies.values()))
    assert all(0 <= distance <= duplicates.NEAR_DUPLICATE_DISTANCE for distance in near.values())
    assert {(b, a, d) for a, b, d in pairs(session)} == pairs(session)  # both ways
    assert other.id not in with_duplicates(session)
    assert original.id in with_duplicates(session)


def test_similar_to_lists_the_near_duplicates_nearest_first(
    session: Session, admin: Actor, scene: pyvips.Image
) -> None:
    original = send(session, admin, ("pier.jpg", jpeg(scene)))[0]
    cropped = send(session, admin, ("cropped.jpg", NEAR_COPIES["5% off the right"](scene)))[0]
    smaller = send(session, admin, ("smaller.jpg", NEAR_COPIES["half size"](scene)))[0]
    send(session, admin, ("other.jpg", jpeg(images.scene(1200, 800, seed=2))))
    condition, nearest_first = duplicates.similar_to(session, actor=admin, item_id=original.id)
    found = session.exec(select(MediaItem.id).where(condition).order_by(nearest_first)).all()
    assert found == [smaller.id, cropped.id]


def test_similar_to_needs_an_item_of_the_project(session: Session, admin: Actor) -> None:
    item = send(session, admin, ("a.png", images.png(20, 20)))[0]
    stranger = admin_of(session, make_project(session))
    for actor, item_id in ((stranger, item.id), (admin, "not-an-id"), (admin, UUID(int=1))):
        with pytest.raises(NotFound):
            duplicates.similar_to(session, actor=actor, item_id=item_id)


def test_flat_pictures_have_no_hash_and_no_pairs(session: Session, admin: Actor) -> None:
    for shade in (40, 120, 220):
        flat = (pyvips.Image.black(400, 300) + shade).cast("uchar")
        send(session, admin, (f"flat{shade}.png", bytes(flat.pngsave_buffer())))
    assert {item.perceptual_hash for item in rows(session)} == {None}
    assert pairs(session) == set()


def test_deleting_an_item_removes_its_pairs(session: Session, admin: Actor, scene: pyvips.Image) -> None:
    original = send(session, admin, ("pier.jpg", jpeg(scene)))[0]
    send(session, admin, ("smaller.jpg", NEAR_COPIES["half size"](scene)))
    assert len(pairs(session)) == 2
    deletion.delete_item(session, actor=admin, item_id=original.id)
    assert pairs(session) == set()
    assert with_duplicates(session) == set()


def test_processing_again_replaces_the_pairs(
    session: Session, admin: Actor, stored: StoredFiles, scene: pyvips.Image
) -> None:
    original = send(session, admin, ("pier.jpg", jpeg(scene)))[0]
    smaller = send(session, admin, ("smaller.jpg", NEAR_COPIES["half size"](scene)))[0]
    variants.process_item(session, item_id=smaller.id)
    assert len(pairs(session)) == 2
    stored.write(smaller.file_path, jpeg(images.scene(600, 400, seed=5)))  # its picture is another now
    variants.process_item(session, item_id=smaller.id)
    assert pairs(session) == set()
    assert original.id not in with_duplicates(session)


def test_regenerating_an_old_item_records_its_sha256_and_pairs(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    data = images.png(50, 40)
    old, copy = (
        send(session, admin, ("old.png", data)),
        send(session, admin, ("copy.png", data), allow_duplicates=True),
    )
    session.exec(update(MediaItem).values(sha256=None, perceptual_hash=None))
    session.exec(delete(MediaSimilarity))
    session.commit()
    result = variants.regenerate_variants(session, item_ids=[old[0].id, copy[0].id])
    assert result.done == [old[0].id, copy[0].id]
    expected = hashlib.sha256(stored.read(old[0].file_path)).hexdigest()
    assert {(item.sha256, item.perceptual_hash is not None) for item in rows(session)} == {(expected, True)}
    assert with_duplicates(session) == {old[0].id, copy[0].id}


def test_a_job_recording_and_a_transaction_holding_the_project_take_turns(
    session: Session, admin: Actor, scene: pyvips.Image
) -> None:
    """The job takes the project's lock before the item's row, as deleting does: a transaction that holds
    the project and then deletes the item goes first, and the job finds the item gone (taking the row
    first, the job waited for the project while holding the row the other waited for: a deadlock)."""
    if get_engine().dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (./dev test --production): SQLite has one writer at a time")
    item = send(session, admin, ("pier.jpg", jpeg(scene)))[0]
    outcome: list[object] = []

    def job() -> None:
        try:
            with session_scope() as own:
                outcome.append(variants.process_item(own, item_id=item.id))
        except Exception as error:  # what the job met is the finding
            outcome.append(error)

    with session_scope() as holding:
        holding.exec(select(Project.id).where(Project.id == admin.project_id).with_for_update())
        recording = threading.Thread(target=job)
        recording.start()
        recording.join(timeout=1.5)  # processed, and now waiting for the project
        assert recording.is_alive()
        holding.exec(delete(MediaItem).where(col(MediaItem.id) == item.id))
        holding.commit()
    recording.join(timeout=30)
    assert outcome == [None]  # gone by then: nothing recorded, no error
    assert session.get(MediaItem, item.id, populate_existing=True) is None
