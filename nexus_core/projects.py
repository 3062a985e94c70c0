"""Use cases for projects and their members."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlmodel import Session, col, select

from nexus_core.errors import Conflict, InvalidInput, NotFound
from nexus_core.models import ApiKey, Membership, Project, Role, User
from nexus_core.models.base import utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import ProjectMembership, ProjectView
from nexus_core.text import require_storable
from nexus_core.users import find_user, normalize_email

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def create_project(session: Session, *, name: str, slug: str, owner: User) -> Project:
    """A new project whose owner becomes its first admin."""
    name = require_storable(name.strip(), "The project name")
    if not name:
        raise InvalidInput("A project needs a name.")
    if not _SLUG.match(slug):
        raise InvalidInput(
            f"“{slug}” is not a valid slug: use lowercase letters, digits and inner hyphens (at most 64)."
        )
    if find_project(session, slug) is not None:
        raise Conflict(f"A project with the slug {slug} already exists.")
    project = Project(name=name[:200], slug=slug)
    session.add(project)
    session.flush()
    session.add(Membership(project_id=project.id, user_id=owner.id, role=Role.ADMIN))
    session.commit()
    return project


def find_project(session: Session, slug: str) -> Project | None:
    return session.exec(select(Project).where(Project.slug == slug)).first()


def get_project(session: Session, slug: str) -> Project:
    project = find_project(session, slug)
    if project is None:
        raise NotFound(f"No project with the slug {slug}.")
    return project


def actor_for(session: Session, *, user_id: UUID, project_id: UUID) -> Actor:
    """The user as a member of the project; non-members get NotFound so projects stay unseen."""
    membership = session.exec(
        select(Membership).where(Membership.project_id == project_id, Membership.user_id == user_id)
    ).first()
    if membership is None:
        raise NotFound("No such project.")
    return Actor(user_id=user_id, project_id=project_id, role=Role(membership.role))


def earliest_admin(session: Session, *, project_id: UUID) -> Actor:
    """The admin who joined first (the owner, unless they left): whom an operator's command acts as
    when it names no one, so that what it makes has an uploader."""
    membership = session.exec(
        select(Membership)
        .where(Membership.project_id == project_id, Membership.role == Role.ADMIN)
        .order_by(col(Membership.inserted_at), col(Membership.id))
    ).first()
    if membership is None:
        raise NotFound("The project has no admin; add one with `nexus project add-member`.")
    return Actor(user_id=membership.user_id, project_id=project_id, role=Role.ADMIN)


def projects_of(session: Session, user_id: UUID) -> list[ProjectMembership]:
    rows = session.exec(
        select(Project, Membership.role)
        .join(Membership, col(Membership.project_id) == Project.id)
        .where(Membership.user_id == user_id)
        .order_by(Project.name)
    )
    return [ProjectMembership(project=ProjectView.of(project), role=Role(role)) for project, role in rows]


def membership_in(session: Session, *, user_id: UUID, slug: str) -> ProjectMembership:
    """The project with this slug as the user sees it; NotFound when it does not exist or is not theirs."""
    project = find_project(session, slug)
    if project is None:
        raise NotFound("No such project.")
    actor = actor_for(session, user_id=user_id, project_id=project.id)
    return ProjectMembership(project=ProjectView.of(project), role=actor.role)


def set_member_role(
    session: Session, *, actor: Actor | None, user: User, project: Project, role: Role
) -> Membership:
    """Add the user to the project or change their role; `actor=None` is the operator (CLI)."""
    if actor is not None:
        authorize(actor, Action.MANAGE_MEMBERS)
    membership = session.exec(
        select(Membership).where(Membership.project_id == project.id, Membership.user_id == user.id)
    ).first()
    if membership is None:
        membership = Membership(project_id=project.id, user_id=user.id, role=role)
        session.add(membership)
        session.commit()
        return membership
    return _assign_role(session, membership, role)


def _assign_role(session: Session, membership: Membership, role: Role) -> Membership:
    """Change a membership's role; the project's last admin cannot step down."""
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        _refuse_losing_last_admin(session, membership.project_id)
    membership.role = role
    session.add(membership)
    session.commit()
    return membership


def _refuse_losing_last_admin(session: Session, project_id: UUID) -> None:
    # FOR UPDATE: on PostgreSQL two admins demoting each other at once take turns, and the second
    # then sees the first's change and is refused instead of leaving the project with no admin.
    admins = session.exec(
        select(Membership)
        .where(Membership.project_id == project_id, Membership.role == Role.ADMIN)
        .with_for_update()
    ).all()
    if len(admins) <= 1:
        raise Conflict("A project must keep at least one admin.")


@dataclass(frozen=True)
class MemberRow:
    user_id: UUID
    email: str
    role: Role
    inserted_at: datetime


def list_members(session: Session, *, actor: Actor) -> list[MemberRow]:
    """Everyone in the actor's project, by email; any member may see who else is in it."""
    authorize(actor, Action.VIEW)
    rows = session.exec(
        select(Membership, User.email)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.project_id == actor.project_id)
        .order_by(User.email)
    )
    return [_member(membership, email) for membership, email in rows]


