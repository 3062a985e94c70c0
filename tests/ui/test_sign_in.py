import pytest
from nicegui.testing import User
from sqlmodel import Session

from nexus_core.models import Project, Role
from tests.ui.conftest import member_email, sign_in

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


async def test_wrong_password_says_so(user: User, session: Session, project: Project) -> None:
    email = member_email(session, project, Role.EDITOR)
    await sign_in(user, email, password="not the password")
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
