import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import Session, select

from nexus_core import accounts, projects
from nexus_core.errors import NotAuthenticated
from nexus_core.models import ApiKey, Project, Role
from nexus_core.models import User as Account
from tests.factories import admin_of
from tests.ui.conftest import member_email, sign_in
from tests.ui.test_members import choose

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


def account(session: Session, email: str) -> Account:
    return session.exec(select(Account).where(Account.email == email)).one()


def stored_keys(session: Session) -> list[ApiKey]:
    session.expire_all()
    return list(session.exec(select(ApiKey)))


async def open_api_keys(user: User, project: Project, email: str) -> None:
    await sign_in(user, email, next_path=f"/admin/{project.slug}/api-keys")
    await user.should_see("Keys let sites and scripts use the JSON API")


async def create_key(user: User, name: str) -> str:
    user.find(marker="key-name").type(name)
    user.find(marker="create-key").click()
    await user.should_see("Your new API key")
    (token_label,) = user.find(marker="new-token").elements
    assert isinstance(token_label, ui.label)
    return token_label.text


async def test_admin_creates_a_key_sees_its_token_once_and_revokes_it(
    user: User, session: Session, project: Project
) -> None:
    admin = member_email(session, project, Role.ADMIN)
    await open_api_keys(user, project, admin)
    await user.should_see(marker="no-keys")

    token = await create_key(user, "Website build")
    await user.should_see("it won't be shown again")
    (key,) = stored_keys(session)
    assert token.startswith(f"nx_{key.prefix}_")
    assert accounts.actor_for_api_token(session, token).user_id == account(session, admin).id

    user.find(marker="token-done").click()
    await user.should_not_see(token)
    await user.should_see("Website build")
    await user.should_see(f"nx_{key.prefix}_…")
    await user.should_see(marker=f"status-{key.prefix}", content="Active")

    user.find(marker=f"revoke-{key.prefix}").click()
    await user.should_see("Revoke “Website build”")
    user.find(marker="confirm-revoke").click()
    await user.should_see(marker=f"status-{key.prefix}", content="Revoked")
    await user.should_not_see(marker=f"revoke-{key.prefix}")
    session.expire_all()
    with pytest.raises(NotAuthenticated):
        accounts.actor_for_api_token(session, token)


async def test_admin_creates_a_key_for_another_member(user: User, session: Session, project: Project) -> None:
    admin = member_email(session, project, Role.ADMIN)
    editor = member_email(session, project, Role.EDITOR)
    await open_api_keys(user, project, admin)
    choose(user, select="key-owner", within="create-key-form", label=f"{editor} · editor")
    token = await create_key(user, "")
    actor = accounts.actor_for_api_token(session, token)
    assert (actor.user_id, actor.role) == (account(session, editor).id, Role.EDITOR)
    user.find(marker="token-done").click()
    await user.should_see("Untitled")
    await user.should_see(editor, marker="key-row")


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
async def test_non_admin_sees_only_the_note(
    user: User, session: Session, project: Project, role: Role
) -> None:
    email = member_email(session, project, role)
    admin = admin_of(session, project)
    accounts.issue_api_key(session, project_id=admin.project_id, user_id=admin.user_id, name="Existing key")
    await open_api_keys(user, project, email)
    await user.should_see("Only project admins can manage API keys.")
    for hidden in ("create-key-form", "create-key", "key-row"):
        await user.should_not_see(marker=hidden)
    await user.should_not_see("Existing key")


async def test_admin_demoted_after_opening_the_page_cannot_revoke(
    user: User, session: Session, project: Project
) -> None:
    admin = account(session, member_email(session, project, Role.ADMIN))
    issued = accounts.issue_api_key(session, project_id=project.id, user_id=admin.id)
    await open_api_keys(user, project, admin.email)
    await user.should_see(marker=f"revoke-{issued.key.prefix}")
    projects.change_role(session, actor=admin_of(session, project), user_id=admin.id, role=Role.EDITOR)

    user.find(marker=f"revoke-{issued.key.prefix}").click()
    await user.should_see(marker="confirm-revoke")
    user.find(marker="confirm-revoke").click()
    await user.should_see("Your role (editor) cannot manage API keys")
    await user.should_see("Only project admins can manage API keys.")
    assert [key.revoked_at for key in stored_keys(session)] == [None]


async def test_admin_demoted_after_opening_the_page_cannot_create(
    user: User, session: Session, project: Project
) -> None:
    admin = account(session, member_email(session, project, Role.ADMIN))
    await open_api_keys(user, project, admin.email)
    projects.change_role(session, actor=admin_of(session, project), user_id=admin.id, role=Role.VIEWER)

    user.find(marker="create-key").click()
    await user.should_see("Your role (viewer) cannot manage API keys")
    await user.should_see("Only project admins can manage API keys.")
    await user.should_not_see("Your new API key")
    assert stored_keys(session) == []
