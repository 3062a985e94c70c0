"""The media library's folders, selection and bulk bar, filters, sort and URL, with NiceGUI's simulated user."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import Session, select

from nexus_core.media import bulk, folders, library, tags, upload
from nexus_core.models import Folder, MediaItem, Project, Role
from nexus_core.read_models import FolderView, MediaItemView
from nexus_ui.pages.media_library import PAGE_SIZE
from tests import images
from tests.factories import admin_of, page_using
from tests.ui.conftest import member_email, sign_in
from tests.ui.test_media_picker import add_image

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


async def open_library(
    user: User, session: Session, project: Project, query: str = "", role: Role = Role.ADMIN
) -> None:
    path = f"/admin/{project.slug}/media" + (f"?{query}" if query else "")
    await sign_in(user, member_email(session, project, role), next_path=f"/admin/{project.slug}/media")
    if query:
        await user.open(path)
    await user.should_see(marker="folder-tree")


def make_folder(
    session: Session, project: Project, name: str, parent: FolderView | None = None
) -> FolderView:
    return folders.create_folder(
        session, actor=admin_of(session, project), name=name, parent_id=parent.id if parent else None
    )


def stored(session: Session, item: MediaItemView) -> MediaItem:
    session.expire_all()
    row = session.get(MediaItem, item.id)
    assert row is not None
    return row


async def until(check: Callable[[], bool]) -> None:
    """Wait for what a handler does off the event loop (up to 5 s)."""
    for _ in range(100):
        session_check = check()
        if session_check:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


def shown_names(user: User) -> list[str]:
    """The filenames on the tiles, in the order shown."""
    grid = next(iter(user.find(kind=ui.element, marker="media-grid").elements), None)
    if grid is None:
        return []
    return [
        each.text for each in grid.descendants() if isinstance(each, ui.label) and each.text.endswith(".png")
    ]


async def showing(user: User, name: str) -> None:
    """Wait until the folder path ends at `name`."""

    def current() -> bool:
        path = user.find(marker="folder-path").elements
        return any(
            isinstance(each, ui.label) and each.text == name and each.props.get("aria-current")
            for element in path
            for each in element.descendants()
        )

    await until(current)


async def click(user: User, marker: str) -> None:
    await user.should_see(marker=marker)
    user.find(marker=marker).click()


async def submit(user: User, marker: str, value: object) -> None:
    """Fill the open question's field and press its button."""
    await user.should_see(marker=f"{marker}-input")
    field = user.find(marker=f"{marker}-input").elements.pop()
    field.value = value
    user.find(marker=marker).click()


async def test_folders_are_created_renamed_moved_and_deleted_from_the_tree(
    user: User, session: Session, project: Project
) -> None:
    archive = make_folder(session, project, "Archive")
    await open_library(user, session, project)
    await click(user, "new-folder")
    await submit(user, "folder-name", "Trips")
    await user.should_see("Created the folder “Trips”")
    trips = session.exec(select(Folder).where(Folder.name == "Trips")).one()
    await user.should_see(marker=f"folder-{trips.id}")
    await showing(user, "Trips")  # a new folder is opened, ready for uploads

    await click(user, "folder-actions")
    await click(user, "folder-rename")
    await submit(user, "folder-name", "Journeys")
    await user.should_see("Journeys")
    await click(user, "folder-actions")
    await click(user, "folder-move")
    await submit(user, "folder-destination", str(archive.id))

    def moved() -> bool:
        session.expire_all()
        folder = session.get(Folder, trips.id)
        return folder is not None and (folder.name, folder.parent_id) == ("Journeys", archive.id)

    await until(moved)
    await showing(user, "Journeys")  # the moved folder stays shown (before this, a click could be overtaken)

    await click(user, f"folder-{archive.id}")
    await showing(user, "Archive")
    await click(user, "folder-actions")
    await click(user, "folder-delete")
    await click(user, "confirm-delete")
    await user.should_see("“Archive” holds 1 folder; move or delete them first.")
    assert session.get(Folder, archive.id) is not None