@dataclass(frozen=True)
class MembersOverview:
    """The member list and the role of the person looking at it, read together."""

    role: Role
    members: list[MemberRow]


def members_overview(session: Session, *, actor: Actor) -> MembersOverview:
    return MembersOverview(role=actor.role, members=list_members(session, actor=actor))


def _member(membership: Membership, email: str) -> MemberRow:
    return MemberRow(
        user_id=membership.user_id,
        email=email,
        role=Role(membership.role),
        inserted_at=membership.inserted_at,
    )


def add_member(session: Session, *, actor: Actor, email: str, role: Role | str) -> MemberRow:
    """Add an existing user to the actor's project with the given role."""
    authorize(actor, Action.MANAGE_MEMBERS)
    role = _valid_role(role)
    email = normalize_email(email)
    if not email:
        raise InvalidInput("Enter the email address of the person to add.")
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"No user with the email {email}; create the account first with `nexus user create`.")
    if _membership(session, actor.project_id, user.id) is not None:
        raise Conflict(f"{email} is already a member of this project.")
    membership = Membership(project_id=actor.project_id, user_id=user.id, role=role)
    session.add(membership)
    session.commit()
    return _member(membership, email)


def change_role(session: Session, *, actor: Actor, user_id: UUID, role: Role | str) -> MemberRow:
    """Give a member another role; the last admin cannot step down."""
    authorize(actor, Action.MANAGE_MEMBERS)
    role = _valid_role(role)
    membership = _assign_role(session, _existing_membership(session, actor.project_id, user_id), role)
    user = session.get(User, user_id)
    return _member(membership, user.email if user else "")


def remove_member(session: Session, *, actor: Actor, user_id: UUID) -> None:
    """Take a member out of the project and revoke their API keys in it; never the last admin."""
    authorize(actor, Action.MANAGE_MEMBERS)
    membership = _existing_membership(session, actor.project_id, user_id)
    if membership.role == Role.ADMIN:
        _refuse_losing_last_admin(session, actor.project_id)
    keys = session.exec(
        select(ApiKey).where(
            ApiKey.project_id == actor.project_id,
            ApiKey.user_id == user_id,
            col(ApiKey.revoked_at).is_(None),
        )
    )
    now = utcnow()
    for key in keys:
        key.revoked_at = now
        session.add(key)
    session.delete(membership)
    session.commit()


def _membership(session: Session, project_id: UUID, user_id: UUID) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.project_id == project_id, Membership.user_id == user_id)
    ).first()


def _existing_membership(session: Session, project_id: UUID, user_id: UUID) -> Membership:
    membership = _membership(session, project_id, user_id)
    if membership is None:
        raise NotFound("No such member in this project.")
    return membership


def _valid_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(member.value for member in Role)
        raise InvalidInput(f"“{role}” is not a role; choose one of {choices}.") from None
