"""Writing a page: the hero image field, images in the rich-text body (picked, dropped, slash
command), saving and autosave, publishing for everyone, the warning before leaving unsaved work,
and deleting an image that a page uses."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route, expect

from tests import images
from tests.e2e.conftest import Project, Team
from tests.e2e.library import (
    notification,
    open_detail,
    open_library,
    screenshot,
    sign_in_through_form,
    tile_by_id,
    upload,
    wait_for_library,
    wait_until_ready,
)
from tests.e2e.pages_helpers import (
    ITEM_ID,
    LibraryImage,
    body,
    choose_in_picker,
    create_page,
    drop_on_editor,
    library_image,
    open_editor,
    pages_list_path,
    save_state,
    wait_for,
    wait_for_editor,
    wait_until_loaded,
)

SAVED = "All changes saved"
UNSAVED = "Unsaved changes"
# The editor saves by itself 2 s after the last change; a little more for the round trips.
AUTOSAVE_TIMEOUT_MS = 8_000


@dataclass(frozen=True)
class Gallery:
    """A project whose library holds three processed photos with alt text."""

    project: Project
    harbour: LibraryImage  # 2400 px wide: fields and inserted images use its `large` variant
    lighthouse: LibraryImage  # 1200 px wide: no `large` variant, so the original
    dunes: LibraryImage  # 2000 px wide


PHOTOS = {
    "harbour": ("harbour.jpg", 2400, 1600, "Fishing boats moored at the harbour wall"),
    "lighthouse": ("lighthouse.jpg", 1200, 800, "A white lighthouse on the cliff at dawn"),
    "dunes": ("dunes.jpg", 2000, 1250, "Grass on the sand dunes behind the beach"),
}


def set_alt_text(page: Page, item_id: str, alt_text: str) -> None:
    """In the open library: the detail panel's alt text, which saves itself."""
    open_detail(page, item_id)
    page.get_by_test_id("alt-text").fill(alt_text)
    expect(page.get_by_test_id("alt-saved")).to_have_text("Saved")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("detail-filename")).to_have_count(0)


@pytest.fixture(scope="module")
def gallery(
    browser: Browser,
    browser_context_args: dict[str, Any],
    team: Team,
    make_project: Callable[[str], Project],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Gallery]:
    """Uploaded by the admin in their own browser and described in the detail panel."""
    project = make_project("Coastal Journal")
    folder = tmp_path_factory.mktemp("gallery")
    context = browser.new_context(**browser_context_args)
    admin_page = context.new_page()
    sign_in_through_form(admin_page, team.admin, team.password)
    open_library(admin_page, project.library)
    uploaded: dict[str, str] = {}
    for key, (filename, width, height, _alt_text) in PHOTOS.items():
        file = folder / filename
        file.write_bytes(images.jpeg(width, height))
        uploaded[key] = upload(admin_page, file)
    found: dict[str, LibraryImage] = {}
    for key, (filename, width, _height, alt_text) in PHOTOS.items():
        found[key] = library_image(admin_page, uploaded[key], filename, alt_text, width)
        set_alt_text(admin_page, uploaded[key], alt_text)
    context.close()
    yield Gallery(project=project, **found)


def body_images(page: Page) -> list[dict[str, str | None]]:
    return (
        body(page)
        .locator("img")
        .evaluate_all(
            "(images) => images.map((image) => ({src: image.getAttribute('src'),"
            " alt: image.getAttribute('alt'), mediaId: image.dataset.mediaId ?? null}))"
        )
    )


