"""Organising the library in a real browser: folders, uploads into them, multi-select, the bulk bar,
drag and drop, filters and sort kept in the URL, the where-used warning, duplicates, and phones."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import images
from tests.e2e.conftest import Project, Team
from tests.e2e.library import (
    PROCESSING_TIMEOUT_MS,
    notification,
    open_library,
    pick_files,
    screenshot,
    tile_named,
    tiles,
    wait_for_library,
    wait_until_ready,
)
from tests.e2e.organise import (
    add_tag,
    check,
    choose_option,
    create_folder,
    folder_node,
    selected_count,
    shown_folder,
    tile_cell,
    url_query,
)
from tests.e2e.pages_helpers import create_page, save_state

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def write(tmp_path: Path, sizes: dict[str, tuple[int, int]]) -> list[Path]:
    files = []
    for name, (width, height) in sizes.items():
        files.append(tmp_path / name)
        files[-1].write_bytes(
            images.jpeg(width, height) if name.endswith(".jpg") else images.png(width, height)
        )
    return files


@pytest.mark.production_flow
def test_folders_selection_bulk_changes_filters_and_the_url(
    page: Page, new_library: Callable[..., Project], tmp_path: Path, screenshots: Path
) -> None:
    page.set_viewport_size(LAPTOP)
    new_library("Organised Harbour")

    create_folder(page, "Trips")
    expect(page).to_have_url(re.compile(r"folder=[0-9a-f-]{36}"))
    files = write(tmp_path, {"quay.jpg": (1600, 1000), "dunes.jpg": (1400, 900), "mast.png": (600, 900)})
    for count, file in enumerate(files, start=1):  # one by one: newest first is then mast, dunes, quay
        pick_files(page, file)
        expect(tiles(page)).to_have_count(count)
    for tile in tiles(page).all():
        wait_until_ready(page, tile.get_attribute("data-item-id") or "")
    page.get_by_test_id("folder-actions").click()
    page.get_by_test_id("folder-new-inside").click()
    page.get_by_test_id("folder-name-input").fill("Spring")
    page.get_by_test_id("folder-name").click()
    expect(shown_folder(page)).to_have_text("Spring")
    expect(folder_node(page, "Spring")).to_be_focused()
    expect(page.get_by_test_id("folder-path")).to_have_text(re.compile("All images.*Trips.*Spring"))
    expect(page.get_by_role("button", name="Hide the folders in Trips")).to_have_attribute(
        "aria-expanded", "true"
    )
    screenshot(page, screenshots / "folders-nested-1280.png")
    folder_node(page, "All images").click()
    expect(shown_folder(page)).to_have_text("All images")
    expect(page.get_by_test_id("media-count")).to_have_text("3 images")
    create_folder(page, "Archive")
    expect(page.get_by_test_id("empty-library")).to_contain_text("No images in this folder yet.")
    folder_node(page, "Trips").click()
    expect(page.get_by_test_id("media-count")).to_have_text("3 images")

    # Newest first: mast, dunes, quay. A checkbox, then Shift on the last: all three.
    check(page, "mast.png")
    expect(page.get_by_test_id("bulk-bar")).to_be_visible()
    check(page, "quay.jpg", modifiers=["Shift"])
    expect(selected_count(page)).to_have_text("3 images selected")
    tile_named(page, "dunes.jpg").click(modifiers=["Control"])
    expect(selected_count(page)).to_have_text("2 images selected")
    screenshot(page, screenshots / "library-selection-1280.png")

    page.get_by_test_id("bulk-add-tags").click()
    add_tag(page, page.get_by_test_id("bulk-tags-input"), "harbour")
    page.get_by_test_id("bulk-tags").click()
    expect(notification(page, "Added harbour on 2 images")).to_be_visible()
    expect(page.get_by_test_id("bulk-bar")).to_be_hidden()

    check(page, "dunes.jpg")
    page.get_by_test_id("bulk-move").click()
    choose_option(page, page.get_by_test_id("bulk-destination-input"), "Archive")
    page.get_by_test_id("bulk-destination").click()
    expect(notification(page, "Moved 1 image to “Archive”")).to_be_visible()
    expect(tiles(page)).to_have_count(2)

    tile_named(page, "mast.png").drag_to(folder_node(page, "Archive"))  # a tile dropped on a folder
    expect(tiles(page)).to_have_count(1)
    expect(tile_named(page, "quay.jpg")).to_have_count(1)

    folder_node(page, "Archive").click()
    expect(page.get_by_test_id("media-count")).to_have_text("2 images")
    choose_option(page, page.get_by_test_id("sort"), "Name A–Z")
    expect(tiles(page).first).to_contain_text("dunes.jpg")
    page.get_by_test_id("filters-toggle").click()
    choose_option(page, page.get_by_test_id("filter-type"), "PNG")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("media-count")).to_have_text("1 image")
    page.get_by_test_id("view").get_by_role("button", name="List").click()
    rows = page.get_by_test_id("media-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("mast.png")
    expect(rows.first).to_contain_text("Archive")
    expect(rows.first).to_contain_text("harbour")
    query = url_query(page)
    for part in ("folder=", "type=png", "sort=filename", "view=list"):
        assert part in query, query
    screenshot(page, screenshots / "library-list-1280.png")
    rows.first.get_by_role("button", name="mast.png").click()
    expect(page.get_by_test_id("detail-filename")).to_have_text("mast.png")
    tags = page.get_by_test_id("detail-tags")
    add_tag(page, tags, "mooring")
    screenshot(page, screenshots / "detail-tags-1280.png")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(rows.first).to_contain_text("harbour, mooring")

    page.reload()  # the same view from the URL alone
    wait_for_library(page)
    expect(shown_folder(page)).to_have_text("Archive")
    expect(page.get_by_test_id("media-count")).to_have_text("1 image")
    expect(page.get_by_test_id("media-row")).to_have_count(1)
    expect(page.get_by_test_id("sort")).to_contain_text("Name A–Z")
    expect(page.get_by_test_id("filters")).to_be_visible()
    page.get_by_test_id("clear-filters").click()
    expect(page.get_by_test_id("media-count")).to_have_text("2 images")


@pytest.mark.production_flow
def test_bulk_delete_names_the_pages_that_use_the_images(
    page: Page, new_library: Callable[..., Project], tmp_path: Path, screenshots: Path
) -> None:
    page.set_viewport_size(LAPTOP)
    project = new_library("Pruned Harbour")
    files = write(tmp_path, {"pier.jpg": (1200, 800), "buoy.jpg": (900, 900)})
    pick_files(page, *files)
    expect(tiles(page)).to_have_count(2)
    pier_id = tile_named(page, "pier.jpg").get_attribute("data-item-id") or ""
    wait_until_ready(page, pier_id)
    create_page(page, project, "The old pier")
    page.get_by_test_id("select-hero_image").click()
    picker = page.get_by_test_id("media-picker")
    expect(picker.get_by_test_id("picker-tile")).to_have_count(2)
    screenshot(page, screenshots / "picker-1280.png")
    picker.locator(f'[data-testid="picker-tile"][data-item-id="{pier_id}"]').click()
    page.get_by_test_id("picker-choose").click()
    page.get_by_test_id("alt-prompt-decorative").click()
    page.get_by_test_id("save-page").click()
    expect(save_state(page)).to_have_text("All changes saved")

    open_library(page, project.library)
    page.get_by_test_id("select-page").click()
    expect(selected_count(page)).to_have_text("2 images selected")
    page.get_by_test_id("bulk-delete").click()
    expect(page.get_by_text("Delete 2 images?")).to_be_visible()
    page.get_by_test_id("confirm-delete").click()
    message = page.get_by_test_id("confirm-message")
    expect(message).to_contain_text("Pages use some of them: “The old pier”.")
    screenshot(page, screenshots / "bulk-delete-in-use.png")
    page.get_by_role("button", name="Delete anyway").click()
    expect(notification(page, "Deleted 2 images")).to_be_visible()
    expect(tiles(page)).to_have_count(0)
    page.reload()
    wait_for_library(page)
    expect(page.get_by_test_id("media-count")).to_have_text("0 images")


@pytest.mark.production_flow
def test_a_copy_is_named_and_can_be_uploaded_anyway(
    page: Page, team: Team, new_library: Callable[..., Project], tmp_path: Path
) -> None:
    new_library("Twice Harbour", team.editor)
    original = write(tmp_path, {"gull.jpg": (800, 600)})[0]
    copy = tmp_path / "gull-copy.jpg"
    copy.write_bytes(original.read_bytes())
    pick_files(page, original)
    expect(tiles(page)).to_have_count(1)
    # processed, so the notice can show it (a tile or a notice never shows an original)
    expect(tiles(page).first).to_have_attribute("data-status", "ready", timeout=PROCESSING_TIMEOUT_MS)
    pick_files(page, copy)
    notice = page.get_by_test_id("duplicate-notice")
    expect(notice).to_contain_text("“gull-copy.jpg” is already in the library")
    expect(notice).to_contain_text("as “gull.jpg”")
    expect(notice.locator("img")).to_have_attribute("src", re.compile(r"^/media/"))
    expect(tiles(page)).to_have_count(1)
    notice.get_by_test_id("upload-anyway").click()
    expect(notice).to_have_count(0)
    expect(tiles(page)).to_have_count(2)


def test_a_phone_opens_the_folders_as_a_drawer(
    page: Page, new_library: Callable[..., Project], tmp_path: Path, screenshots: Path
) -> None:
    page.set_viewport_size(PHONE)
    new_library("Pocket Folders")
    tree = page.get_by_test_id("folder-tree")
    expect(tree).to_be_hidden()
    toggle = page.get_by_test_id("folders-toggle")
    toggle.click()
    expect(tree).to_be_visible()
    create_folder(page, "Boats")
    expect(tree).to_be_visible()  # the drawer stays open while its own dialog ran
    expect(folder_node(page, "Boats")).to_be_focused()
    page.keyboard.press("Escape")
    expect(tree).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    screenshot(page, screenshots / "folders-drawer-375.png")
    folder_node(page, "All images").click()
    expect(tree).to_be_hidden()
    expect(shown_folder(page)).to_have_text("All images")
    pick_files(page, *write(tmp_path, {"rope.jpg": (800, 600), "net.jpg": (600, 800)}))
    expect(tiles(page)).to_have_count(2)
    check(page, "rope.jpg")
    expect(page.get_by_test_id("bulk-bar")).to_be_visible()
    box = page.get_by_test_id("bulk-bar").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"], box
    screenshot(page, screenshots / "library-selection-375.png")
    expect(tile_cell(page, "rope.jpg")).to_be_visible()
