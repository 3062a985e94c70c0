"""The admin on a 375 × 812 phone and a 1280 × 800 laptop: nothing collapses, overlaps or hides
behind a hover; screenshots of each screen are kept for a person to look at."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests import images
from tests.e2e.conftest import Project, Team
from tests.e2e.library import (
    open_detail,
    open_library,
    screenshot,
    upload,
    upload_processed,
    wait_until_ready,
)
from tests.e2e.pages_helpers import create_page

_numbers = itertools.count(1)
PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 800}


def box(locator: Locator) -> dict[str, float]:
    """Where `locator` is drawn, once it is: the page may still be rendering it, and NiceGUI draws a
    template slot (the upload area's header) anew each time its element renders in the first moments."""
    deadline = time.monotonic() + 10
    while True:
        expect(locator).to_be_visible()
        found = locator.bounding_box()
        if found is not None:
            return found
        assert time.monotonic() < deadline, f"{locator} is not on screen"


def overlap(first: Locator, second: Locator) -> bool:
    a, b = box(first), box(second)
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_detail_preview_keeps_its_images_aspect(
    page: Page,
    team: Team,
    shared_project: Project,
    sign_in: Callable[..., None],
    tmp_path: Path,
    viewport: dict[str, int],
    screenshots: Path,
) -> None:
    page.set_viewport_size(viewport)
    file = tmp_path / f"wide-{next(_numbers)}.jpg"
    file.write_bytes(images.jpeg(1600, 1000))
    sign_in(team.admin)
    open_detail(page, upload_processed(page, shared_project.library, file))
    preview = page.get_by_test_id("detail-preview")
    page.wait_for_function(
        "(image) => image.complete && image.naturalWidth > 0", arg=preview.element_handle()
    )
    shown = box(preview)
    assert shown["height"] >= 150, f"the preview is squeezed to {shown['height']:.0f} px"
    assert abs(shown["height"] / shown["width"] - 1000 / 1600) < 0.02
    screenshot(page, screenshots / f"detail-panel-{viewport['width']}.png")


def test_a_phone_gets_the_whole_admin(
    page: Page,
    team: Team,
    make_project: Callable[[str], Project],
    sign_in: Callable[..., None],
    tmp_path: Path,
    screenshots: Path,
) -> None:
    page.set_viewport_size(PHONE)
    project = make_project("Pocket Library")
    sign_in(team.admin)
    open_library(page, project.library)
    expect(page.get_by_test_id("nav-media")).not_to_be_in_viewport()  # the drawer starts closed
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    caption = page.get_by_text("Drop images here, or choose files")
    assert box(caption)["width"] >= 200, "the upload area's text is squeezed"
    screenshot(page, screenshots / "library-375-empty.png")
    menu.click()
    expect(page.get_by_test_id("nav-media")).to_be_in_viewport()
    page.keyboard.press("Escape")
    page.mouse.click(360, 700)  # a tap beside the drawer closes it

    file = tmp_path / "harbour.jpg"
    file.write_bytes(images.jpeg(1200, 800))
    wait_until_ready(page, upload(page, file))
    screenshot(page, screenshots / "library-375.png")

    create_page(page, project, "Pocket post")
    page.get_by_test_id("select-hero_image").click()
    picker = page.get_by_test_id("media-picker")
    expect(picker.get_by_test_id("picker-tile")).to_have_count(1)
    screenshot(page, screenshots / "picker-375.png")  # once the dialog has finished opening
    assert not overlap(picker.get_by_test_id("picker-hint"), page.get_by_test_id("upload-zone").last)
    picker.get_by_test_id("picker-tile").click()
    picker.get_by_test_id("picker-choose").click()
    page.get_by_test_id("alt-prompt-decorative").click()
    for action in ("change-hero_image", "remove-hero_image"):  # no hover on a phone: always there
        expect(page.get_by_test_id(action)).to_be_visible()
    screenshot(page, screenshots / "editor-375.png")