def test_hero_image_select_change_and_remove(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None]
) -> None:
    sign_in(team.editor)
    create_page(page, gallery.project, "Harbour in winter")
    select = page.get_by_test_id("select-hero_image")
    preview = page.get_by_test_id("image-field-preview")
    expect(select).to_have_text(re.compile("Select image"))
    expect(preview).to_have_count(0)

    select.click()
    choose_in_picker(page, gallery.harbour)
    # The hero field is 16:9: it shows the item's 16:9 crop, as the published page will.
    expect(preview).to_have_attribute("src", gallery.harbour.hero_url)
    assert wait_until_loaded(preview) == 1600
    expect(select).to_have_count(0)
    expect(save_state(page)).to_have_text(re.compile(rf"{UNSAVED}|Saving…|{SAVED}"))

    # Change and Remove are shown without any hover: a tap or a keyboard has none.
    change, remove = page.get_by_test_id("change-hero_image"), page.get_by_test_id("remove-hero_image")
    page.mouse.move(0, 0)
    expect(change).to_be_visible()
    expect(remove).to_be_visible()
    change.click()
    choose_in_picker(page, gallery.lighthouse)
    expect(preview).to_have_attribute("src", gallery.lighthouse.hero_url)
    assert wait_until_loaded(preview) == 1200  # its 16:9 box: 1200 × 675

    page.get_by_test_id("save-page").click()
    expect(save_state(page)).to_have_text(SAVED)
    page.reload()
    wait_for_editor(page)
    expect(preview).to_have_attribute("src", gallery.lighthouse.hero_url)

    remove.click()
    expect(preview).to_have_count(0)
    expect(select).to_be_visible()
    page.get_by_test_id("save-page").click()
    expect(save_state(page)).to_have_text(SAVED)
    page.reload()
    wait_for_editor(page)
    expect(select).to_be_visible()
    expect(preview).to_have_count(0)


def test_dropped_image_files_upload_into_the_body(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None], screenshots: Path
) -> None:
    sign_in(team.editor)
    create_page(page, gallery.project, "Notes from the quay")
    body(page).click()
    page.keyboard.type("Photos from the quay, straight from the camera.")

    held: list[Route] = []

    def hold(route: Route) -> None:  # keep the upload waiting, to see its placeholder
        held.append(route)

    page.route("**/tiptap/*/upload", hold)
    drop_on_editor(page, "quay at dusk.jpg", images.jpeg(1200, 800))
    image = body(page).locator("img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("alt", "Uploading quay at dusk.jpg…")
    expect(image).to_have_attribute("src", re.compile(r"^blob:"))
    style = image.evaluate("(image) => [getComputedStyle(image).opacity, getComputedStyle(image).filter]")
    assert style == ["0.5", "grayscale(1)"], style  # greyed out while it uploads
    wait_for(page, lambda: held, "the upload request")
    screenshot(page, screenshots / "page-editor-uploading.png")
    held[0].continue_()
    page.unroute("**/tiptap/*/upload")

    expect(image).to_have_attribute(
        "src", re.compile(rf"^/media/{gallery.harbour.project_id}/{ITEM_ID}\.jpg$")
    )
    expect(image).to_have_attribute("alt", "")
    expect(image).to_have_attribute("data-media-id", re.compile(ITEM_ID))
    assert wait_until_loaded(image) == 1200

    fake_jpeg = b"Shopping list: bread, milk, film for the camera.\n" * 20
    drop_on_editor(page, "notes.jpg", fake_jpeg)
    expect(notification(page, re.compile(r"“notes\.jpg” is not a supported image"))).to_be_visible()
    expect(image).to_have_count(1)  # the placeholder of the refused file is gone
    expect(body(page).locator('img[src^="blob:"]')).to_have_count(0)

    page.get_by_test_id("save-page").click()
    expect(save_state(page)).to_have_text(SAVED)
    page.reload()
    wait_for_editor(page)
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("src", re.compile(rf"^/media/.+/{ITEM_ID}\.jpg$"))
    assert wait_until_loaded(image) == 1200


def test_a_dropped_svg_is_cleaned_and_the_author_told(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None]
) -> None:
    scripted = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80" onload="alert(1)">'
        b'<script>alert(1)</script><rect width="120" height="80" fill="#0a7"/></svg>'
    )
    sign_in(team.editor)
    create_page(page, gallery.project, "Badges")
    body(page).click()
    drop_on_editor(page, "badge.svg", scripted, "image/svg+xml")
    told = re.compile(r"“badge\.svg”: removed 1 script and 1 event handler")
    expect(notification(page, told)).to_be_visible()
    image = body(page).locator("img")
    expect(image).to_have_attribute("src", re.compile(rf"^/media/.+/{ITEM_ID}\.svg$"))
    served = page.request.get(image.get_attribute("src") or "")
    assert served.status == 200
    assert b"<rect" in served.body()
    assert b"script" not in served.body() and b"onload" not in served.body()


