import pytest
from sqlmodel import Session, select

from nexus_core import accounts, projects
from nexus_core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from nexus_core.models import ApiKey, Membership, Project, Role, User
from nexus_core.policies import Actor
from tests.factories import admin_of, make_member, make_project, make_user


def role_of(session: Session, project: Project, actor: Actor) -> Role | None:
    session.expire_all()
    membership = session.exec(
        select(Membership).where(Membership.project_id == project.id, Membership.user_id == actor.user_id)
    ).first()
    return None if membership is None else Role(membership.role)


@pytest.mark.parametrize("role", list(Role))
def test_every_member_sees_the_member_list(session: Session, project: Project, role: Role) -> None:
    member = make_member(session, project, role)
    make_member(session, make_project(session), Role.ADMIN)
    rows = projects.list_members(session, actor=member)
    assert len(rows) == 2
    assert [row.email for row in rows] == sorted(row.email for row in rows)
    mine = next(row for row in rows if row.user_id == member.user_id)
    assert mine.role is role
    assert mine.inserted_at is not None


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_only_admins_manage_members(session: Session, project: Project, role: Role) -> None:
    member = make_member(session, project, role)
    other = make_member(session, project, Role.VIEWER)
    newcomer = make_user(session)
    with pytest.raises(Forbidden):
        projects.add_member(session, actor=member, email=newcomer.email, role=Role.VIEWER)
    with pytest.raises(Forbidden):
        projects.change_role(session, actor=member, user_id=other.user_id, role=Role.ADMIN)
    with pytest.raises(Forbidden):
        projects.remove_member(session, actor=member, user_id=other.user_id)
    assert role_of(session, project, other) is Role.VIEWER


def test_admin_adds_changes_and_removes_a_member(session: Session, project: Project) -> None:
    admin = admin_of(session, project)
    newcomer = make_user(session, "newcomer@example.com")
    membership = projects.add_member(session, actor=admin, email=" NewComer@Example.com ", role="editor")
    assert (membership.user_id, membership.role) == (newcomer.id, Role.EDITOR)
    projects.change_role(session, actor=admin, user_id=newcomer.id, role=Role.VIEWER)
    assert {row.email: row.role for row in projects.list_members(session, actor=admin)}[
        "newcomer@example.com"
    ] is Role.VIEWER
    projects.remove_member(session, actor=admin, user_id=newcomer.id)
    assert newcomer.id not in {row.user_id for row in projects.list_members(session, actor=admin)}


def test_unknown_email_says_how_to_create_the_account(session: Session, project: Project) -> None:
    admin = admin_of(session, project)
    with pytest.raises(NotFound, match=r"nobody@example\.com.*nexus user create"):
        projects.add_member(session, actor=admin, email="nobody@example.com", role=Role.EDITOR)


def test_existing_member_cannot_be_added_twice(session: Session, project: Project) -> None:
    admin = admin_of(session, project)
    editor = make_member(session, project, Role.EDITOR)
    email_of_editor = session.get_one(User, editor.user_id).email
    with pytest.raises(Conflict, match="already a member"):
        projects.add_member(session, actor=admin, email=email_of_editor.upper(), role=Role.ADMIN)
    assert role_of(session, project, editor) is Role.EDITOR


def test_unknown_role_is_invalid_input(session: Session, project: Project) -> None:
    admin = admin_of(session, project)
    editor = make_member(session, project, Role.EDITOR)
    with pytest.raises(InvalidInput, match="not a role"):
        projects.change_role(session, actor=admin, user_id=editor.user_id, role="owner")


def test_member_of_another_project_is_not_found(session: Session, project: Project) -> None:
    admin = admin_of(session, project)
    stranger = make_member(session, make_project(session), Role.EDITOR)
    with pytest.raises(NotFound):
        projects.change_role(session, actor=admin, user_id=stranger.user_id, role=Role.VIEWER)
    with pytest.raises(NotFound):
        projects.remove_member(session, actor=admin, user_id=stranger.user_id)


def test_last_admin_can_neither_step_down_nor_leave(session: Session) -> None:
    owner = make_user(session)
    project = make_project(session, owner=owner)
    admin = projects.actor_for(session, user_id=owner.id, project_id=project.id)
    for change in (
        lambda: projects.change_role(session, actor=admin, user_id=owner.id, role=Role.EDITOR),
        lambda: projects.remove_member(session, actor=admin, user_id=owner.id),
    ):
        with pytest.raises(Conflict, match=r"A project must keep at least one admin\."):
            change()
    assert role_of(session, project, admin) is Role.ADMIN


def test_an_admin_may_step_down_or_leave_while_another_remains(session: Session) -> None:
    owner = make_user(session)
    project = make_project(session, owner=owner)
    first = projects.actor_for(session, user_id=owner.id, project_id=project.id)
    second = admin_of(session, project)
    projects.change_role(session, actor=first, user_id=first.user_id, role=Role.EDITOR)
    with pytest.raises(Conflict):
        projects.remove_member(session, actor=second, user_id=second.user_id)
    projects.change_role(session, actor=second, user_id=first.user_id, role=Role.ADMIN)
    projects.remove_member(session, actor=second, user_id=second.user_id)
    assert role_of(session, project, second) is None
    assert role_of(session, project, first) is Role.ADMIN


def test_removing_a_member_revokes_their_keys_in_that_project_only(
    session: Session, project: Project
) -> None:
    admin = admin_of(session, project)
    editor = make_member(session, project, Role.EDITOR)
    elsewhere = make_project(session)
    user = session.get_one(User, editor.user_id)
    projects.set_member_role(session, actor=None, user=user, project=elsewhere, role=Role.EDITOR)
    editor_elsewhere = projects.actor_for(session, user_id=user.id, project_id=elsewhere.id)
    removed_token = accounts.issue_api_key(
        session, project_id=editor.project_id, user_id=editor.user_id
    ).token
    other_project_token = accounts.issue_api_key(
        session, project_id=editor_elsewhere.project_id, user_id=user.id
    ).token
    admin_token = accounts.issue_api_key(session, project_id=admin.project_id, user_id=admin.user_id).token

    projects.remove_member(session, actor=admin, user_id=editor.user_id)

    keys = {(key.project_id, key.user_id): key for key in session.exec(select(ApiKey))}
    assert keys[project.id, user.id].revoked_at is not None
    assert keys[elsewhere.id, user.id].revoked_at is None
    assert keys[project.id, admin.user_id].revoked_at is None
    with pytest.raises(NotAuthenticated):
        accounts.actor_for_api_token(session, removed_token)
    assert accounts.actor_for_api_token(session, other_project_token) == editor_elsewhere
    assert accounts.actor_for_api_token(session, admin_token) == admin


@pytest.mark.parametrize("email", ["", "   "])
def test_adding_without_an_email_says_what_is_missing(session: Session, project: Project, email: str) -> None:
    admin = admin_of(session, project)
    before = projects.list_members(session, actor=admin)
    with pytest.raises(InvalidInput, match="Enter the email address"):
        projects.add_member(session, actor=admin, email=email, role=Role.EDITOR)
    assert projects.list_members(session, actor=admin) == before
