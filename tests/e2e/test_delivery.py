"""Modern images in a real browser: a published page's picture loads its AVIF source with its size known
before any byte of it arrives, and a library tile paints its placeholder while its thumbnail is on the
way (the image requests are held back, as on a very slow network)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyvips
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.e2e.conftest import Project, Server
from tests.e2e.library import notification, open_library, screenshot, tile_by_id, upload_processed
from tests.e2e.pages_helpers import choose_in_picker, create_page, library_image, wait_for, wait_until_loaded
from tests.processes import NEXUS

ORANGE = (230, 120, 20)


def photo(path: Path, width: int, height: int, colour: tuple[int, int, int] | None = None) -> Path:
    """A JPEG with some texture (a flat one, in `colour`, if given)."""
    if colour is None:
        image = (pyvips.Image.xyz(width, height) * 255 / max(width, height)).cast("uchar")
        image = image[0].bandjoin([image[1], (image[0] + image[1]) / 2]).cast("uchar")
    else:
        image = pyvips.Image.black(width, height, bands=3) + list(colour)
    path.write_bytes(image.cast("uchar").copy(interpretation="srgb").jpegsave_buffer(Q=90))
    return path


def make_modern_renditions(server: Server, item_id: str) -> None:
    """What the second job makes on a server set to `NEXUS_MODERN_FORMATS=webp,avif` (the suite's
    server makes none, as AVIF would slow every upload of the suite)."""
    subprocess.run(
        [NEXUS, "media", "regenerate", item_id],
        env=server.environment | {"NEXUS_MODERN_FORMATS": "webp,avif"},
        check=True,
        capture_output=True,
        timeout=120,
    )


def hold_media(page: Page) -> list[Route]:
    """Keep every /media request waiting until released (a network too slow to bring any image yet)."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/media/**", hold)
    return held


def release(page: Page, held: list[Route]) -> None:
    """Let the held requests go, and the ones after them (which unroute lets go itself)."""
    for route in list(held):
        route.continue_()
    page.unroute("**/media/**")


def test_a_published_page_loads_the_avif_source(
    page: Page,
    server: Server,
    new_library: Callable[..., Project],
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
    screenshots: Path,
) -> None:
    project = new_library("Modern pictures")
    item_id = upload_processed(page, project.library, photo(tmp_path / "estuary.jpg", 2000, 1250))
    image = library_image(page, item_id, "estuary.jpg", "", 2000)
    make_modern_renditions(server, item_id)

    create_page(page, project, "The estuary at low tide")
    page.get_by_test_id("select-hero_image").click()
    choose_in_picker(page, image)
    page.get_by_test_id("publish-page").click()
    expect(notification(page, "Published")).to_be_visible()
    public_path = page.get_by_test_id("view-page").get_attribute("href")
    assert public_path

    reader = new_context().new_page()
    held = hold_media(reader)
    reader.goto(public_path, wait_until="domcontentloaded")
    hero = reader.locator('section[data-field="hero_image"] picture img')
    # The hero field is 16:9: the widest of the photo's 16:9 renditions gives the box its size.
    expect(hero).to_have_attribute("width", "1600")
    expect(hero).to_have_attribute("height", "900")
    sources = reader.locator('section[data-field="hero_image"] picture source')
    expect(sources.first).to_have_attribute("type", "image/avif")
    wait_for(reader, lambda: held, "the hero's request")
    # Nothing of the picture has arrived, yet its box already has the picture's shape.
    box = hero.bounding_box()
    assert box is not None and box["width"] > 0
    assert abs(box["height"] / box["width"] - 9 / 16) < 0.01, box
    assert hero.evaluate("(image) => image.naturalWidth") == 0
    release(reader, held)

    assert wait_until_loaded(hero) > 0
    current = hero.evaluate("(image) => image.currentSrc")
    assert re.search(rf"/media/{image.project_id}/{item_id}_\w+\.avif$", current), current
    served = reader.request.get(current)
    assert served.status == 200 and served.headers["content-type"] == "image/avif"
    screenshot(reader, screenshots / "published-page-avif.png")


def test_a_tile_shows_its_placeholder_before_its_thumbnail(
    page: Page, new_library: Callable[..., Project], tmp_path: Path, screenshots: Path
) -> None:
    project = new_library("Slow network")
    item_id = upload_processed(page, project.library, photo(tmp_path / "orange.jpg", 1200, 800, ORANGE))

    held = hold_media(page)
    open_library(page, project.library)
    thumbnail = tile_by_id(page, item_id).locator("img")
    expect(thumbnail).to_have_attribute("src", re.compile(rf"{item_id}_thumb\.jpg$"))
    wait_for(page, lambda: held, "the thumbnail's request")
    assert thumbnail.evaluate("(image) => image.naturalWidth") == 0
    expect(thumbnail).to_have_css("background-image", re.compile(r'^url\("data:image/webp;base64,'))
    painted = pyvips.Image.new_from_buffer(thumbnail.screenshot(), "")
    centre = painted.crop(painted.width // 4, painted.height // 4, painted.width // 2, painted.height // 2)
    colour = [centre[band].avg() for band in range(3)]
    assert all(abs(seen - wanted) < 25 for seen, wanted in zip(colour, ORANGE, strict=True)), colour
    screenshot(page, screenshots / "library-tile-placeholder.png")
    release(page, held)

    assert wait_until_loaded(thumbnail) == 300