def test_toolbar_and_slash_command_insert_library_images(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None]
) -> None:
    sign_in(team.editor)
    create_page(page, gallery.project, "Three walks along the coast")
    body(page).click()
    page.keyboard.type("The first walk starts at the harbour.")

    page.get_by_test_id("tool-image").click()
    choose_in_picker(page, gallery.harbour)
    harbour = body(page).locator(f'img[data-media-id="{gallery.harbour.item_id}"]')
    expect(harbour).to_have_attribute("src", gallery.harbour.field_url)
    # No alt text for this page: the item's own, read out in the editor too (and followed when it changes).
    expect(harbour).to_have_attribute("alt", gallery.harbour.alt_text)

    body(page).locator("p").last.click()  # the empty line under the image
    page.keyboard.type("The second climbs to the lighthouse. /")
    menu = page.get_by_test_id("slash-menu")
    expect(menu).to_be_visible()
    page.keyboard.type("ima")
    expect(menu.locator("button[data-command]")).to_have_count(1)
    menu.locator("button[data-command=image]").click()
    choose_in_picker(page, gallery.lighthouse)
    lighthouse = body(page).locator(f'img[data-media-id="{gallery.lighthouse.item_id}"]')
    expect(lighthouse).to_have_attribute("src", gallery.lighthouse.field_url)
    expect(lighthouse).to_have_attribute("alt", gallery.lighthouse.alt_text)
    expect(menu).to_have_count(0)
    expect(body(page)).not_to_contain_text("/ima")

    for image in (harbour, lighthouse):
        assert wait_until_loaded(image) > 0
    page.get_by_test_id("save-page").click()
    expect(save_state(page)).to_have_text(SAVED)
    page.reload()
    wait_for_editor(page)
    assert body_images(page) == [
        {
            "src": gallery.harbour.field_url,
            "alt": gallery.harbour.alt_text,
            "mediaId": gallery.harbour.item_id,
        },
        {
            "src": gallery.lighthouse.field_url,
            "alt": gallery.lighthouse.alt_text,
            "mediaId": gallery.lighthouse.item_id,
        },
    ]
    expect(body(page).locator("img[data-item-alt]")).to_have_count(2)  # saved without an alt of their own


def test_alt_text_for_this_page_in_the_hero_field_and_on_a_body_image_shows_on_the_published_page(
    page: Page,
    team: Team,
    gallery: Gallery,
    sign_in: Callable[..., None],
    new_context: Callable[..., BrowserContext],
) -> None:
    sign_in(team.editor)
    create_page(page, gallery.project, "Boats and lights")
    page.get_by_test_id("select-hero_image").click()
    choose_in_picker(page, gallery.harbour)
    hero_alt = page.get_by_test_id("image-field-hero_image").get_by_label("Alt text for this page")
    expect(hero_alt).to_have_attribute("placeholder", gallery.harbour.alt_text)  # empty: the item's own
    hero_alt.fill("Red and blue boats tied up in the harbour")

    body(page).click()
    page.get_by_test_id("tool-image").click()
    choose_in_picker(page, gallery.lighthouse)
    alt_button = page.get_by_test_id("tool-image-alt")
    expect(alt_button).to_be_disabled()  # the cursor is under the image, not on it
    body(page).locator(f'img[data-media-id="{gallery.lighthouse.item_id}"]').click()
    expect(alt_button).to_be_enabled()
    alt_button.click()
    dialog = page.get_by_role("dialog")
    image_alt = dialog.get_by_role("textbox", name="Alt text for this page")
    expect(image_alt).to_be_focused()
    expect(image_alt).to_have_attribute("placeholder", gallery.lighthouse.alt_text)
    page.keyboard.type("The lighthouse, seen from the beach")
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    lighthouse = body(page).locator(f'img[data-media-id="{gallery.lighthouse.item_id}"]')
    expect(lighthouse).to_have_attribute("alt", "The lighthouse, seen from the beach")

    page.get_by_test_id("save-page").click()
    expect(save_state(page)).to_have_text(SAVED)
    page.get_by_test_id("publish-page").click()
    expect(page.get_by_test_id("page-status")).to_have_text("Published")
    reader = new_context().new_page()
    reader.goto(page.get_by_test_id("view-page").get_attribute("href") or "")
    hero = reader.locator('section[data-field="hero_image"] img')
    expect(hero).to_have_attribute("alt", "Red and blue boats tied up in the harbour")
    in_body = reader.locator('section[data-field="body"] img')
    expect(in_body).to_have_attribute("alt", "The lighthouse, seen from the beach")
    expect(in_body).to_have_attribute("data-media-id", gallery.lighthouse.item_id)


