"""Use cases for projects and their members."""

from __future__ import annotations

import re
from uuid import UUID

from sqlmodel import Session, col, select

from nexus_core.errors import Conflict, InvalidInput, NotFound
from nexus_core.models import Membership, Project, Role, User
from nexus_core.policies import Action, Actor, authorize

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def create_project(session: Session, *, name: str, slug: str, owner: User) -> Project:
    """A new project whose owner becomes its first admin."""
    name = name.strip()
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


def projects_of(session: Session, user_id: UUID) -> list[tuple[Project, Role]]:
    rows = session.exec(
        select(Project, Membership.role)
        .join(Membership, col(Membership.project_id) == Project.id)
        .where(Membership.user_id == user_id)
        .order_by(Project.name)
    )
    return [(project, Role(role)) for project, role in rows]


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
    else:
        if membership.role == Role.ADMIN and role != Role.ADMIN:
            _refuse_losing_last_admin(session, project.id)
        membership.role = role
    session.add(membership)
    session.commit()
    return membership


def _refuse_losing_last_admin(session: Session, project_id: UUID) -> None:
    admins = session.exec(
        select(Membership).where(Membership.project_id == project_id, Membership.role == Role.ADMIN)
    ).all()
    if len(admins) <= 1:
        raise Conflict("A project must keep at least one admin.")
