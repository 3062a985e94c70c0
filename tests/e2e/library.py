"""What a person does in the admin, as Playwright steps shared by the browser tests."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

from playwright.sync_api import JSHandle, Locator, Page, expect

# Processing runs in the server's embedded consumer; an idle Huey consumer polls every few seconds
# and the library re-checks live tiles every 2 s, so a thumbnail may take a while to appear.
PROCESSING_TIMEOUT_MS = 45_000


def wait_until_connected(page: Page) -> None:
    """NiceGUI only acts on clicks once its websocket has shaken hands."""
    page.wait_for_function("window.did_handshake === true")


def sign_in_through_form(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    sign_in_button = page.get_by_role("button", name="Sign in")
    expect(sign_in_button).to_be_visible()
    wait_until_connected(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    sign_in_button.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def open_library(page: Page, path: str) -> None:
    page.goto(path)
    wait_for_library(page)


def wait_for_library(page: Page) -> None:
    """The count under the title is written by the server once the page is connected."""
    expect(page.get_by_test_id("media-count")).to_have_text(re.compile(r"^\d+ images?$"))
    wait_until_connected(page)


def reload_until_counted(page: Page, count: str, timeout_s: float = 15) -> None:
    """Reload the library until its count reads `count`: what another session saved may still be landing."""
    deadline = time.monotonic() + timeout_s
    counter = page.get_by_test_id("media-count")
    while True:
        page.reload()
        wait_for_library(page)
        if counter.inner_text().strip() == count or time.monotonic() > deadline:
            break
        page.wait_for_timeout(300)
    expect(counter).to_have_text(count)


def clipboard_text(page: Page, expected: re.Pattern[str], timeout_s: float = 5) -> str:
    """The clipboard once it holds text matching `expected` (writing to it is asynchronous)."""
    deadline = time.monotonic() + timeout_s
    while True:
        text = str(page.evaluate("navigator.clipboard.readText()"))
        if expected.fullmatch(text) or time.monotonic() > deadline:
            return text
        page.wait_for_timeout(100)


def tiles(page: Page) -> Locator:
    return page.get_by_test_id("media-tile")


def tile_named(page: Page, filename: str) -> Locator:
    return tiles(page).filter(has_text=filename)


def tile_by_id(page: Page, item_id: str) -> Locator:
    return page.locator(f'[data-testid="media-tile"][data-item-id="{item_id}"]')


def upload_zone(page: Page) -> Locator:
    return page.get_by_test_id("upload-zone")


def pick_files(page: Page, *files: Path) -> None:
    """Choose files with the upload zone's file picker."""
    upload_zone(page).locator("input[type=file]").set_input_files(list(files))


def file_transfer(page: Page, name: str, data: bytes, mime_type: str) -> JSHandle:
    """A DataTransfer holding one file, as the browser builds it when a file is dragged from the desktop."""
    return page.evaluate_handle(
        """([name, type, encoded]) => {
            const bytes = Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type}));
            return transfer;
        }""",
        [name, mime_type, base64.b64encode(data).decode()],
    )


def drop_file(page: Page, name: str, data: bytes, mime_type: str = "image/jpeg") -> None:
    """Drag a file from the desktop onto the upload zone."""
    _drop(page, file_transfer(page, name, data, mime_type))


def drop_blank_file(page: Page, name: str, size: int, mime_type: str = "image/jpeg") -> None:
    """Drag a file of `size` zero bytes onto the upload zone (made in the page: no transfer of it)."""
    transfer = page.evaluate_handle(
        """([name, type, size]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(size)], name, {type}));
            return transfer;
        }""",
        [name, mime_type, size],
    )
    _drop(page, transfer)


def _drop(page: Page, transfer: JSHandle) -> None:
    """dragenter and dragover on the zone, then drop on the target the uploader shows while dragging."""
    zone = upload_zone(page)
    zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    target = zone.locator(".q-uploader__dnd")
    expect(target).to_be_attached()
    target.dispatch_event("drop", {"dataTransfer": transfer})
    expect(target).to_have_count(0)
    transfer.dispose()


def upload(page: Page, file: Path) -> str:
    """Upload one file with the picker; returns the id of its new tile."""
    pick_files(page, file)
    tile = tile_named(page, file.name)
    expect(tile).to_have_count(1)
    item_id = tile.get_attribute("data-item-id")
    assert item_id
    return item_id


def upload_processed(page: Page, library_path: str, file: Path) -> str:
    """Open the library, upload one file with the picker and wait for its variants; returns its id."""
    open_library(page, library_path)
    item_id = upload(page, file)
    wait_until_ready(page, item_id)
    return item_id


def wait_until_ready(page: Page, item_id: str) -> Locator:
    tile = tile_by_id(page, item_id)
    expect(tile).to_have_attribute("data-status", "ready", timeout=PROCESSING_TIMEOUT_MS)
    return tile


def notification(page: Page, text: str | re.Pattern[str]) -> Locator:
    return page.locator(".q-notification").filter(has_text=text)


def open_detail(page: Page, item_id: str) -> Locator:
    tile_by_id(page, item_id).click()
    panel = page.get_by_test_id("detail-panel")
    expect(page.get_by_test_id("detail-filename")).to_be_visible()
    return panel


def screenshot(page: Page, path: Path) -> None:
    """A full-page picture once dialogs and notifications have finished moving in."""
    page.wait_for_function(
        """() => document.getAnimations().every(
            (animation) => animation.playState !== 'running'
                || animation.effect?.getComputedTiming().iterations === Infinity)"""
    )
    page.screenshot(path=path, full_page=True)
