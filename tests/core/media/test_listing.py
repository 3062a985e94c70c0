"""Listing the library: every filter (alone and combined), every sort, and their parsing from text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlmodel import Session

from nexus_core.errors import InvalidParameter, NotFound
from nexus_core.media import bulk, folders, library, listing
from nexus_core.media import upload as uploading
from nexus_core.media.listing import ItemFilter, Orientation, Sort
from nexus_core.media.storage import storage_named
from nexus_core.policies import Actor
from nexus_core.read_models import MediaItemView
from tests import images
from tests.factories import admin_of, make_project, page_using


def add(session: Session, actor: Actor, name: str, data: bytes, **options: Any) -> MediaItemView:
    files = [uploading.IncomingFile(name, data)]
    return uploading.upload(session, actor=actor, files=files, **options)[0]


def names(session: Session, actor: Actor, sort: Sort = Sort.NEWEST, **filters: object) -> list[str]:
    page = listing.list_items(session, actor=actor, filters=ItemFilter(**filters), sort=sort)  # type: ignore[arg-type]
    assert page.total == len(page.items)
    return [item.filename for item in page.items]


def scene(width: int, height: int, seed: int, suffix: str) -> bytes:
    """A picture of its own (no near duplicate of the others)."""
    return images.scene(width, height, seed=seed).write_to_buffer(suffix)


@pytest.fixture
def library_of_four(session: Session, admin: Actor) -> dict[str, MediaItemView]:
    """wide.jpg (landscape, described), tall.png (portrait), square.gif, logo.svg — oldest first."""
    return {
        "wide": add(session, admin, "wide.jpg", scene(64, 32, 1, ".jpg"), alt_text="Harbour at dusk"),
        "tall": add(session, admin, "tall.png", scene(20, 60, 2, ".png")),
        "square": add(session, admin, "square.gif", scene(30, 30, 3, ".gif")),
        "logo": add(session, admin, "logo.svg", images.svg()),
    }


def test_filters_by_type_orientation_and_missing_alt_text(
    session: Session, admin: Actor, library_of_four: dict[str, MediaItemView]
) -> None:
    assert names(session, admin, type=("jpeg", "gif")) == ["square.gif", "wide.jpg"]
    assert names(session, admin, type=("svg",)) == ["logo.svg"]
    assert names(session, admin, orientation=Orientation.LANDSCAPE) == ["wide.jpg"]
    assert names(session, admin, orientation=Orientation.PORTRAIT) == ["tall.png"]
    assert "square.gif" in names(session, admin, orientation=Orientation.SQUARE)
    assert "wide.jpg" not in names(session, admin, missing_alt=True)
    assert names(session, admin, missing_alt=True, type=("png",)) == ["tall.png"]


def test_filters_by_folder_and_tags(
    session: Session, admin: Actor, library_of_four: dict[str, MediaItemView]
) -> None:
    trips = folders.create_folder(session, actor=admin, name="Trips")
    inner = folders.create_folder(session, actor=admin, name="Inner", parent_id=trips.id)
    bulk.move(session, actor=admin, item_ids=[library_of_four["wide"].id], folder=trips.id)
    bulk.move(session, actor=admin, item_ids=[library_of_four["tall"].id], folder=inner.id)
    bulk.add_tags(
        session,
        actor=admin,
        item_ids=[library_of_four["wide"].id, library_of_four["tall"].id],
        tags=["Harbour"],
    )
    bulk.add_tags(session, actor=admin, item_ids=[library_of_four["tall"].id], tags=["night"])

    assert names(session, admin, folder=trips.id) == ["wide.jpg"]  # direct children only
    assert names(session, admin, folder=inner.id) == ["tall.png"]
    assert names(session, admin, folder="root") == ["logo.svg", "square.gif"]
    assert names(session, admin, tag=("harbour",)) == ["tall.png", "wide.jpg"]
    assert names(session, admin, tag=("harbour", "NIGHT")) == ["tall.png"]
    assert names(session, admin, tag=("harbour", "unknown")) == []
    with pytest.raises(NotFound, match="No such folder"):
        names(
            session,
            admin,
            folder=folders.create_folder(
                session, actor=admin_of(session, make_project(session)), name="X"
            ).id,
        )


def test_filters_unused_duplicates_and_upload_dates(
    session: Session, admin: Actor, library_of_four: dict[str, MediaItemView]
) -> None:
    wide = library_of_four["wide"]
    page_using(session, admin, wide.id, "Harbour walk")
    assert "wide.jpg" not in names(session, admin, unused=True)
    assert len(names(session, admin, unused=True)) == 3

    assert names(session, admin, duplicates=True) == []
    original = storage_named(wide.storage_backend).read_bytes(wide.file_path)
    copy = add(session, admin, "copy.jpg", original, allow_duplicates=True)
    assert names(session, admin, duplicates=True) == ["copy.jpg", "wide.jpg"]
    assert names(session, admin, similar_to=copy.id) == ["wide.jpg"]
    bulk.delete(session, actor=admin, item_ids=[copy.id])
    assert names(session, admin, duplicates=True) == []  # its pair went with it

    now = datetime.now(UTC)
    assert names(session, admin, uploaded_after=now + timedelta(minutes=1)) == []
    assert len(names(session, admin, uploaded_before=now + timedelta(minutes=1))) >= 4
    assert names(session, admin, uploaded_before=now - timedelta(days=1)) == []


def test_sorts_by_date_name_and_size_with_stable_ties(
    session: Session, admin: Actor, library_of_four: dict[str, MediaItemView]
) -> None:
    newest = names(session, admin)
    assert newest == ["logo.svg", "square.gif", "tall.png", "wide.jpg"]
    assert names(session, admin, Sort.OLDEST) == newest[::-1]
    assert names(session, admin, Sort.NAME) == ["logo.svg", "square.gif", "tall.png", "wide.jpg"]
    assert names(session, admin, Sort.NAME_DESCENDING) == ["wide.jpg", "tall.png", "square.gif", "logo.svg"]
    sizes = {item.filename: item.file_size for item in library_of_four.values()}
    assert names(session, admin, Sort.SMALLEST) == sorted(sizes, key=lambda name: sizes[name])
    assert names(session, admin, Sort.LARGEST) == sorted(sizes, key=lambda name: -sizes[name])
    paged = [
        item.filename
        for offset in range(4)
        for item in listing.list_items(session, actor=admin, sort=Sort.NAME, limit=1, offset=offset).items
    ]
    assert paged == names(session, admin, Sort.NAME)


def test_parses_filters_from_text_and_names_what_it_refuses() -> None:
    folder = "0190f0f0-0000-7000-8000-000000000000"
    parsed = ItemFilter.parse(
        {
            "folder": folder,
            "tag": " Harbour ,night,,",
            "type": "JPEG,png",
            "missing_alt": "true",
            "q": "  dusk ",
        }
    )
    assert parsed == ItemFilter(
        folder=UUID(folder), tag=("Harbour", "night"), type=("jpeg", "png"), missing_alt=True, q="dusk"
    )
    assert ItemFilter.parse(parsed.as_params()) == parsed
    assert ItemFilter.parse({"folder": "root", "unused": "false"}) == ItemFilter(folder="root")
    assert ItemFilter.parse({"uploaded_after": "2026-12-01"}).uploaded_after == datetime(
        2026, 12, 1, tzinfo=UTC
    )
    for name, value, reason in [
        ("type", "bmp", "types: jpeg"),
        ("orientation", "diagonal", "landscape"),
        ("missing_alt", "yes", "true"),
        ("folder", "Trips", "root"),
        ("uploaded_after", "last week", "ISO 8601"),
        ("tag", "x" * 51, "at most 50"),
        ("colour", "red", "no such filter"),
    ]:
        with pytest.raises(InvalidParameter, match=reason) as refused:
            ItemFilter.parse({name: value}, parameter="filter[{}]")
        assert refused.value.parameter == f"filter[{name}]"
    with pytest.raises(InvalidParameter, match="sorts: -inserted_at"):
        listing.parse_sort("size")


def test_bulk_tags_move_and_delete_all_or_nothing(
    session: Session, admin: Actor, library_of_four: dict[str, MediaItemView]
) -> None:
    ids = [item.id for item in library_of_four.values()]
    assert bulk.add_tags(session, actor=admin, item_ids=ids, tags=["Harbour", "night"]) == 4
    assert bulk.remove_tags(session, actor=admin, item_ids=ids[:2], tags=["NIGHT"]) == 2
    carried = library.tags_of(session, ids)
    assert carried[ids[0]] == ["Harbour"] and carried[ids[3]] == ["Harbour", "night"]
    missing = UUID("0190f0f0-0000-7000-8000-000000000000")
    with pytest.raises(NotFound):
        bulk.delete(session, actor=admin, item_ids=[ids[0], missing])
    assert len(names(session, admin)) == 4
    assert bulk.delete(session, actor=admin, item_ids=ids[:2]) == 2
    assert names(session, admin) == ["logo.svg", "square.gif"]


def test_uploads_go_into_a_folder_with_tags(session: Session, admin: Actor) -> None:
    trips = folders.create_folder(session, actor=admin, name="Trips")
    item = add(
        session,
        admin,
        "quay.png",
        images.png(41, 30),
        folder_id=trips.id,
        tags=[" Harbour", "harbour", "dusk"],
    )
    assert (item.folder_id, item.tags) == (trips.id, ("dusk", "Harbour"))
    assert names(session, admin, folder=trips.id, tag=("dusk",)) == ["quay.png"]
    again = add(session, admin, "again.png", storage_named(item.storage_backend).read_bytes(item.file_path))
    assert again.id == item.id and again.filename == "quay.png"  # the same bytes: the existing item
