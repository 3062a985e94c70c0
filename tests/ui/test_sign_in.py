import httpx
import pytest
from nicegui import core
from nicegui.testing import User
from sqlmodel import Session

from nexus_core.models import Project, Role
from nexus_core.throttle import MAX_FAILURES_PER_ACCOUNT_AND_CLIENT
from tests.ui.conftest import member_email, sign_in

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


async def test_wrong_password_says_so(user: User, session: Session, project: Project) -> None:
    email = member_email(session, project, Role.EDITOR)
    await sign_in(user, email, password="not the password", succeeds=False)
    await user.should_see("Wrong email or password.")


async def test_anonymous_is_sent_to_login_and_back(user: User, session: Session, project: Project) -> None:
    email = member_email(session, project, Role.EDITOR)
    await user.open(f"/admin/{project.slug}/media")
    await user.should_see("Sign in to your media library")
    await sign_in(user, email, next_path=f"/admin/{project.slug}/media")
    await user.should_see("No images yet.")
    await user.should_see(project.name)


async def test_projects_page_lists_memberships(user: User, session: Session, project: Project) -> None:
    email = member_email(session, project, Role.VIEWER)
    await sign_in(user, email)
    await user.should_see("Your projects")
    await user.should_see(project.name)


async def test_non_member_gets_not_found(user: User, session: Session, project: Project) -> None:
    from tests.factories import make_project

    other = make_project(session)
    email = member_email(session, project, Role.ADMIN)
    await sign_in(user, email)
    for slug in (other.slug, "no-such-project"):
        response = await user.http_client.get(f"/admin/{slug}/media")
        assert response.status_code == 404
        assert "Page not found" in response.text
        assert other.name not in response.text


async def test_sign_out_from_the_account_menu(user: User, session: Session, project: Project) -> None:
    email = member_email(session, project, Role.EDITOR)
    await sign_in(user, email, next_path=f"/admin/{project.slug}/media")
    await user.should_see("No images yet.")
    user.find(marker="account-menu").click()
    user.find(marker="sign-out").click()
    await user.should_see("Sign in to your media library")
    await user.open(f"/admin/{project.slug}/media")
    await user.should_see("Sign in to your media library")


async def test_loading_logout_asks_before_signing_out(user: User, session: Session, project: Project) -> None:
    """A link, image or frame on another site that loads /logout must not sign anyone out (logout CSRF)."""
    email = member_email(session, project, Role.EDITOR)
    await sign_in(user, email)
    await user.should_see("Your projects")
    response = await user.http_client.get("/logout")
    assert response.status_code == 200
    await user.open("/")
    await user.should_see("Your projects")
    await user.open("/logout")
    await user.should_see("Sign out?")
    user.find(marker="confirm-sign-out").click()
    await user.should_see("Sign in to your media library")
    await user.open("/")
    await user.should_see("Sign in to your media library")


async def test_an_attacker_elsewhere_cannot_lock_a_member_out(
    user: User, session: Session, project: Project
) -> None:
    """The simulated `user` comes from the ASGI transport's default address; the owner from another one."""
    email = member_email(session, project, Role.ADMIN)
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT):
        await sign_in(user, email, password="a wrong guess", succeeds=False)
        await user.should_see("Wrong email or password.")
    await sign_in(user, email, succeeds=False)
    await user.should_see("Too many failed sign-ins")

    transport = httpx.ASGITransport(core.app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as owner_http:
        owner = User(owner_http)
        await sign_in(owner, email)
        await owner.should_see("Your projects")
        await owner.should_see(project.name)
