"""Small factories for people, projects and members."""

from __future__ import annotations

from itertools import count
from uuid import UUID

from sqlmodel import Session

from nexus_core import accounts, projects
from nexus_core.content import pages
from nexus_core.models import MediaItem, Project, Role, User
from nexus_core.policies import Actor
from nexus_core.read_models import MediaItemView, PageView

_sequence = count(1)
PASSWORD = "correct horse battery"


def make_user(session: Session, email: str | None = None) -> User:
    return accounts.create_user(
        session, email=email or f"person{next(_sequence)}@example.com", password=PASSWORD
    )


def make_project(session: Session, owner: User | None = None, slug: str | None = None) -> Project:
    owner = owner or make_user(session)
    number = next(_sequence)
    return projects.create_project(
        session, name=f"Project {number}", slug=slug or f"project-{number}", owner=owner
    )


def make_member(session: Session, project: Project, role: Role) -> Actor:
    user = make_user(session)
    projects.set_member_role(session, actor=None, user=user, project=project, role=role)
    return projects.actor_for(session, user_id=user.id, project_id=project.id)


def admin_of(session: Session, project: Project) -> Actor:
    return make_member(session, project, Role.ADMIN)


def stored_item(session: Session, item: MediaItemView) -> MediaItem:
    """The row behind what a use case handed back, read now (a worker may have changed it)."""
    session.expire_all()
    row = session.get(MediaItem, item.id)
    assert row is not None, f"no row for {item.id}"
    return row


def page_using(session: Session, actor: Actor, item_id: UUID | str, title: str = "Uses it") -> PageView:
    """A page whose hero image is the item, saved so that the item counts as used by it."""
    item = session.get(MediaItem, item_id if isinstance(item_id, UUID) else UUID(item_id))
    assert item is not None, f"no item {item_id}"
    page = pages.create_page(session, actor=actor, title=title)
    return pages.save_page(
        session,
        actor=actor,
        page_id=page.id,
        title=page.title,
        slug=page.slug,
        template_data={"hero_image": {"media_id": str(item.id), "alt": ""}},
        body_json=page.body_json,
    )
