import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import Session, col, select

from nexus_core import projects
from nexus_core.models import Membership, Project, Role
from nexus_core.models import User as Account
from tests.factories import admin_of, make_project, make_user
from tests.ui.conftest import member_email, sign_in

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


def stored_role(session: Session, project: Project, email: str) -> Role | None:
    session.expire_all()
    membership = session.exec(
        select(Membership)
        .join(Account, col(Account.id) == Membership.user_id)
        .where(Membership.project_id == project.id, Account.email == email)
    ).first()
    return None if membership is None else Role(membership.role)


async def open_members(user: User, project: Project, email: str) -> None:
    await sign_in(user, email, next_path=f"/admin/{project.slug}/members")
    await user.should_see(marker=f"member-{email}")


def choose(user: User, *, select: str, within: str, label: str) -> None:
    """Open a select and click one of its options, as a person would."""
    user.find(marker=select).click()
    with user.scope(marker=within):
        user.find(label).click()


async def test_admin_adds_a_member_and_sees_them_listed(
    user: User, session: Session, project: Project
) -> None:
    admin = member_email(session, project, Role.ADMIN)
    newcomer = make_user(session, "newcomer@example.com")
    await open_members(user, project, admin)
    user.find(marker="new-member-email").type(" NewComer@example.com")
    choose(user, select="new-member-role", within="add-member-form", label="Viewer")
    user.find(marker="add-member").click()
    await user.should_see("Added NewComer@example.com as viewer")
    await user.should_see(marker=f"member-{newcomer.email}")
    assert stored_role(session, project, newcomer.email) is Role.VIEWER


async def test_unknown_email_is_explained_and_kept(user: User, session: Session, project: Project) -> None:
    admin = member_email(session, project, Role.ADMIN)
    await open_members(user, project, admin)
    user.find(marker="new-member-email").type("nobody@example.com")
    user.find(marker="add-member").click()
    await user.should_see("create the account first with `nexus user create`")
    await user.should_see(marker="new-member-email", content="nobody@example.com")


async def test_changing_a_role_persists(user: User, session: Session, project: Project) -> None:
    admin = member_email(session, project, Role.ADMIN)
    editor = member_email(session, project, Role.EDITOR)
    await open_members(user, project, admin)
    choose(user, select=f"role-{editor}", within=f"member-{editor}", label="Viewer")
    await user.should_see(f"{editor} is now viewer")
    assert stored_role(session, project, editor) is Role.VIEWER


async def test_the_last_admin_can_neither_leave_nor_step_down(user: User, session: Session) -> None:
    owner = make_user(session)
    project = make_project(session, owner=owner)
    member_email(session, project, Role.EDITOR)
    await open_members(user, project, owner.email)

    user.find(marker=f"remove-{owner.email}").click()
    await user.should_see(f"Remove {owner.email}?")
    user.find(marker="confirm-remove").click()
    await user.should_see("A project must keep at least one admin.")
    assert stored_role(session, project, owner.email) is Role.ADMIN

    user.notify.messages.clear()
    choose(user, select=f"role-{owner.email}", within=f"member-{owner.email}", label="Editor")
    await user.should_see("A project must keep at least one admin.")
    assert stored_role(session, project, owner.email) is Role.ADMIN
    await user.should_see(kind=ui.select, marker=f"role-{owner.email}", content="Admin")


async def test_admin_removes_a_member_after_confirming(
    user: User, session: Session, project: Project
) -> None:
    admin = member_email(session, project, Role.ADMIN)
    viewer = member_email(session, project, Role.VIEWER)
    await open_members(user, project, admin)
    user.find(marker=f"remove-{viewer}").click()
    await user.should_see(f"Remove {viewer}?")
    user.find(marker="confirm-remove").click()
    await user.should_see(f"Removed {viewer}")
    await user.should_not_see(marker=f"member-{viewer}")
    assert stored_role(session, project, viewer) is None


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
async def test_non_admin_sees_the_list_and_a_note_but_no_controls(
    user: User, session: Session, project: Project, role: Role
) -> None:
    email = member_email(session, project, role)
    await open_members(user, project, email)
    await user.should_see("Only project admins can manage members.")
    await user.should_see(marker=f"role-{email}", content=role.value.capitalize())
    for control in ("add-member-form", "add-member", f"remove-{email}"):
        await user.should_not_see(marker=control)
    await user.should_not_see(kind=ui.select)


async def test_non_member_gets_not_found(user: User, session: Session, project: Project) -> None:
    email = member_email(session, make_project(session), Role.ADMIN)
    await sign_in(user, email)
    response = await user.http_client.get(f"/admin/{project.slug}/members")
    assert response.status_code == 404


async def test_admin_demoted_after_opening_the_page_is_refused(
    user: User, session: Session, project: Project
) -> None:
    admin = member_email(session, project, Role.ADMIN)
    viewer = member_email(session, project, Role.VIEWER)
    await open_members(user, project, admin)

    demoted = session.exec(select(Account).where(Account.email == admin)).one()
    projects.change_role(session, actor=admin_of(session, project), user_id=demoted.id, role=Role.EDITOR)

    choose(user, select=f"role-{viewer}", within=f"member-{viewer}", label="Admin")
    await user.should_see("Your role (editor) cannot manage members")
    assert stored_role(session, project, viewer) is Role.VIEWER
    await user.should_see("Only project admins can manage members.")
    await user.should_not_see(marker="add-member-form")


async def test_adding_with_no_email_says_so_and_adds_nobody(
    user: User, session: Session, project: Project
) -> None:
    admin = member_email(session, project, Role.ADMIN)
    await open_members(user, project, admin)
    looker = admin_of(session, project)
    members_before = len(projects.list_members(session, actor=looker))
    user.find(marker="new-member-email").type("   ")
    user.find(marker="add-member").click()
    await user.should_see("Enter the email address of the person to add.")
    assert len(projects.list_members(session, actor=looker)) == members_before
