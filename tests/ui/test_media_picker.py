import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import Session, select

from nexus_core.media import bulk, folders, upload, variants
from nexus_core.models import MediaItem, MediaStatus, Project, Role
from nexus_core.read_models import MediaItemView
from nexus_ui.components.media_picker import PAGE_SIZE
from tests import images
from tests.factories import admin_of, make_project
from tests.ui.conftest import member_email, sign_in

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


def add_image(
    session: Session, project: Project, filename: str, alt_text: str = "A described picture"
) -> MediaItemView:
    files = [upload.IncomingFile(filename, images.png(16, 12))]
    return upload.upload(session, actor=admin_of(session, project), files=files, alt_text=alt_text)[0]


async def open_picker(user: User, session: Session, project: Project, role: Role = Role.EDITOR) -> None:
    email = member_email(session, project, role)
    await sign_in(user, email, next_path=f"/test/picker/{project.slug}")
    await user.should_see("Open picker")
    user.find(marker="open-picker").click()
    for _ in range(50):  # the dialog opens once its first page is loaded
        if picker_dialog(user).value:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the picker did not open")


def picker_dialog(user: User) -> ui.dialog:
    return user.find(ui.dialog).elements.pop()


async def test_shows_only_this_projects_images(user: User, session: Session, project: Project) -> None:
    add_image(session, project, "harbour.png")
    add_image(session, project, "lighthouse.png")
    add_image(session, make_project(session), "elsewhere.png")
    await open_picker(user, session, project)
    await user.should_see("Showing 2 of 2 images, newest first")
    await user.should_see("harbour.png")
    await user.should_see("lighthouse.png")
    await user.should_not_see("elsewhere.png")
    assert picker_dialog(user).value is True


async def test_search_narrows_by_filename_and_alt_text(
    user: User, session: Session, project: Project
) -> None:
    add_image(session, project, "sunset.png")
    add_image(session, project, "bird.png", alt_text="A red kite over the hills")
    await open_picker(user, session, project)
    user.find(marker="picker-search").type("sun")
    await user.should_see("Showing 1 of 1 image")
    await user.should_not_see("bird.png")
    user.find(marker="picker-search").clear().type("kite")
    await user.should_see("bird.png")
    await user.should_not_see("sunset.png")
    user.find(marker="picker-search").clear().type("nothing like this")
    await user.should_see("No images match “nothing like this”.")


async def test_choose_returns_the_selected_item(user: User, session: Session, project: Project) -> None:
    item = add_image(session, project, "harbour.png")
    await open_picker(user, session, project)
    assert user.find(marker="picker-choose").elements.pop().enabled is False
    user.find(marker=f"picker-tile-{item.id}").click()
    await user.should_see("Selected: harbour.png")
    assert "selected" in user.find(marker=f"picker-tile-{item.id}").elements.pop().classes
    user.find(marker="picker-choose").click()
    await user.should_see(f"picked: {item.id}")
    assert picker_dialog(user).value is False


async def test_double_click_chooses_at_once(user: User, session: Session, project: Project) -> None:
    item = add_image(session, project, "harbour.png")
    await open_picker(user, session, project)
    user.find(marker=f"picker-tile-{item.id}").trigger("dblclick")
    await user.should_see(f"picked: {item.id}")


async def test_cancel_returns_none(user: User, session: Session, project: Project) -> None:
    item = add_image(session, project, "harbour.png")
    await open_picker(user, session, project)
    user.find(marker=f"picker-tile-{item.id}").click()
    user.find(marker="picker-cancel").click()
    await user.should_see("picked: none")


async def test_escape_returns_none(user: User, session: Session, project: Project) -> None:
    add_image(session, project, "harbour.png")
    await open_picker(user, session, project)
    picker_dialog(user).value = False  # what Quasar does on Esc or a click outside
    await user.should_see("picked: none")


async def test_failed_images_cannot_be_chosen(
    user: User, session: Session, project: Project, jobs: object
) -> None:
    item = add_image(session, project, "broken.png")
    variants.mark_failed(session, item_id=item.id, reason="Not a readable image.")
    await open_picker(user, session, project)
    await user.should_see("broken.png")
    user.find(marker=f"picker-tile-{item.id}").click()
    user.find(marker=f"picker-tile-{item.id}").trigger("dblclick")
    await user.should_see("Nothing selected")
    assert user.find(marker="picker-choose").elements.pop().enabled is False
    assert user.find(marker="picked").elements.pop().text == "picked: nothing yet"


async def test_upload_in_the_picker_selects_the_new_image(
    user: User, session: Session, project: Project, jobs: object
) -> None:
    add_image(session, project, "older.png")
    await open_picker(user, session, project)
    upload = user.find(ui.upload).elements.pop()
    await upload.handle_uploads([ui.upload.SmallFileUpload("fresh.png", "image/png", images.png(20, 10))])
    await user.should_see("Selected: fresh.png", retries=20)
    fresh = session.exec(select(MediaItem).where(MediaItem.filename == "fresh.png")).one()
    assert fresh.status == MediaStatus.PENDING  # still selectable: its URL serves the original meanwhile
    assert "selected" in user.find(marker=f"picker-tile-{fresh.id}").elements.pop().classes
    user.find(marker="picker-choose").click()
    await user.should_see("Describe this image")  # a fresh upload has no alt text yet
    user.find(marker="alt-prompt-decorative").click()
    await user.should_see(f"picked: {fresh.id}")