async def test_a_folder_shows_its_images_and_the_url_keeps_the_view(
    user: User, session: Session, project: Project
) -> None:
    trips = make_folder(session, project, "Trips")
    inside = add_image(session, project, "inside.png")
    add_image(session, project, "outside.png")
    bulk.move(session, actor=admin_of(session, project), item_ids=[inside.id], folder=trips.id)
    await open_library(user, session, project)
    await user.should_see("2 images")
    await click(user, f"folder-{trips.id}")
    await user.should_see("1 image")
    await user.should_not_see("outside.png")

    await user.open(f"/admin/{project.slug}/media?folder={trips.id}&sort=filename&view=list")
    await user.should_see("1 image")
    await user.should_see(marker="folder-actions")
    assert user.find(marker="sort").elements.pop().value == "filename"
    assert user.find(marker="view").elements.pop().value == "list"
    await user.should_see("inside.png")
    await user.should_not_see("outside.png")


async def test_filters_and_sort_narrow_and_order_the_page(
    user: User, session: Session, project: Project
) -> None:
    add_image(session, project, "b-described.png")
    add_image(session, project, "a-bare.png", alt_text="")
    await open_library(user, session, project)
    await click(user, "filters-toggle")
    await click(user, "filter-missing_alt")
    await user.should_see("1 image")
    await user.should_not_see("b-described.png")
    await click(user, "clear-filters")
    await user.should_see("2 images")
    assert shown_names(user) == ["a-bare.png", "b-described.png"]  # newest first
    user.find(marker="sort").elements.pop().value = "-filename"
    await until(lambda: shown_names(user) == ["b-described.png", "a-bare.png"])


async def test_bulk_bar_moves_and_tags_the_selected_images(
    user: User, session: Session, project: Project
) -> None:
    trips = make_folder(session, project, "Trips")
    first, second, third = (add_image(session, project, f"{n}.png") for n in ("one", "two", "three"))
    await open_library(user, session, project)
    await user.should_not_see(marker="bulk-bar")
    await click(user, f"check-{third.id}")  # newest first: three, two, one
    user.find(marker=f"tile-{first.id}").trigger("click", {"shiftKey": True})
    await user.should_see("3 images selected")
    user.find(marker=f"tile-{second.id}").trigger("click", {"ctrlKey": True})
    await user.should_see("2 images selected")
    await click(user, "bulk-move")
    await submit(user, "bulk-destination", str(trips.id))
    await user.should_see("Moved 2 images to “Trips”")
    assert [stored(session, each).folder_id for each in (first, second, third)] == [trips.id, None, trips.id]

    await click(user, "select-page")
    await user.should_see("3 images selected")
    await click(user, "bulk-add-tags")
    await submit(user, "bulk-tags", ["harbour", "summer"])
    await user.should_see("Added harbour, summer on 3 images")
    session.expire_all()
    carried = library.tags_of(session, [first.id, second.id, third.id])
    assert set(map(tuple, carried.values())) == {("harbour", "summer")} and len(carried) == 3


async def test_select_all_that_match_reaches_beyond_the_page(
    user: User, session: Session, project: Project
) -> None:
    for number in range(PAGE_SIZE + 2):
        add_image(session, project, f"image-{number:02}.png")
    await open_library(user, session, project)
    await click(user, "select-page")
    await user.should_see(f"{PAGE_SIZE} images selected")
    await click(user, "select-matching")
    await user.should_see(f"{PAGE_SIZE + 2} images selected")


async def test_delete_of_selected_images_names_the_pages_using_them(
    user: User, session: Session, project: Project
) -> None:
    used = add_image(session, project, "used.png")
    spare = add_image(session, project, "spare.png")
    page_using(session, admin_of(session, project), used.id, title="Launch post")
    await open_library(user, session, project)
    await click(user, "select-page")
    await click(user, "bulk-delete")
    await click(user, "confirm-delete")
    await user.should_see(
        "Pages use some of them: “Launch post”. Those pages lose the images. Delete anyway?"
    )
    await click(user, "confirm-delete")
    await user.should_see("Deleted 2 images")
    session.expire_all()
    assert session.get(MediaItem, used.id) is None and session.get(MediaItem, spare.id) is None


