"""UI tests with NiceGUI's simulated `user` (run as their own pytest process; see ./dev)."""

from __future__ import annotations

import pytest
from nicegui.testing import User
from sqlmodel import Session

from nexus_core.models import Project, Role
from nexus_core.models import User as Account
from tests.factories import PASSWORD, make_member, make_project

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


async def sign_in(
    user: User, email: str, password: str = PASSWORD, next_path: str = "/", *, succeeds: bool = True
) -> None:
    await user.open(f"/login?next={next_path}")
    user.find("Email").type(email)
    user.find("Password").type(password)
    user.find(marker="sign-in").click()
    if succeeds:  # the password check runs off the event loop: wait until it let the person in
        await user.should_not_see(marker="sign-in", retries=200)  # up to 10 s: a cold first sign-in


def member_email(session: Session, project: Project, role: Role) -> str:
    actor = make_member(session, project, role)
    account = session.get(Account, actor.user_id)
    assert account is not None
    return account.email


@pytest.fixture
def project(session: Session) -> Project:
    return make_project(session)
