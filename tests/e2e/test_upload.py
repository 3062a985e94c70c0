"""Uploading images: the file picker, drag and drop, refusals, and thumbnails that appear by themselves."""

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
    drop_blank_file,
    drop_file,
    notification,
    open_library,
    pick_files,
    screenshot,
    tile_by_id,
    tile_named,
    tiles,
    upload_zone,
    wait_for_library,
)

MEGABYTE = 1024 * 1024

# Every status and preview a tile shows, in order, recorded in the page as the server redraws the grid.
RECORD_TILES_JS = """() => {
    window.__tileHistory = {};
    const record = () => {
        for (const tile of document.querySelectorAll('[data-testid="media-tile"]')) {
            const history = (window.__tileHistory[tile.dataset.itemId] ??= {statuses: [], sources: []});
            const source = tile.querySelector('img')?.getAttribute('src') ?? null;
            if (history.statuses.at(-1) !== tile.dataset.status) history.statuses.push(tile.dataset.status);
            if (source && history.sources.at(-1) !== source) history.sources.push(source);
        }
    };
    new MutationObserver(record).observe(document.body, {
        subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'src'],
    });
    record();
}"""


@pytest.mark.production_flow
def test_upload_with_the_file_picker_and_by_drag_and_drop(
    page: Page, team: Team, fresh_project: Project, sign_in: Callable[..., None], tmp_path: Path
) -> None:
    harbour, lighthouse = tmp_path / "harbour.jpg", tmp_path / "lighthouse.png"
    harbour.write_bytes(images.jpeg(2400, 1600))
    lighthouse.write_bytes(images.png(1200, 900))
    sign_in(team.editor)
    open_library(page, fresh_project.library)
    expect(page.get_by_test_id("empty-library")).to_contain_text("No images yet.")
    expect(page.get_by_test_id("media-count")).to_have_text("0 images")

    pick_files(page, harbour, lighthouse)
    expect(notification(page, "Uploaded “harbour.jpg”")).to_be_visible()
    expect(notification(page, "Uploaded “lighthouse.png”")).to_be_visible()
    expect(tile_named(page, "harbour.jpg")).to_have_count(1)
    expect(tile_named(page, "lighthouse.png")).to_have_count(1)
    expect(page.get_by_test_id("media-count")).to_have_text("2 images")
    expect(page.get_by_test_id("empty-library")).to_have_count(0)

    drop_file(page, "quay at dusk.jpg", images.jpeg(1200, 800))
    expect(notification(page, "Uploaded “quay at dusk.jpg”")).to_be_visible()
    expect(tile_named(page, "quay at dusk.jpg")).to_have_count(1)
    expect(page.get_by_test_id("media-count")).to_have_text("3 images")

    page.reload()  # they are stored, not only drawn
    expect(page.get_by_test_id("media-count")).to_have_text("3 images")
    for name in ("harbour.jpg", "lighthouse.png", "quay at dusk.jpg"):
        expect(tile_named(page, name)).to_have_count(1)


def test_too_large_and_fake_images_are_refused_by_name(
    page: Page, team: Team, fresh_project: Project, sign_in: Callable[..., None], tmp_path: Path
) -> None:
    huge = tmp_path / "huge-panorama.jpg"
    huge.write_bytes(images.jpeg(1200, 800) + bytes(21 * MEGABYTE))  # a real JPEG, 21 MB with its trailer
    fake = tmp_path / "notes.jpg"
    fake.write_text("Shopping list: bread, milk, film for the camera.\n" * 20)
    sign_in(team.editor)
    open_library(page, fresh_project.library)

    pick_files(page, huge)
    expect(notification(page, "“huge-panorama.jpg” is larger than 20 MB.")).to_be_visible()

    pick_files(page, fake)
    expect(notification(page, re.compile(r"“notes\.jpg” is not a supported image"))).to_be_visible()

    drop_blank_file(page, "also-huge.jpg", 21 * MEGABYTE)
    expect(notification(page, "“also-huge.jpg” is larger than 20 MB.")).to_be_visible()

    expect(tiles(page)).to_have_count(0)
    expect(notification(page, "Uploaded")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("media-count")).to_have_text("0 images")
    expect(page.get_by_test_id("empty-library")).to_be_visible()


@pytest.mark.production_flow
def test_thumbnails_appear_without_a_reload(
    page: Page,
    team: Team,
    fresh_project: Project,
    sign_in: Callable[..., None],
    tmp_path: Path,
    screenshots: Path,
) -> None:
    files = {
        "boats.jpg": images.jpeg(2400, 1600),
        "sails.png": images.png(1600, 1200),
        "gulls.webp": images.webp(1200, 900),
        "harbour-map.jpg": images.jpeg(1800, 1200),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    sign_in(team.admin)
    open_library(page, fresh_project.library)
    page.evaluate("window.__sameDocument = true")
    page.evaluate(RECORD_TILES_JS)

    pick_files(page, *(tmp_path / name for name in files))
    expect(tiles(page)).to_have_count(len(files))
    item_ids = [tile_named(page, name).get_attribute("data-item-id") for name in files]
    # Someone already on a tile while the others finish keeps their place: the keyboard focus stays on
    # it (a redrawn grid would drop it, and lose a click on its way).
    tile_by_id(page, item_ids[0]).evaluate("(tile) => { window.__kept = tile; tile.focus(); }")
    for item_id in item_ids:
        expect(tile_by_id(page, item_id)).to_have_attribute(
            "data-status", "ready", timeout=PROCESSING_TIMEOUT_MS
        )
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert page.evaluate("window.__kept.isConnected && document.activeElement === window.__kept")

    history = page.evaluate("window.__tileHistory")
    for item_id in item_ids:
        statuses, sources = history[item_id]["statuses"], history[item_id]["sources"]
        assert statuses[0] in ("pending", "processing"), statuses
        assert statuses[-1] == "ready", statuses
        # no picture until the variant exists: a tile never pulls the original
        assert sources and all(
            re.fullmatch(rf"/media/[0-9a-f-]+/{item_id}_thumb\.\w+", s) for s in sources
        ), sources
        image = tile_by_id(page, item_id).locator("img")
        expect(image).to_have_attribute("src", sources[-1])
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "(image) => image.complete && image.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.evaluate("(image) => image.naturalWidth") == 300
    expect(tile_by_id(page, item_ids[0]).get_by_test_id("tile-status")).to_have_count(0)
    expect(upload_zone(page)).to_be_visible()

    page.reload()  # a calm picture: no upload list, no notifications
    wait_for_library(page)
    expect(tiles(page)).to_have_count(len(files))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=media-tile] img')]"
        ".every((image) => image.complete && image.naturalWidth > 0)"
    )
    screenshot(page, screenshots / "media-library.png")