async def test_upload_of_a_scripted_svg_warns_what_was_removed(
    user: User, session: Session, project: Project, jobs: object
) -> None:
    await open_picker(user, session, project)
    upload = user.find(ui.upload).elements.pop()
    drawing = images.svg(body='<script>alert(1)</script><circle r="4" onclick="alert(2)"/>')
    await upload.handle_uploads([ui.upload.SmallFileUpload("logo.svg", "image/svg+xml", drawing)])
    await user.should_see("Selected: logo.svg", retries=20)
    await user.should_see(
        "“logo.svg”: removed 1 script and 1 event handler, which SVG uploads may not contain."
    )


async def test_viewer_sees_no_upload_zone(user: User, session: Session, project: Project) -> None:
    add_image(session, project, "harbour.png")
    await open_picker(user, session, project, Role.VIEWER)
    await user.should_see("harbour.png")
    await user.should_not_see(ui.upload)


async def test_load_more_fetches_the_next_page(
    user: User, session: Session, project: Project, jobs: object
) -> None:
    for number in range(PAGE_SIZE + 1):
        add_image(session, project, f"image-{number:02}.png")
    await open_picker(user, session, project)
    await user.should_see(f"Showing {PAGE_SIZE} of {PAGE_SIZE + 1} images, newest first")
    user.find(marker="picker-load-more").click()
    await user.should_see(f"Showing {PAGE_SIZE + 1} of {PAGE_SIZE + 1} images, newest first")
    assert len(user.find(marker="picker-tile").elements) == PAGE_SIZE + 1
    await user.should_not_see(marker="picker-load-more")


async def choose_undescribed(user: User, session: Session, project: Project) -> MediaItemView:
    item = add_image(session, project, "quay.png", alt_text="")
    await open_picker(user, session, project)
    user.find(marker=f"picker-tile-{item.id}").click()
    user.find(marker="picker-choose").click()
    await user.should_see("Describe this image")
    await user.should_see("“quay.png” has no alt text.")
    return item


def stored_alt_text(session: Session, item: MediaItemView) -> str:
    session.expire_all()
    row = session.get(MediaItem, item.id)
    assert row is not None
    return row.alt_text


async def test_an_image_without_alt_text_is_described_before_it_is_used(
    user: User, session: Session, project: Project
) -> None:
    item = await choose_undescribed(user, session, project)
    user.find(marker="alt-prompt-text").type("Fishing boats tied up at the quay")
    user.find(marker="alt-prompt-save").click()
    await user.should_see(f"picked: {item.id}")
    assert stored_alt_text(session, item) == "Fishing boats tied up at the quay"


async def test_an_image_called_decorative_is_used_without_alt_text(
    user: User, session: Session, project: Project
) -> None:
    item = await choose_undescribed(user, session, project)
    user.find(marker="alt-prompt-decorative").click()
    await user.should_see(f"picked: {item.id}")
    assert stored_alt_text(session, item) == ""


async def test_closing_the_alt_text_question_puts_nothing_on_the_page(
    user: User, session: Session, project: Project
) -> None:
    await choose_undescribed(user, session, project)
    prompt = next(
        dialog
        for dialog in user.find(ui.dialog).elements
        if dialog.value and dialog.props.get("aria-label") == "Describe this image"
    )
    prompt.value = False  # Esc, or a click outside
    await user.should_see("picked: none")


async def test_the_picker_browses_folders_and_filters(user: User, session: Session, project: Project) -> None:
    admin = admin_of(session, project)
    trips = folders.create_folder(session, actor=admin, name="Trips")
    inside = add_image(session, project, "inside.png", alt_text="")
    add_image(session, project, "outside.png")
    bulk.move(session, actor=admin, item_ids=[inside.id], folder=trips.id)
    await open_picker(user, session, project)
    await user.should_see("Showing 2 of 2 images, newest first")
    user.find(marker=f"folder-{trips.id}").click()
    await user.should_see("Showing 1 of 1 image, newest first")
    await user.should_not_see("outside.png")
    user.find(marker="folder-root").click()
    await user.should_see("outside.png")
    await user.should_not_see("inside.png")
    user.find(marker="folder-all").click()
    await user.should_see("Showing 2 of 2 images, newest first")
    user.find(marker="filters-toggle").click()
    user.find(marker="filter-missing_alt").click()
    await user.should_see("Showing 1 of 1 image, newest first")
    await user.should_see("inside.png")


async def test_an_upload_in_the_picker_goes_into_the_folder_shown(
    user: User, session: Session, project: Project, jobs: object
) -> None:
    trips = folders.create_folder(session, actor=admin_of(session, project), name="Trips")
    await open_picker(user, session, project)
    user.find(marker=f"folder-{trips.id}").click()
    await user.should_see("No images in this folder.")
    zone = user.find(ui.upload).elements.pop()
    await zone.handle_uploads([ui.upload.SmallFileUpload("fresh.png", "image/png", images.png(20, 10))])
    await user.should_see("Selected: fresh.png", retries=20)
    fresh = session.exec(select(MediaItem).where(MediaItem.filename == "fresh.png")).one()
    assert fresh.folder_id == trips.id