def test_typing_on_after_inserting_an_image_keeps_it(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None]
) -> None:
    sign_in(team.editor)
    create_page(page, gallery.project, "Straight on after the picture")
    body(page).click()
    page.keyboard.type("Above the picture.")
    page.get_by_test_id("tool-image").click()
    choose_in_picker(page, gallery.dunes)
    dunes = body(page).locator(f'img[data-media-id="{gallery.dunes.item_id}"]')
    expect(dunes).to_have_count(1)
    page.keyboard.type("Below the picture.")
    expect(body(page)).to_contain_text("Below the picture.")
    expect(dunes).to_have_count(1)


@pytest.mark.production_flow
def test_save_autosave_publish_and_the_public_page(
    page: Page,
    team: Team,
    gallery: Gallery,
    sign_in: Callable[..., None],
    new_context: Callable[..., BrowserContext],
    screenshots: Path,
) -> None:
    project = gallery.project
    sign_in(team.editor)
    page_id = create_page(page, project, "Winter at the harbour")
    page.get_by_test_id("select-hero_image").click()
    choose_in_picker(page, gallery.harbour)
    summary = "A cold week by the sea: boats, dunes and one very bright lighthouse."
    page.get_by_test_id("field-summary").fill(summary)
    body(page).click()
    page.keyboard.type("The boats came in early on Monday.")
    page.get_by_test_id("tool-image").click()
    choose_in_picker(page, gallery.dunes)
    body(page).locator("p").last.click()
    page.keyboard.type("By Friday the quay was quiet again.")
    drop_on_editor(page, "quay at dusk.jpg", images.jpeg(1200, 800), onto=body(page).locator("p").last)
    uploaded = body(page).locator(f'img:not([data-media-id="{gallery.dunes.item_id}"])')
    expect(uploaded).to_have_attribute("src", re.compile(rf"^/media/.+/{ITEM_ID}\.jpg$"))
    dropped_id = uploaded.get_attribute("data-media-id")
    assert dropped_id and re.fullmatch(ITEM_ID, dropped_id)

    # Save with the button: everything is there after a reload.
    page.get_by_test_id("save-page").click()
    expect(save_state(page)).to_have_text(SAVED)
    page.reload()
    wait_for_editor(page)
    expect(page.get_by_test_id("image-field-preview")).to_have_attribute("src", gallery.harbour.hero_url)
    expect(page.get_by_test_id("field-summary")).to_have_value(summary)
    expect(body(page).locator("img")).to_have_count(2)
    for image in body(page).locator("img").all():
        assert wait_until_loaded(image) > 0
    page.evaluate("window.scrollTo(0, 0)")  # the app's header is fixed: draw it at the top
    screenshot(page, screenshots / "page-editor.png")

    # Autosave: change the title and wait, without pressing Save.
    title = page.get_by_test_id("field-title")
    title.fill("Winter at the harbour, a week of boats")
    expect(save_state(page)).to_have_text(UNSAVED)
    expect(save_state(page)).to_have_text(SAVED, timeout=AUTOSAVE_TIMEOUT_MS)
    page.reload()
    wait_for_editor(page)
    expect(title).to_have_value("Winter at the harbour, a week of boats")
    page_slug = page.get_by_test_id("field-slug").input_value()
    assert page_slug == "winter-at-the-harbour"

    # The dropped photo: described in the library while it is processed.
    open_library(page, project.library)
    wait_until_ready(page, dropped_id)
    set_alt_text(page, dropped_id, "The empty quay at dusk")

    open_editor(page, project, page_id)
    publish = page.get_by_test_id("publish-page")
    expect(publish).to_have_text(re.compile("Publish"))
    publish.click()
    expect(notification(page, "Published")).to_be_visible()
    expect(page.get_by_test_id("page-status")).to_have_text("Published")
    public_path = f"/p/{project.slug}/{page_slug}"
    expect(page.get_by_test_id("view-page")).to_have_attribute("href", public_path)

    # Anyone can read it, signed in or not.
    reader = new_context().new_page()
    response = reader.goto(public_path)
    assert response is not None and response.status == 200
    expect(reader.locator("h1")).to_have_text("Winter at the harbour, a week of boats")
    expect(reader.locator('section[data-field="summary"]')).to_have_text(summary)
    hero = reader.locator('section[data-field="hero_image"] img')
    in_body = reader.locator('section[data-field="body"] img')
    expect(hero).to_have_count(1)
    expect(in_body).to_have_count(2)
    hero_16x9 = gallery.harbour.field_url.replace("_large.", "_16x9_large.")
    expected = [
        # The template's hero is 16:9: its renditions are cropped to that aspect (1600 × 900 of 2400 × 1600).
        (hero, hero_16x9, gallery.harbour.alt_text, ("1600", "900")),
        (in_body.nth(0), gallery.dunes.field_url, gallery.dunes.alt_text, ("2000", "1250")),
        (in_body.nth(1), None, "The empty quay at dusk", ("1200", "800")),
    ]
    for image, source, alt_text, (width, height) in expected:
        if source:
            expect(image).to_have_attribute("src", source)
        expect(image).to_have_attribute("alt", alt_text)
        expect(image).to_have_attribute("width", width)
        expect(image).to_have_attribute("height", height)
        if image is hero:  # the page's first image: fetched at once, first
            expect(image).to_have_attribute("fetchpriority", "high")
            expect(image).not_to_have_attribute("loading", "lazy")
        else:
            expect(image).to_have_attribute("loading", "lazy")
        expect(image).to_have_attribute("srcset", re.compile(r"^/media/\S+ \d+w(, /media/\S+ \d+w)+$"))
        expect(image).to_have_attribute("sizes", re.compile(r"\S"))
    for image in reader.locator("img").all():
        source = image.get_attribute("src") or ""
        assert source.startswith("/media/"), source
        srcset = image.get_attribute("srcset") or ""
        for url in [source, *(candidate.split()[0] for candidate in srcset.split(", "))]:
            file = reader.request.get(url)
            assert file.status == 200, (url, file.status)
            assert file.headers["content-type"] == "image/jpeg", url
        assert wait_until_loaded(image) > 0, source
    screenshot(reader, screenshots / "published-page.png")

    # Unpublished, it is gone for readers.
    publish.click()
    expect(notification(page, "Unpublished")).to_be_visible()
    expect(page.get_by_test_id("page-status")).to_have_text("Draft")
    expect(page.get_by_test_id("view-page")).to_be_hidden()
    response = reader.goto(public_path)
    assert response is not None and response.status == 404


