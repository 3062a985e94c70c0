"""The edit view (crop, turn, flip, focal point, Save, Revert) and Replace file, seen where they show:
the library's tile, the detail panel and a published page's 16:9 hero."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests import images
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import Project, Team
from tests.e2e.library import (
    notification,
    open_detail,
    screenshot,
    tile_by_id,
    upload_processed,
    wait_until_ready,
)
from tests.e2e.pages_helpers import (
    LibraryImage,
    choose_in_picker,
    create_page,
    library_image,
    wait_until_loaded,
)

_numbers = itertools.count(1)
PHONE = {"width": 375, "height": 812}


def upload_photo(
    page: Page, project: Project, tmp_path: Path, width: int = 2400, height: int = 1600
) -> LibraryImage:
    """A processed JPEG of the project, uploaded in its library."""
    file = tmp_path / f"lighthouse-{next(_numbers)}.jpg"
    file.write_bytes(images.jpeg(width, height))
    item_id = upload_processed(page, project.library, file)
    return library_image(page, item_id, file.name, "", width)


def open_edit_view(page: Page, item_id: str) -> Locator:
    open_detail(page, item_id)
    page.get_by_test_id("detail-edit").click()
    view = page.get_by_test_id("edit-view")
    expect(page.get_by_test_id("crop-box")).to_be_visible()
    expect(page.get_by_test_id("focal-point")).to_be_visible()
    return view


def save_and_wait(page: Page, item_id: str) -> None:
    """Save, then wait for the new version's renditions (the panel comes back; the tile says ready)."""
    page.get_by_test_id("edit-save").click()
    back_in_the_library(page)
    wait_until_ready(page, item_id)


def back_in_the_library(page: Page) -> None:
    """Once the edit view has closed and the detail panel, shown again, has the focus: the panel closed."""
    expect(page.get_by_test_id("edit-view")).to_have_count(0)
    expect(page.get_by_test_id("detail-edit")).to_be_focused()
    close_detail(page)


def close_detail(page: Page) -> None:
    page.get_by_test_id("close-detail").click()
    expect(page.get_by_test_id("detail-filename")).to_have_count(0)


def dimensions(page: Page, item_id: str) -> Locator:
    open_detail(page, item_id)
    return page.get_by_test_id("fact-dimensions")


def publish_with_hero(page: Page, project: Project, hero: LibraryImage) -> str:
    """A blog post whose hero is the image, published; returns its public path."""
    create_page(page, project, f"Lighthouse {next(_numbers)}")
    page.get_by_test_id("select-hero_image").click()
    choose_in_picker(page, hero)
    page.get_by_test_id("publish-page").click()
    expect(notification(page, "Published")).to_be_visible()
    path = page.get_by_test_id("view-page").get_attribute("href")
    assert path
    return path


def hero_source(reader: Page, path: str) -> str:
    reader.goto(path)
    hero = reader.locator('section[data-field="hero_image"] img')
    wait_until_loaded(hero)
    return hero.get_attribute("src") or ""


@pytest.fixture
def project(make_project: Callable[[str], Project]) -> Project:
    return make_project("Coastline")


def test_crop_to_16_9_changes_the_tile_and_the_published_page(
    page: Page,
    team: Team,
    project: Project,
    sign_in: Callable[..., None],
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
    screenshots: Path,
) -> None:
    sign_in(team.editor)
    photo = upload_photo(page, project, tmp_path, 2400, 2400)
    item_id = photo.item_id
    thumb_before = tile_by_id(page, item_id).locator("img").get_attribute("src")
    path = publish_with_hero(page, project, photo)
    reader = new_context().new_page()
    hero_before = hero_source(reader, path)

    page.goto(project.library)
    open_edit_view(page, item_id)
    page.get_by_test_id("aspect-16:9").click()
    expect(page.get_by_test_id("aspect-16:9")).to_have_attribute("aria-pressed", "true")
    screenshot(page, screenshots / "edit-view.png")
    assert_accessible(page, "edit view")
    save_and_wait(page, item_id)

    expect(dimensions(page, item_id)).to_have_text(re.compile(r"^2400 × 135\d px$"))
    # Its files list the edited picture at full size, which is what the item's `url` now serves.
    close_detail(page)
    open_detail(page, item_id)
    expect(page.get_by_test_id("copy-full")).to_be_visible()
    assert tile_by_id(page, item_id).locator("img").get_attribute("src") != thumb_before
    assert re.search(r"-v2_16x9_large\.jpg$", hero_source(reader, path)), hero_before

    # Revert to original: the whole square again, in a third version.
    close_detail(page)
    open_edit_view(page, item_id)
    page.get_by_test_id("edit-revert").click()
    back_in_the_library(page)
    wait_until_ready(page, item_id)
    expect(dimensions(page, item_id)).to_have_text("2400 × 2400 px")
    assert re.search(r"-v3_16x9_large\.jpg$", hero_source(reader, path))