async def test_uploads_go_into_the_folder_shown_and_copies_are_named(
    user: User, session: Session, project: Project, jobs: object
) -> None:
    trips = make_folder(session, project, "Trips")
    await open_library(user, session, project, query=f"folder={trips.id}")
    await showing(user, "Trips")
    zone = user.find(ui.upload).elements.pop()
    picture = images.png(20, 10)
    await zone.handle_uploads([ui.upload.SmallFileUpload("boat.png", "image/png", picture)])
    await user.should_see("Uploaded “boat.png”")
    boat = session.exec(select(MediaItem).where(MediaItem.filename == "boat.png")).one()
    assert boat.folder_id == trips.id

    await zone.handle_uploads([ui.upload.SmallFileUpload("boat-again.png", "image/png", picture)])
    await user.should_see("“boat-again.png” is already in the library")
    await user.should_see("as “boat.png”; it was not uploaded again.")
    assert len(session.exec(select(MediaItem)).all()) == 1
    await click(user, "upload-anyway")
    await user.should_see("Uploaded “boat-again.png”")
    await user.should_not_see(marker="duplicate-notice")
    session.expire_all()
    copy = session.exec(select(MediaItem).where(MediaItem.filename == "boat-again.png")).one()
    assert copy.folder_id == trips.id


async def test_the_detail_panel_edits_tags_and_steps_through_the_page(
    user: User, session: Session, project: Project
) -> None:
    older = add_image(session, project, "older.png")
    newer = add_image(session, project, "newer.png")
    tags.set_tags(session, actor=admin_of(session, project), item_id=older.id, tags=["harbour"])
    await open_library(user, session, project)
    await click(user, f"tile-{newer.id}")
    await user.should_see(marker="detail-tags")
    field = user.find(marker="detail-tags").elements.pop()
    assert "harbour" in field.options  # the project's tags are suggested
    field.value = ["harbour", "boats"]

    def saved() -> bool:
        session.expire_all()
        return library.tags_of(session, [newer.id]) == {newer.id: ["boats", "harbour"]}

    await until(saved)
    assert user.find(marker="detail-previous").elements.pop().enabled is False
    await click(user, "detail-next")
    await until(lambda: user.find(marker="detail-next").elements.pop().enabled is False)
    assert user.find(marker="detail-tags").elements.pop().value == ["harbour"]  # the older image's


async def test_deleting_the_last_page_shows_the_one_before(
    user: User, session: Session, project: Project
) -> None:
    for number in range(PAGE_SIZE + 1):
        add_image(session, project, f"image-{number:02}.png")
    await open_library(user, session, project, query="page=2")
    await until(lambda: shown_names(user) == ["image-00.png"])
    await click(user, "select-page")
    await click(user, "bulk-delete")
    await click(user, "confirm-delete")
    await user.should_see("Deleted 1 image")
    await until(lambda: len(shown_names(user)) == PAGE_SIZE)


def tile_pictures(user: User, item: MediaItemView) -> list[ui.element]:
    tile = next(iter(user.find(kind=ui.element, marker=f"tile-{item.id}").elements))
    return [each for each in tile.descendants() if each.tag == "img"]


async def test_a_tile_never_loads_an_original_and_shows_its_placeholder_first(
    user: User, session: Session, project: Project, jobs
) -> None:
    data = images.scene(1200, 800, seed=5).write_to_buffer(".jpg")
    waiting = upload.upload(
        session, actor=admin_of(session, project), files=[upload.IncomingFile("big.jpg", data)]
    )[0]
    await open_library(user, session, project)
    assert tile_pictures(user, waiting) == []  # processing: no 20 MB original in a tile
    jobs.run_all()
    ready = library.get_item(session, actor=admin_of(session, project), item_id=waiting.id)
    assert ready.placeholder is not None and ready.variants
    await user.open(f"/admin/{project.slug}/media")
    await user.should_see(marker="folder-tree")
    (thumb,) = tile_pictures(user, ready)
    assert str(thumb.props["src"]).endswith("_thumb.jpg")
    assert thumb.style["background-image"] == f"url({ready.placeholder.lqip})"  # painted before it loads