def test_leaving_with_unsaved_changes_asks_first(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None]
) -> None:
    sign_in(team.editor)
    create_page(page, gallery.project, "Tide tables")
    editor_path = page.url
    dialogs: list[str] = []

    def stay(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    title = page.get_by_test_id("field-title")
    title.click()
    page.keyboard.press("End")
    page.keyboard.type(" for March")
    expect(save_state(page)).to_have_text(UNSAVED)
    page.get_by_test_id("nav-pages").click()  # at once, before the autosave
    wait_for(page, lambda: dialogs, "the warning before leaving")
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(editor_path)
    expect(title).to_have_value("Tide tables for March")

    # Once saved, leaving asks nothing.
    expect(save_state(page)).to_have_text(SAVED, timeout=AUTOSAVE_TIMEOUT_MS)
    page.get_by_test_id("nav-pages").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(pages_list_path(gallery.project))}$"))
    expect(page.get_by_test_id("page-row").filter(has_text="Tide tables for March")).to_have_count(1)
    assert dialogs == ["beforeunload"]


def test_deleting_an_image_a_page_uses_names_the_page(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None], tmp_path: Path, screenshots: Path
) -> None:
    project = gallery.project
    file = tmp_path / "pier.jpg"
    file.write_bytes(images.jpeg(1600, 1000))
    sign_in(team.admin)
    open_library(page, project.library)
    pier = library_image(page, upload(page, file), "pier.jpg", "", 1600)
    create_page(page, project, "The old pier")
    page.get_by_test_id("select-hero_image").click()
    choose_in_picker(page, pier)
    page.get_by_test_id("save-page").click()
    expect(save_state(page)).to_have_text(SAVED)

    open_library(page, project.library)
    open_detail(page, pier.item_id)
    used_in = page.get_by_test_id("used-in").get_by_role("link")
    expect(used_in).to_have_count(1)
    expect(used_in).to_have_accessible_name("The old pier")
    page.get_by_test_id("delete").click()
    expect(page.get_by_text("Delete “pier.jpg”?")).to_be_visible()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_text("This image is in use")).to_be_visible()
    message = page.get_by_test_id("confirm-message")
    expect(message).to_contain_text("The old pier")
    expect(message).to_contain_text("pier.jpg")
    screenshot(page, screenshots / "delete-image-in-use.png")

    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("This image is in use")).to_have_count(0)
    assert page.request.get(pier.url()).status == 200
    page.reload()
    wait_for_library(page)
    expect(tile_by_id(page, pier.item_id)).to_have_count(1)

    open_detail(page, pier.item_id)
    page.get_by_test_id("delete").click()
    page.get_by_test_id("confirm-delete").click()
    page.get_by_role("button", name="Delete anyway").click()
    expect(notification(page, "Deleted “pier.jpg”")).to_be_visible()
    assert page.request.get(pier.url()).status == 404
    assert page.request.get(pier.url("medium")).status == 404
    page.reload()
    wait_for_library(page)
    expect(tile_by_id(page, pier.item_id)).to_have_count(0)


