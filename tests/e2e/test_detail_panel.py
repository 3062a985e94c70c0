"""The detail panel of one image: its facts, alt text, copying its URLs and deleting it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests import images
from tests.e2e.conftest import Project, Server, Team
from tests.e2e.library import (
    clipboard_text,
    notification,
    open_detail,
    screenshot,
    tile_by_id,
    upload_processed,
    wait_for_library,
)

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Photo:
    item_id: str
    filename: str
    size: int


@pytest.fixture
def photo(
    page: Page, team: Team, shared_project: Project, sign_in: Callable[..., None], tmp_path: Path
) -> Photo:
    """A processed 2400 × 1600 JPEG that the admin uploaded; the admin's library is open."""
    file = tmp_path / f"harbour-{next(_numbers)}.jpg"
    file.write_bytes(images.jpeg(2400, 1600))
    sign_in(team.admin)
    item_id = upload_processed(page, shared_project.library, file)
    return Photo(item_id=item_id, filename=file.name, size=file.stat().st_size)


def file_links(page: Page) -> Locator:
    return page.locator('.q-dialog a[href^="/media/"]')


def test_detail_panel_shows_the_facts(page: Page, team: Team, photo: Photo, screenshots: Path) -> None:
    open_detail(page, photo.item_id)
    expect(page.get_by_test_id("detail-filename")).to_have_text(photo.filename)
    expect(page.get_by_test_id("fact-type")).to_have_text("image/jpeg")
    expect(page.get_by_test_id("fact-size")).to_have_text(f"{photo.size / 1024 / 1024:.1f} MB")
    expect(page.get_by_test_id("fact-dimensions")).to_have_text("2400 × 1600 px")
    expect(page.get_by_test_id("fact-status")).to_have_text("ready")
    expect(page.get_by_test_id("fact-uploaded-by")).to_have_text(team.admin)
    expect(page.get_by_test_id("fact-uploaded")).to_have_text(
        re.compile(r"^\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC$")
    )

    expected = {"original": "", "thumb": "_thumb", "medium": "_medium", "large": "_large"}
    expect(file_links(page)).to_have_count(len(expected))
    for index, (name, suffix) in enumerate(expected.items()):
        expect(page.get_by_test_id(f"copy-{name}")).to_be_visible()
        link = file_links(page).nth(index)
        expect(link).to_have_attribute(
            "href", re.compile(rf"^/media/[0-9a-f-]+/{photo.item_id}{suffix}\.jpg$")
        )
        expect(link).to_have_text(f"{photo.item_id}{suffix}.jpg")
        row = page.locator(".q-dialog .row").filter(has=page.get_by_test_id(f"copy-{name}"))
        expect(row).to_contain_text(re.compile(r"\d+(\.\d)? (KB|MB)"))

    preview = page.locator(".q-dialog img").first
    expect(preview).to_have_attribute("src", re.compile(rf"{photo.item_id}_medium\.jpg$"))
    page.wait_for_function(
        "(image) => image.complete && image.naturalWidth === 800", arg=preview.element_handle()
    )
    screenshot(page, screenshots / "detail-panel.png")


def test_alt_text_is_saved_and_survives_a_reload(page: Page, photo: Photo) -> None:
    description = "Fishing boats moored at the harbour wall at low tide"
    open_detail(page, photo.item_id)
    alt_text = page.get_by_test_id("alt-text")
    expect(alt_text).to_be_editable()
    alt_text.fill(description)
    expect(page.get_by_test_id("alt-saved")).to_have_text("Saved")

    page.reload()
    wait_for_library(page)
    expect(tile_by_id(page, photo.item_id).locator("img")).to_have_attribute("alt", description)
    open_detail(page, photo.item_id)
    expect(page.get_by_test_id("alt-text")).to_have_value(description)

    page.keyboard.press("Escape")
    page.get_by_test_id("media-search").fill("boats moored")
    expect(page.get_by_test_id("media-count")).to_have_text("1 image")
    expect(page.get_by_test_id("media-tile")).to_have_count(1)
    expect(tile_by_id(page, photo.item_id)).to_be_visible()


def test_copy_url_puts_the_absolute_url_on_the_clipboard(page: Page, base_url: str, photo: Photo) -> None:
    open_detail(page, photo.item_id)
    for name, suffix in (("original", ""), ("thumb", "_thumb")):
        page.get_by_test_id(f"copy-{name}").click()
        expect(notification(page, "URL copied to the clipboard").first).to_be_visible()
        url = re.compile(rf"{re.escape(base_url)}/media/[0-9a-f-]+/{photo.item_id}{suffix}\.jpg")
        copied = clipboard_text(page, url)
        assert url.fullmatch(copied), copied
        response = page.request.get(copied)
        assert response.status == 200
        assert response.headers["content-type"] == "image/jpeg"


def test_delete_removes_the_tile_and_the_files(
    page: Page, server: Server, photo: Photo, screenshots: Path
) -> None:
    open_detail(page, photo.item_id)
    urls = [link.get_attribute("href") or "" for link in file_links(page).all()]
    assert len(urls) == 4
    for url in urls:
        assert page.request.get(url).status == 200
    project_id = urls[0].split("/")[2]
    stored = list((server.media_dir / project_id).glob(f"{photo.item_id}*"))
    assert len(stored) == 7, stored  # those four and the 16:9 renditions (thumb, medium, large)

    page.get_by_test_id("delete").click()
    confirm = page.get_by_test_id("confirm-delete")
    expect(confirm).to_be_visible()
    expect(page.get_by_text(f"Delete “{photo.filename}”?")).to_be_visible()
    screenshot(page, screenshots / "delete-confirmation.png")
    confirm.click()

    expect(notification(page, f"Deleted “{photo.filename}”")).to_be_visible()
    expect(page.get_by_test_id("detail-filename")).to_have_count(0)
    for url in urls:
        assert page.request.get(url).status == 404, url
    assert list((server.media_dir / project_id).glob(f"{photo.item_id}*")) == []
    expect(tile_by_id(page, photo.item_id)).to_have_count(0)  # without a reload
    page.reload()
    wait_for_library(page)
    expect(tile_by_id(page, photo.item_id)).to_have_count(0)
