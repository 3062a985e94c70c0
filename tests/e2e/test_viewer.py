"""A viewer can look but not change anything, even with the browser's developer tools."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import images
from tests.e2e.conftest import Project, Server, Team
from tests.e2e.library import (
    open_detail,
    open_library,
    reload_until_counted,
    screenshot,
    sign_in_through_form,
    tile_by_id,
    tiles,
    upload,
    upload_zone,
    wait_for_library,
    wait_until_ready,
)

# What someone could type into the console: turn the disabled button on again, in the DOM and in
# the Vue state NiceGUI renders from, so that the next render does not disable it again.
ENABLE_BUTTON_JS = """(button) => {
    mounted_app.elements[Number(button.id.slice(1))].props.disable = false;
    button.removeAttribute('disabled');
    button.removeAttribute('aria-disabled');
    button.classList.remove('disabled');
}"""
# Notes the id of every element whose event the page sends to the server.
RECORD_SENT_EVENTS_JS = """() => {
    window.__sentEvents = [];
    const emit = window.socket.emit.bind(window.socket);
    window.socket.emit = (name, payload, ...rest) => {
        if (name === 'event') window.__sentEvents.push(payload.id);
        return emit(name, payload, ...rest);
    };
}"""


@dataclass(frozen=True)
class AdminsPhoto:
    project: Project
    item_id: str


@pytest.fixture(scope="module")
def admins_photo(
    browser: Browser,
    browser_context_args: dict[str, Any],
    team: Team,
    make_project: Callable[[str], Project],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AdminsPhoto]:
    """A project with an image that its admin uploaded, in the admin's own browser. The tests here
    change nothing (that is what they check), so they share it."""
    project = make_project("Lighthouse Trust")
    file = tmp_path_factory.mktemp("admins-photo") / "lighthouse.jpg"
    file.write_bytes(images.jpeg(1800, 1200))
    context = browser.new_context(**browser_context_args)
    admin_page = context.new_page()
    sign_in_through_form(admin_page, team.admin, team.password)
    open_library(admin_page, project.library)
    item_id = upload(admin_page, file)
    wait_until_ready(admin_page, item_id)
    context.close()
    yield AdminsPhoto(project=project, item_id=item_id)


def stored_files(server: Server, page: Page, item_id: str) -> set[Path]:
    """Every file stored for the project the item belongs to."""
    source = tile_by_id(page, item_id).locator("img").get_attribute("src") or ""
    project_id = source.split("/")[2]
    return set((server.media_dir / project_id).rglob("*"))


def test_viewer_sees_the_library_without_upload_or_delete(
    page: Page,
    team: Team,
    sign_in: Callable[..., None],
    admins_photo: AdminsPhoto,
    screenshots: Path,
) -> None:
    sign_in(team.viewer)
    open_library(page, admins_photo.project.library)
    expect(page.get_by_role("banner")).to_contain_text("viewer")
    expect(tile_by_id(page, admins_photo.item_id)).to_be_visible()
    expect(upload_zone(page)).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(0)
    screenshot(page, screenshots / "viewer-library.png")

    open_detail(page, admins_photo.item_id)
    expect(page.get_by_test_id("delete")).to_be_disabled()
    expect(page.get_by_test_id("delete-denied")).to_have_text("Only project admins can delete media.")
    expect(page.get_by_test_id("alt-text")).not_to_be_editable()
    expect(page.get_by_text("Viewers cannot change alt text")).to_be_visible()
    screenshot(page, screenshots / "viewer-detail.png")


def test_viewer_cannot_delete_with_a_re_enabled_button(
    page: Page,
    team: Team,
    sign_in: Callable[..., None],
    admins_photo: AdminsPhoto,
) -> None:
    sign_in(team.viewer)
    open_library(page, admins_photo.project.library)
    open_detail(page, admins_photo.item_id)
    original_url = page.locator('.q-dialog a[href^="/media/"]').first.get_attribute("href")
    assert original_url

    delete = page.get_by_test_id("delete")
    expect(delete).to_be_disabled()
    delete.evaluate(ENABLE_BUTTON_JS)
    expect(delete).to_be_enabled()
    page.evaluate(RECORD_SENT_EVENTS_JS)
    delete.click()
    button_id = int((delete.get_attribute("id") or "")[1:])
    page.wait_for_function("(id) => window.__sentEvents.includes(id)", arg=button_id)  # the click went out
    page.wait_for_timeout(1000)  # time for a confirmation the server should never send
    expect(page.get_by_test_id("confirm-delete")).to_have_count(0)
    page.get_by_test_id("close-detail").click()  # the server still answers this page
    expect(page.get_by_test_id("detail-filename")).to_have_count(0)

    page.reload()
    wait_for_library(page)
    expect(tile_by_id(page, admins_photo.item_id)).to_be_visible()
    assert page.request.get(original_url).status == 200


def test_viewer_cannot_upload_through_a_forged_upload_url(
    page: Page,
    team: Team,
    server: Server,
    sign_in: Callable[..., None],
    admins_photo: AdminsPhoto,
) -> None:
    sign_in(team.viewer)
    open_library(page, admins_photo.project.library)
    files_before = stored_files(server, page, admins_photo.item_id)
    client_id = page.evaluate("window.clientId")
    element_ids = page.evaluate(
        "[...document.querySelectorAll('[id]')].map((element) => element.id)"
        ".filter((id) => /^c\\d+$/.test(id)).map((id) => Number(id.slice(1)))"
    )
    urls = [f"/_nicegui/client/{client_id}/upload/{number}" for number in range(max(element_ids) + 10)]
    urls += [f"/_nicegui/client/{uuid4()}/upload/{number}" for number in (1, 42)]
    forged = images.jpeg(640, 480)
    for url in urls:
        response = page.request.post(
            url, multipart={"file": {"name": "forged.jpg", "mimeType": "image/jpeg", "buffer": forged}}
        )
        assert response.status in (403, 404), (url, response.status, response.text())

    page.reload()
    wait_for_library(page)
    expect(page.get_by_test_id("media-count")).to_have_text("1 image")
    expect(tiles(page)).to_have_count(1)
    expect(tile_by_id(page, admins_photo.item_id)).to_be_visible()
    assert stored_files(server, page, admins_photo.item_id) == files_before


def test_nobody_else_can_post_to_an_admins_live_upload_url(
    page: Page,
    browser: Browser,
    browser_context_args: dict[str, Any],
    team: Team,
    server: Server,
    sign_in: Callable[..., None],
    admins_photo: AdminsPhoto,
) -> None:
    """The admin's page is open and its upload URL is known: a viewer's session, or none, is still refused."""
    admin_context = browser.new_context(**browser_context_args)
    admin_page = admin_context.new_page()
    sign_in(team.admin, on=admin_page)
    open_library(admin_page, admins_photo.project.library)
    client_id = admin_page.evaluate("window.clientId")
    element_id = admin_page.get_by_test_id("upload-zone").get_attribute("id")
    assert client_id and element_id
    url = f"{server.base_url}/_nicegui/client/{client_id}/upload/{element_id.removeprefix('c')}"
    forged = {"file": {"name": "forged.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(320, 240)}}

    sign_in(team.viewer)
    open_library(page, admins_photo.project.library)
    assert page.request.post(url, multipart=forged).status == 403
    anonymous = browser.new_context(**browser_context_args)
    assert anonymous.request.post(url, multipart=forged).status == 403
    assert admin_page.request.post(url, multipart=forged).status == 200  # the owner's own session may

    reload_until_counted(page, "2 images")
    anonymous.close()
    admin_context.close()