def test_an_image_still_uploading_is_not_saved_as_its_placeholder(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None]
) -> None:
    sign_in(team.editor)
    create_page(page, gallery.project, "Slow connection")
    body(page).click()
    page.keyboard.type("A big photo is on its way.")
    held: list[Route] = []

    def hold(route: Route) -> None:  # a slow upload
        held.append(route)

    page.route("**/tiptap/*/upload", hold)
    drop_on_editor(page, "big harbour.jpg", images.jpeg(1200, 800))
    wait_for(page, lambda: held, "the upload request")
    page.wait_for_timeout(4_000)  # longer than the autosave delay
    elsewhere = page.context.new_page()
    open_editor(elsewhere, gallery.project, page.url.rsplit("/", 1)[-1])
    stored = body_images(elsewhere)
    elsewhere.close()
    held[0].continue_()
    assert not [image for image in stored if (image["src"] or "").startswith("blob:")], stored
    expect(save_state(page)).not_to_have_text(SAVED)


def test_the_toolbar_stays_in_sight_while_scrolling_a_long_body(
    page: Page, team: Team, gallery: Gallery, sign_in: Callable[..., None]
) -> None:
    sign_in(team.editor)
    create_page(page, gallery.project, "A long read")
    body(page).click()
    for paragraph in range(40):
        page.keyboard.type(f"Paragraph {paragraph + 1} of a long read.")
        page.keyboard.press("Enter")
    body(page).locator("p").nth(30).scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    bold = page.get_by_test_id("tool-bold")
    box = bold.bounding_box()
    assert box is not None
    hit = page.evaluate(
        "([x, y]) => { const found = document.elementFromPoint(x, y);"
        " return found?.closest('[data-testid]')?.dataset.testid ?? found?.tagName ?? null; }",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit == "tool-bold", f"the toolbar is covered by {hit!r}"
