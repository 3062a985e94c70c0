"""Playwright steps for the library's organisation: folders, selection, the bulk bar, filters."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.library import tile_named


def folder_node(page: Page, name: str) -> Locator:
    return page.get_by_test_id("folder-tree").get_by_test_id("folder-node").filter(has_text=name)


def shown_folder(page: Page) -> Locator:
    """The last step of the folder path: the folder on screen."""
    return page.get_by_test_id("folder-path").locator("[aria-current=location]")


def create_folder(page: Page, name: str) -> None:
    """New folder (inside the folder shown) → name → Create; the new folder is then shown."""
    page.get_by_test_id("new-folder").click()
    page.get_by_test_id("folder-name-input").fill(name)
    page.get_by_test_id("folder-name").click()
    expect(shown_folder(page)).to_have_text(name)


def check(page: Page, filename: str, *, modifiers: list[str] | None = None) -> None:
    """Click the checkbox of a file's tile (with Shift for a range)."""
    tile_cell(page, filename).get_by_test_id("tile-check").click(modifiers=modifiers or [])  # type: ignore[arg-type]


def tile_cell(page: Page, filename: str) -> Locator:
    return page.locator("[data-grid] > div").filter(has=tile_named(page, filename))


def selected_count(page: Page) -> Locator:
    return page.get_by_test_id("selected-count")


def choose_option(page: Page, field: Locator, label: str | re.Pattern[str]) -> None:
    """Open a Quasar select and click one of its options."""
    field.click()
    page.get_by_role("option", name=label).click()


def add_tag(page: Page, field: Locator, tag: str) -> None:
    """Type a tag into a tag input (Quasar puts the test id on its text box) and press Enter."""
    field.fill(tag)
    field.press("Enter")
    expect(field.locator("xpath=ancestor::label[contains(@class, 'q-field')][1]")).to_contain_text(tag)


def url_query(page: Page) -> str:
    return page.url.split("?", 1)[1] if "?" in page.url else ""
