"""The second job (modern renditions) on the real database, storage and queue: an item is ready before
them, they follow, the settings decide which exist, maintenance finds and makes what is missing, and
deleting an item leaves no file."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from nexus_core.media import check, deletion, formats, renditions, variants
from nexus_core.media import upload as uploading
from nexus_core.media.upload import IncomingFile
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project, stored_item
from tests.queue import QueuedJobs

SetFormats = Callable[[str], None]


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


def upload(session: Session, actor: Actor, data: bytes | None = None, name: str = "photo.jpg") -> MediaItem:
    """700 px wide: an original and a thumb."""
    files = [IncomingFile(name, data or images.jpeg(700, 350))]
    return stored_item(session, uploading.upload(session, actor=actor, files=files)[0])


@pytest.fixture
def older_item(session: Session, admin: Actor, modern_formats: SetFormats) -> MediaItem:
    """An item processed while NEXUS_MODERN_FORMATS was empty."""
    modern_formats("")
    return upload(session, admin)


def file_names(stored: StoredFiles, item: MediaItem) -> set[str]:
    return {path.rsplit("/", 1)[-1].removeprefix(str(item.id)) for path in stored.paths()}


# 700 × 350 gets a thumb; its 16:9 box, 622 × 350, a 16x9_thumb and a 16x9_medium at its own width.
WIDE = ("16x9_thumb", "16x9_medium")


def names_in(*extensions: str, names: tuple[str, ...] = ("thumb", *WIDE)) -> set[str]:
    return {f"_{name}.{extension}" for name in names for extension in extensions}


def made(item: MediaItem) -> set[tuple[str, str]]:
    return {(rendition.name, rendition.mime_type) for rendition in renditions.made(item.renditions)}


def test_the_item_is_ready_before_its_modern_renditions_which_follow_in_a_second_job(
    session: Session, admin: Actor, stored: StoredFiles, jobs: QueuedJobs, modern_formats: SetFormats
) -> None:
    modern_formats("webp,avif")
    item = upload(session, admin)

    assert jobs.run_next().endswith("process_media_item")
    session.refresh(item)
    assert item.status == MediaStatus.READY
    assert file_names(stored, item) == {".jpg"} | names_in("jpg")
    assert made(item) == {(name, formats.JPEG) for name in ("thumb", *WIDE)}
    assert item.placeholder is not None

    assert jobs.run_next().endswith("encode_modern_renditions")
    session.refresh(item)
    assert file_names(stored, item) == {".jpg"} | names_in("jpg", "webp", "avif")
    assert made(item) == {
        (name, mime) for name in ("thumb", *WIDE) for mime in (formats.JPEG, formats.WEBP, formats.AVIF)
    }
    for rendition in renditions.made(item.renditions):
        assert rendition.file_size == len(stored.read(rendition.path))
        size = {"thumb": (300, 150), "16x9_thumb": (300, 169), "16x9_medium": (622, 350)}[rendition.name]
        assert (rendition.width, rendition.height) == size
    assert jobs.pending() == 0


def test_no_modern_formats_make_none_and_check_misses_nothing(
    session: Session, admin: Actor, stored: StoredFiles, modern_formats: SetFormats
) -> None:
    modern_formats("")
    item = upload(session, admin)

    assert file_names(stored, item) == {".jpg"} | names_in("jpg")
    report = check.check_library(session)
    assert report.incomplete == [] and report.clean


def test_after_a_settings_change_check_reports_what_is_missing_and_regenerate_makes_it(
    session: Session, older_item: MediaItem, stored: StoredFiles, modern_formats: SetFormats
) -> None:
    item = older_item
    modern_formats("webp")

    report = check.check_library(session)
    assert report.incomplete == [
        check.IncompleteItem(item.id, ("16x9_medium.webp", "16x9_thumb.webp", "thumb.webp"))
    ]
    assert not report.clean

    lines: list[str] = []
    result = variants.regenerate_variants(session, item_ids=[item.id], progress=lines.append)
    assert result.done == [item.id]
    assert lines == [f"[1/1] regenerated {item.id} (thumb; also WebP)"]
    assert file_names(stored, item) == {".jpg"} | names_in("jpg", "webp")
    assert check.check_library(session).clean

    modern_formats("")  # renditions no longer asked for are deleted by the next regeneration
    variants.regenerate_variants(session, item_ids=[item.id])
    assert file_names(stored, item) == {".jpg"} | names_in("jpg")
    session.refresh(item)
    assert made(item) == {(name, formats.JPEG) for name in ("thumb", *WIDE)}


def test_sweep_queues_the_missing_renditions(
    session: Session, older_item: MediaItem, stored: StoredFiles, modern_formats: SetFormats
) -> None:
    item = older_item
    modern_formats("avif")

    dry = check.sweep_library(session)
    assert dry.renditions_queued == [item.id] and not stored.exists(f"{item.project_id}/{item.id}_thumb.avif")

    applied = check.sweep_library(session, apply=True)  # the test queue runs the job at once
    assert applied.renditions_queued == [item.id]
    assert file_names(stored, item) == {".jpg"} | names_in("jpg", "avif")
    assert check.check_library(session).clean


def test_an_animated_gif_gets_animated_webp_only_and_an_svg_nothing(
    session: Session, admin: Actor, stored: StoredFiles, modern_formats: SetFormats
) -> None:
    modern_formats("webp,avif")
    gif = upload(session, admin, images.gif(400, 300, frames=3), "moving.gif")
    svg = upload(session, admin, images.svg(800, 600), "drawing.svg")

    assert gif.frames == 3
    assert made(gif) == {("thumb", formats.GIF), ("thumb", formats.WEBP)}
    assert made(svg) == set() and svg.placeholder is None
    assert check.check_library(session).clean


def test_deleting_an_item_leaves_no_file(
    session: Session, admin: Actor, stored: StoredFiles, modern_formats: SetFormats
) -> None:
    modern_formats("webp,avif")
    item = upload(session, admin, images.jpeg(900, 450))
    # the original, and thumb, medium, 16x9_thumb and 16x9_medium in three formats
    assert len(file_names(stored, item)) == 13

    deletion.delete_item(session, actor=admin, item_id=item.id)

    assert stored.paths() == []