def left_edge_red(reader: Page, path: str) -> float:
    """How red the hero's left edge is: the test photos run from cyan on the left to red on the right."""
    reader.goto(path)
    hero = reader.locator('section[data-field="hero_image"] img')
    wait_until_loaded(hero)
    return float(hero.evaluate(LEFT_EDGE_RED_JS))


LEFT_EDGE_RED_JS = """(image) => {
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const column = context.getImageData(0, 0, 4, canvas.height).data;
  let red = 0;
  for (let i = 0; i < column.length; i += 4) red += column[i];
  return red / (column.length / 4);
}"""


def test_a_focal_point_set_with_the_keyboard_moves_the_hero_crop(
    page: Page,
    team: Team,
    project: Project,
    sign_in: Callable[..., None],
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
) -> None:
    sign_in(team.editor)
    photo = upload_photo(page, project, tmp_path, 3200, 1000)  # its 16:9 box: 1778 × 1000, centred
    path = publish_with_hero(page, project, photo)
    reader = new_context().new_page()
    centred = left_edge_red(reader, path)

    page.goto(project.library)
    open_edit_view(page, photo.item_id)
    focal = page.get_by_test_id("focal-point")
    expect(focal).to_have_attribute("aria-label", re.compile("50% across and 50% down"))
    focal.focus()
    for _ in range(6):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("ArrowRight")
    expect(focal).to_have_attribute("aria-label", re.compile("1% across and 50% down"))
    save_and_wait(page, photo.item_id)

    hero = left_edge_red(reader, path)
    assert hero < centred - 30, (centred, hero)  # the box moved to the left edge, where the photo is cyan


def test_turned_and_cropped_with_the_keyboard(
    page: Page, team: Team, project: Project, sign_in: Callable[..., None], tmp_path: Path
) -> None:
    """Rotate right, then narrow the crop as shown: the crop is stored in the upright original's pixels."""
    sign_in(team.editor)
    photo = upload_photo(page, project, tmp_path, 2400, 1600)
    open_edit_view(page, photo.item_id)
    page.get_by_test_id("edit-save").focus()
    reached = set()
    for _ in range(16):  # every control is on the way, in order, by Tab
        page.keyboard.press("Tab")
        reached.add(page.evaluate("() => document.activeElement?.dataset?.testid || ''"))
    assert {
        "crop-box",
        "focal-point",
        "aspect-Free",
        "aspect-16:9",
        "rotate-right",
        "flip-vertical",
    } <= reached

    page.get_by_test_id("rotate-right").click()
    crop_box = page.get_by_test_id("crop-box")
    crop_box.focus()
    for _ in range(10):  # a step is 1% of the longer side: 24 px
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("ArrowDown")
    save_and_wait(page, photo.item_id)
    # Shown 1600 wide once turned, now 1360: the upright original keeps 1360 of its 1600 rows.
    expect(dimensions(page, photo.item_id)).to_have_text("1360 × 2400 px")


