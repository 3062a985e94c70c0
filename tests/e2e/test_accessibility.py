"""Every admin screen and the published page pass axe-core with no critical or serious violation
(and each screen has a level-one heading), at a laptop's size and a phone's."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests import images
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import Project, Team
from tests.e2e.library import open_detail, open_library, upload, wait_until_ready
from tests.e2e.organise import check, create_folder, folder_node
from tests.e2e.pages_helpers import create_page

_numbers = itertools.count(1)
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """axe is injected as a script: the published page's CSP (default-src 'none') would refuse it."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest, page: Page) -> str:
    page.set_viewport_size(VIEWPORTS[request.param])
    return str(request.param)


def test_sign_in_and_projects(page: Page, team: Team, viewport: str, sign_in: Callable[..., None]) -> None:
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_accessible(page, "sign-in")
    sign_in(team.admin)
    page.goto("/")
    expect(page.get_by_text("Your projects")).to_be_visible()
    assert_accessible(page, "projects")


def test_library_detail_pages_members_and_keys(
    page: Page,
    team: Team,
    viewport: str,
    make_project: Callable[[str], Project],
    sign_in: Callable[..., None],
    tmp_path: Path,
) -> None:
    project = make_project("Accessible Library")
    sign_in(team.admin)
    open_library(page, project.library)
    assert_accessible(page, "empty library")

    file = tmp_path / f"lighthouse-{next(_numbers)}.jpg"
    file.write_bytes(images.jpeg(1200, 800))
    item_id = upload(page, file)
    assert_accessible(page, "library while uploading")
    wait_until_ready(page, item_id)
    assert_accessible(page, "library")
    open_detail(page, item_id)
    assert_accessible(page, "detail panel")
    page.keyboard.press("Escape")

    for path, screen in (("members", "members"), ("api-keys", "API keys"), ("pages", "pages list")):
        page.goto(f"/admin/{project.slug}/{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page, screen)

    page.get_by_test_id("new-page").click()
    expect(page.get_by_test_id("new-page-title")).to_be_visible()
    assert_accessible(page, "new-page dialog")
    page.keyboard.press("Escape")

    create_page(page, project, f"Open Day {next(_numbers)}")
    assert_accessible(page, "page editor")
    page.get_by_test_id("select-hero_image").click()
    picker = page.get_by_test_id("media-picker")
    expect(picker.get_by_test_id("picker-tile")).to_have_count(1)
    assert_accessible(page, "media picker")
    page.keyboard.press("Escape")

    page.get_by_test_id("publish-page").click()
    expect(page.get_by_test_id("page-status")).to_have_text("Published")
    published = page.get_by_test_id("view-page").get_attribute("href")
    assert published
    page.goto(published)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Open Day"))
    assert_accessible(page, "published page")


def test_folders_filters_selection_and_list(
    page: Page, viewport: str, new_library: Callable[..., Project], tmp_path: Path
) -> None:
    new_library("Accessible Folders")
    if viewport == "phone":
        page.get_by_test_id("folders-toggle").click()
        assert_accessible(page, "folder drawer")
    create_folder(page, "Trips")
    if viewport == "phone":
        expect(folder_node(page, "Trips")).to_be_focused()
        page.keyboard.press("Escape")
    file = tmp_path / f"buoy-{next(_numbers)}.jpg"
    file.write_bytes(images.jpeg(900, 600))
    wait_until_ready(page, upload(page, file))
    expect(page.locator(".q-notification")).to_have_count(0, timeout=15_000)  # axe reads fading ones wrong
    assert_accessible(page, "library in a folder")

    page.get_by_test_id("filters-toggle").click()
    expect(page.get_by_test_id("filters")).to_be_visible()
    assert_accessible(page, "filters")
    check(page, file.name)
    expect(page.get_by_test_id("bulk-bar")).to_be_visible()
    assert_accessible(page, "selection and bulk bar")
    page.get_by_test_id("bulk-move").click()
    expect(page.get_by_test_id("bulk-destination")).to_be_visible()
    assert_accessible(page, "move dialog")
    page.keyboard.press("Escape")
    page.get_by_test_id("bulk-add-tags").click()
    expect(page.get_by_test_id("bulk-tags")).to_be_visible()
    assert_accessible(page, "tags dialog")
    page.keyboard.press("Escape")
    page.get_by_test_id("clear-selection").click()

    page.get_by_test_id("view").get_by_role("button", name="List").click()
    expect(page.get_by_test_id("media-row")).to_have_count(1)
    assert_accessible(page, "list view")
    page.get_by_test_id("media-row").get_by_role("button", name=file.name).click()
    expect(page.get_by_test_id("detail-tags")).to_be_visible()
    expect(page.locator(".q-notification")).to_have_count(0, timeout=15_000)  # none fading in or out
    assert_accessible(page, "detail panel with tags")
