"""Pages list and page editor, driven through the UI with NiceGUI's simulated user."""

from __future__ import annotations

import pytest
from nicegui.testing import User
from sqlmodel import Session, select

from nexus_core.content import pages
from nexus_core.media import upload
from nexus_core.models import Page, PageStatus, Project, Role
from nexus_core.models import User as Account
from nexus_core.projects import actor_for
from tests import images
from tests.factories import admin_of
from tests.ui.conftest import member_email, sign_in

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


def make_page(session: Session, project: Project, title: str = "Launch") -> Page:
    owner = session.exec(select(Account)).first()
    assert owner is not None
    actor = actor_for(session, user_id=owner.id, project_id=project.id)
    return pages.create_page(session, actor=actor, title=title)


async def test_editor_creates_a_page_from_the_list(user: User, session: Session, project: Project) -> None:
    await sign_in(user, member_email(session, project, Role.EDITOR), next_path=f"/admin/{project.slug}/pages")
    await user.should_see("No pages yet.")
    user.find(marker="new-page").click()
    user.find(marker="new-page-title").type("Spring launch")
    user.find(marker="create-page").click()
    await user.should_see(marker="field-title")  # the editor of the new page
    created = session.exec(select(Page).where(Page.project_id == project.id)).one()
    assert (created.title, created.slug, created.status) == (
        "Spring launch",
        "spring-launch",
        PageStatus.DRAFT,
    )


async def test_saving_and_publishing(user: User, session: Session, project: Project) -> None:
    page = make_page(session, project)
    await sign_in(
        user, member_email(session, project, Role.EDITOR), next_path=f"/admin/{project.slug}/pages/{page.id}"
    )
    await user.should_see(marker="field-title")
    user.find(marker="field-title").clear().type("Launch day")
    user.find(marker="save-page").click()
    await user.should_see(
        "All changes saved", retries=60
    )  # the simulated browser never answers; 3 s fallback
    user.find(marker="publish-page").click()
    await user.should_see("Published", retries=60)
    session.expire_all()
    stored = session.get(Page, page.id)
    assert stored is not None
    assert (stored.title, stored.status) == ("Launch day", PageStatus.PUBLISHED)


async def test_a_refused_save_is_explained(user: User, session: Session, project: Project) -> None:
    page = make_page(session, project)
    await sign_in(
        user, member_email(session, project, Role.ADMIN), next_path=f"/admin/{project.slug}/pages/{page.id}"
    )
    await user.should_see(marker="field-slug")
    user.find(marker="field-slug").clear().type("Not a slug!")
    user.find(marker="save-page").click()
    await user.should_see("is not a valid slug", retries=60)
    session.expire_all()
    assert session.get(Page, page.id).slug == "launch"


async def test_viewer_reads_but_cannot_edit(user: User, session: Session, project: Project) -> None:
    page = make_page(session, project)
    await sign_in(user, member_email(session, project, Role.VIEWER), next_path=f"/admin/{project.slug}/pages")
    await user.should_see("Launch")
    await user.should_not_see(marker="new-page")
    await user.open(f"/admin/{project.slug}/pages/{page.id}")
    await user.should_see(marker="field-title")
    await user.should_not_see(marker="save-page")
    await user.should_not_see(marker="publish-page")


async def test_unknown_page_is_not_found(user: User, session: Session, project: Project) -> None:
    await sign_in(user, member_email(session, project, Role.ADMIN))
    response = await user.http_client.get(f"/admin/{project.slug}/pages/01a21500-0000-7000-8000-000000000000")
    assert response.status_code == 404


def page_with_hero(session: Session, project: Project, alt: str = "") -> Page:
    """A page whose hero image is a described item, with `alt` as this page's own alt text."""
    actor = admin_of(session, project)
    files = [upload.IncomingFile("pier.png", images.png(16, 12))]
    item = upload.upload(session, actor=actor, files=files, alt_text="The pier at dawn")[0]
    page = pages.create_page(session, actor=actor, title="Harbour")
    pages.save_page(
        session,
        actor=actor,
        page_id=page.id,
        title=page.title,
        slug=page.slug,
        template_data={"hero_image": {"media_id": str(item.id), "alt": alt}},
        body_json=None,
    )
    return page


async def test_the_image_fields_alt_text_for_this_page_is_saved(
    user: User, session: Session, project: Project
) -> None:
    page = page_with_hero(session, project)
    await sign_in(
        user, member_email(session, project, Role.EDITOR), next_path=f"/admin/{project.slug}/pages/{page.id}"
    )
    await user.should_see(marker="alt-hero_image")
    alt = user.find(marker="alt-hero_image").elements.pop()
    assert (alt.value, alt.props["placeholder"]) == ("", "The pier at dawn")  # empty: the item's own
    user.find(marker="alt-hero_image").type("Boats moored at the pier")
    user.find(marker="save-page").click()
    await user.should_see("All changes saved", retries=60)
    session.expire_all()
    stored = session.get(Page, page.id)
    assert stored is not None
    assert stored.template_data["hero_image"]["alt"] == "Boats moored at the pier"


async def test_a_viewer_sees_the_alt_text_for_this_page_but_cannot_change_it(
    user: User, session: Session, project: Project
) -> None:
    page = page_with_hero(session, project, alt="Boats")
    await sign_in(
        user, member_email(session, project, Role.VIEWER), next_path=f"/admin/{project.slug}/pages/{page.id}"
    )
    await user.should_see(marker="alt-hero_image")
    alt = user.find(marker="alt-hero_image").elements.pop()
    assert alt.value == "Boats" and alt.props.get("readonly") is True