def test_replacing_the_file_of_a_published_image(
    page: Page,
    team: Team,
    project: Project,
    sign_in: Callable[..., None],
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
    screenshots: Path,
) -> None:
    sign_in(team.editor)
    photo = upload_photo(page, project, tmp_path, 2400, 1600)
    path = publish_with_hero(page, project, photo)
    reader = new_context().new_page()
    assert hero_source(reader, path).endswith("_16x9_large.jpg")

    page.goto(project.library)
    open_detail(page, photo.item_id)
    page.get_by_test_id("detail-replace").click()
    chooser = page.get_by_test_id("replace-upload").locator("input[type=file]")
    chooser.set_input_files(files=[{"name": "not-a-photo.jpg", "mimeType": "image/jpeg", "buffer": b"hello"}])
    expect(notification(page, re.compile("not|image", re.IGNORECASE))).to_be_visible()
    screenshot(page, screenshots / "replace-file.png")
    assert_accessible(page, "replace file")

    chooser.set_input_files(
        files=[{"name": "lighthouse-new.png", "mimeType": "image/png", "buffer": images.png(1920, 1080)}]
    )
    expect(notification(page, "Replaced with “lighthouse-new.png”")).to_be_visible()
    expect(page.get_by_test_id("detail-filename")).to_have_text("lighthouse-new.png")
    close_detail(page)
    wait_until_ready(page, photo.item_id)
    assert re.search(r"-v2_16x9_large\.png$", hero_source(reader, path))


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["desktop", "phone"])
def test_edit_view_on_a_desktop_and_a_phone(
    page: Page,
    team: Team,
    project: Project,
    sign_in: Callable[..., None],
    tmp_path: Path,
    screenshots: Path,
    viewport: dict[str, int],
) -> None:
    page.set_viewport_size(viewport)
    sign_in(team.editor)
    photo = upload_photo(page, project, tmp_path, 1600, 2400)
    name = "phone" if viewport == PHONE else "desktop"
    open_detail(page, photo.item_id)
    expect(page.get_by_test_id("detail-edit")).to_be_visible()
    screenshot(page, screenshots / f"detail-actions-{name}.png")
    assert_accessible(page, f"detail panel ({name})")
    page.get_by_test_id("detail-edit").click()
    expect(page.get_by_test_id("crop-box")).to_be_visible()
    page.get_by_test_id("aspect-4:3").click()
    screenshot(page, screenshots / f"edit-view-{name}.png")
    assert_accessible(page, f"edit view ({name})")
    page.get_by_test_id("edit-cancel").click()
    expect(page.get_by_test_id("confirm-message")).to_be_visible()
    screenshot(page, screenshots / f"edit-discard-{name}.png")
    assert_accessible(page, f"discard changes ({name})")
    page.get_by_test_id("edit-discard").click()  # the 4:3 crop is not saved
    expect(page.get_by_test_id("edit-view")).to_have_count(0)
    expect(page.get_by_test_id("detail-edit")).to_be_focused()


def test_leaving_with_unsaved_changes_asks_first(
    page: Page, team: Team, project: Project, sign_in: Callable[..., None], tmp_path: Path
) -> None:
    sign_in(team.editor)
    photo = upload_photo(page, project, tmp_path, 2400, 1600)
    view = open_edit_view(page, photo.item_id)
    expect(page.get_by_role("heading", name=f"Edit “{photo.filename}”")).to_be_focused()  # the keys act here
    page.keyboard.press("Escape")  # nothing changed: nothing to ask
    expect(view).to_have_count(0)
    expect(page.get_by_test_id("detail-edit")).to_be_focused()  # the panel is shown again, focus on Edit

    page.get_by_test_id("detail-edit").click()
    page.get_by_test_id("rotate-right").click()
    page.get_by_test_id("crop-box").focus()
    page.keyboard.press("Escape")
    question = page.get_by_test_id("confirm-message")
    expect(question).to_contain_text("not saved")
    page.keyboard.press("Escape")  # no: back to editing, the turn still there
    expect(question).to_have_count(0)
    expect(page.get_by_test_id("crop-box")).to_be_visible()
    page.get_by_test_id("edit-cancel").click()
    page.get_by_test_id("edit-discard").click()
    back_in_the_library(page)  # the panel, shown again, has the focus on Edit before it is closed
    expect(dimensions(page, photo.item_id)).to_have_text("2400 × 1600 px")  # not turned
