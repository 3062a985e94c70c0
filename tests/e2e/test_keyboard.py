"""The whole main flow with a keyboard alone: sign in, upload, describe, copy, pick, publish."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests import images
from tests.e2e.conftest import Project, Team
from tests.e2e.library import (
    PROCESSING_TIMEOUT_MS,
    clipboard_text,
    screenshot,
    tiles,
    wait_for_library,
    wait_until_connected,
)
from tests.e2e.organise import folder_node, shown_folder
from tests.e2e.pages_helpers import ITEM_ID, wait_for_editor

MAX_TABS = 80


def has_focus(locator: Locator) -> bool:
    return bool(locator.evaluate("(element) => element.contains(document.activeElement)"))


def intercept_file_dialogs(page: Page) -> None:
    """Let Playwright catch file dialogs from now on. `expect_file_chooser` alone asks Chromium for it
    without waiting, so a key pressed at once can open the dialog before it is caught (the page did
    ask, with the key's activation: seen in a log of the page)."""
    page.on("filechooser", lambda _chooser: None)


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focus is on `target`, as a keyboard user would."""
    for _ in range(MAX_TABS):
        if target.count() and has_focus(target.first):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {target}")


def assert_focus_ring(page: Page, what: str) -> None:
    """What has the focus shows it with an outline of at least 2 px."""
    width = page.evaluate("() => parseFloat(getComputedStyle(document.activeElement).outlineWidth) || 0")
    style = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert width >= 2 and style != "none", f"{what}: outline {width}px {style}"


def test_the_main_flow_by_keyboard_alone(
    page: Page, team: Team, make_project: Callable[[str], Project], tmp_path: Path, screenshots: Path
) -> None:
    project = make_project("Keyboard Harbour")
    page.set_viewport_size({"width": 1280, "height": 800})
    files = []
    for name, (width, height) in {"quay.jpg": (1600, 1000), "dunes.jpg": (1400, 900)}.items():
        files.append(tmp_path / name)
        files[-1].write_bytes(images.jpeg(width, height))

    intercept_file_dialogs(page)
    page.goto(f"/login?next={project.library}")
    wait_until_connected(page)
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(team.admin)
    page.keyboard.press("Tab")
    page.keyboard.type(team.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(project.library) + "$"))
    wait_for_library(page)  # drawn whole: a later redraw would take the focus from Choose files
    expect(page.get_by_test_id("empty-library")).to_be_visible()

    choose_files = page.get_by_test_id("choose-files")
    tab_to(page, choose_files)
    assert_focus_ring(page, "Choose files")
    with page.expect_file_chooser() as chooser:
        page.keyboard.down("Enter")  # the dialog opens as the key goes down, as for a native button
    page.keyboard.up("Enter")
    chooser.value.set_files(files)
    expect(tiles(page)).to_have_count(2)
    for tile in tiles(page).all():
        expect(tile).to_have_attribute("data-status", "ready", timeout=PROCESSING_TIMEOUT_MS)
    expect(choose_files).to_be_focused()  # the upload zone redrew its progress around it: still there

    quay = tiles(page).filter(has_text="quay.jpg")
    tab_to(page, tiles(page).first)
    assert_focus_ring(page, "a tile")
    if not has_focus(quay):
        page.keyboard.press("ArrowRight")
    expect(quay).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("detail-panel")
    expect(page.get_by_test_id("detail-filename")).to_have_text("quay.jpg")
    tab_to(page, panel.get_by_test_id("alt-text"))
    page.keyboard.type("The quay at dawn, boats tied up")
    expect(page.get_by_test_id("alt-saved")).to_have_text("Saved")
    hint = panel.get_by_text("Describe the image for people who cannot see it")
    saved = page.get_by_test_id("alt-saved")
    hint_box, saved_box = hint.bounding_box(), saved.bounding_box()
    assert hint_box and saved_box and saved_box["y"] >= hint_box["y"] + hint_box["height"] - 1, (
        "Saved overlaps the hint"
    )
    screenshot(page, screenshots / "detail-alt-saved.png")
    copy = panel.get_by_test_id("copy-original")
    tab_to(page, copy)
    page.keyboard.press("Enter")
    quay_id = quay.get_attribute("data-item-id")
    original = re.compile(rf"https?://[^/]+/media/{ITEM_ID}/{quay_id}\.jpg")
    # The clipboard is the browser's, shared with earlier tests: wait for this item's URL, not any URL.
    assert original.fullmatch(clipboard_text(page, original))
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(quay).to_be_focused()

    tab_to(page, page.get_by_test_id("nav-pages"), backwards=True)
    page.keyboard.press("Enter")
    new_page = page.get_by_test_id("new-page")
    expect(new_page).to_be_visible()
    wait_until_connected(page)
    tab_to(page, new_page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("new-page-title")).to_be_focused()
    page.keyboard.type("Harbour open day")
    page.keyboard.press("Enter")
    wait_for_editor(page)

    select = page.get_by_test_id("select-hero_image")
    tab_to(page, select)
    page.keyboard.press("Enter")
    picker = page.get_by_test_id("media-picker")
    picker_tiles = picker.get_by_test_id("picker-tile")
    expect(picker_tiles).to_have_count(2)
    tab_to(page, picker_tiles.first)
    wanted = picker_tiles.filter(has_text="quay.jpg")
    if not has_focus(wanted):
        page.keyboard.press("ArrowRight")
    expect(wanted).to_be_focused()
    page.keyboard.press("Enter")
    expect(picker).to_have_count(0)
    expect(page.get_by_test_id("change-hero_image")).to_be_focused()
    expect(page.get_by_test_id("image-field-preview")).to_have_attribute(
        "src", re.compile(r"_large\.jpg$|\.jpg$")
    )

    publish = page.get_by_test_id("publish-page")
    tab_to(page, publish, backwards=True)
    assert_focus_ring(page, "Publish")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("page-status")).to_have_text("Published")


def test_organising_by_keyboard_alone(
    page: Page, new_library: Callable[..., Project], tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    intercept_file_dialogs(page)
    new_library("Keyboard Folders")

    tab_to(page, page.get_by_test_id("new-folder"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("folder-name-input")).to_be_focused()
    page.keyboard.type("Trips")
    page.keyboard.press("Enter")
    expect(shown_folder(page)).to_have_text("Trips")
    expect(page.get_by_test_id("folder-name-input")).to_have_count(0)
    expect(folder_node(page, "Trips")).to_be_focused()
    expect(page.get_by_test_id("empty-library")).to_contain_text("No images in this folder yet.")

    files = []
    for name in ("rope.jpg", "net.jpg"):
        files.append(tmp_path / name)
        files[-1].write_bytes(images.jpeg(900, 600))
    tab_to(page, page.get_by_test_id("choose-files"), backwards=True)
    with page.expect_file_chooser() as chooser:
        page.keyboard.down("Enter")  # the dialog opens as the key goes down, as for a native button
    page.keyboard.up("Enter")
    chooser.value.set_files(files)
    expect(tiles(page)).to_have_count(2)

    tab_to(page, page.get_by_test_id("tile-check").first)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("selected-count")).to_have_text("1 image selected")
    tab_to(page, tiles(page).last)
    assert_focus_ring(page, "a tile")
    page.keyboard.press("Shift+Space")
    expect(page.get_by_test_id("selected-count")).to_have_text("2 images selected")

    move = page.get_by_test_id("bulk-move")
    tab_to(page, move, backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("bulk-destination")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("bulk-destination")).to_have_count(0)
    expect(move).to_be_focused()

    tab_to(page, page.get_by_test_id("bulk-add-tags"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("bulk-tags-input")).to_be_focused()
    page.keyboard.type("rigging")
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_test_id("bulk-tags"))
    page.keyboard.press("Enter")
    expect(page.locator(".q-notification").filter(has_text="Added rigging on 2 images")).to_be_visible()

    tab_to(page, tiles(page).first, backwards=True)
    page.keyboard.press("Enter")
    first_name = page.get_by_test_id("detail-filename").inner_text()
    page.wait_for_function(
        "document.activeElement.closest('[data-testid=detail-panel]')"
    )  # the panel has the keys
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("detail-filename")).not_to_have_text(first_name)
    second_name = page.get_by_test_id("detail-filename").inner_text()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("detail-filename")).to_have_text(first_name)
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("detail-filename")).to_have_text(second_name)
    page.keyboard.press("Escape")
    expect(tiles(page).filter(has_text=second_name)).to_be_focused()
