"""What a person does in the page editor, as Playwright steps for test_page_editor.py.

The admin's media library helpers (signing in, uploading, the detail panel) live in library.py;
these add the pages list, the editor, the media picker and the published page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Project
from tests.e2e.library import file_transfer, wait_until_connected, wait_until_ready

ITEM_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# An image that has finished loading and decoded to real pixels (a broken one has naturalWidth 0).
IMAGE_LOADED_JS = "(image) => image.complete && image.naturalWidth > 0"


@dataclass(frozen=True)
class LibraryImage:
    """A processed image of the project: where its files are and the alt text it was given."""

    item_id: str
    project_id: str
    filename: str
    alt_text: str
    width: int

    def url(self, variant: str = "") -> str:
        return f"/media/{self.project_id}/{self.item_id}{f'_{variant}' if variant else ''}.jpg"

    @property
    def field_url(self) -> str:
        """What an image field and an inserted image show: `large` when the original is wider."""
        return self.url("large" if self.width > 1600 else "")

    @property
    def hero_url(self) -> str:
        """What the 16:9 hero field shows: the widest 16:9 rendition (the 16:9 box's own width at most)."""
        return self.url("16x9_large")


def library_image(page: Page, item_id: str, filename: str, alt_text: str, width: int) -> LibraryImage:
    """The image as the open library shows it once processed (its thumbnail's URL names the project)."""
    tile = wait_until_ready(page, item_id)
    source = tile.locator("img").get_attribute("src") or ""
    match = re.fullmatch(rf"/media/({ITEM_ID})/{item_id}_thumb\.jpg", source)
    assert match, source
    return LibraryImage(item_id, match.group(1), filename, alt_text, width)


def pages_list_path(project: Project) -> str:
    return f"/admin/{project.slug}/pages"


def create_page(page: Page, project: Project, title: str) -> str:
    """New page → title → Create, from the pages list; returns the new page's id, editor open."""
    page.goto(pages_list_path(project))
    new_page = page.get_by_test_id("new-page")
    expect(new_page).to_be_visible()
    wait_until_connected(page)
    new_page.click()
    page.get_by_test_id("new-page-title").fill(title)
    page.get_by_test_id("create-page").click()
    expect(page).to_have_url(re.compile(rf"/admin/{re.escape(project.slug)}/pages/{ITEM_ID}$"))
    wait_for_editor(page)
    expect(page.get_by_test_id("field-title")).to_have_value(title)
    return page.url.rsplit("/", 1)[-1]


def open_editor(page: Page, project: Project, page_id: str) -> None:
    page.goto(f"{pages_list_path(project)}/{page_id}")
    wait_for_editor(page)


def wait_for_editor(page: Page) -> None:
    expect(page.get_by_test_id("tiptap-content")).to_be_visible()
    wait_until_connected(page)


def body(page: Page) -> Locator:
    return page.get_by_test_id("tiptap-content")


def save_state(page: Page) -> Locator:
    return page.get_by_test_id("save-state")


def choose_in_picker(page: Page, image: LibraryImage) -> None:
    """In the open media picker, click the image's tile, then Choose (and, for an image without alt
    text, answer the question that follows: it is decorative)."""
    picker = page.get_by_test_id("media-picker")
    expect(picker).to_be_visible()
    tile = picker.locator(f'[data-testid="picker-tile"][data-item-id="{image.item_id}"]')
    tile.click()
    expect(page.get_by_test_id("picker-selection")).to_have_text(f"Selected: {image.filename}")
    page.get_by_test_id("picker-choose").click()
    expect(picker).to_have_count(0)
    if not image.alt_text:
        page.get_by_test_id("alt-prompt-decorative").click()


def drop_on_editor(
    page: Page, name: str, data: bytes, mime_type: str = "image/jpeg", *, onto: Locator | None = None
) -> None:
    """Drag a file from the desktop and let go of it at the end of the body (or of `onto`)."""
    transfer = file_transfer(page, name, data, mime_type)
    content = body(page)
    box = (onto or content).bounding_box()
    assert box is not None
    point = {"clientX": box["x"] + box["width"] - 8, "clientY": box["y"] + box["height"] - 8}
    for event in ("dragenter", "dragover", "drop"):
        content.dispatch_event(event, {"dataTransfer": transfer, **point})
    transfer.dispose()


def wait_for(page: Page, condition: Callable[[], Any], what: str, timeout: float = 10) -> None:
    """Let Playwright deliver its events (route and dialog handlers run then) until `condition()`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(50)


def wait_until_loaded(image: Locator) -> int:
    """Scroll the image into view (they load lazily), wait for its pixels; returns naturalWidth."""
    image.scroll_into_view_if_needed()
    image.page.wait_for_function(IMAGE_LOADED_JS, arg=image.element_handle())
    return int(image.evaluate("(image) => image.naturalWidth"))
