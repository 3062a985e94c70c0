"""Who is signed in (per browser, in NiceGUI's signed session storage) and what they are in a project."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote
from uuid import UUID

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from nicegui import app

from nexus_core import projects
from nexus_core.db import session_scope
from nexus_core.errors import NotFound
from nexus_core.models import Project, Role, User
from nexus_core.policies import Actor

USER_KEY = "user_id"
R = TypeVar("R")


def sign_in(user: User) -> None:
    app.storage.user[USER_KEY] = str(user.id)


def sign_out() -> None:
    app.storage.user.clear()


def signed_in_user() -> User | None:
    user_id = app.storage.user.get(USER_KEY)
    if not user_id:
        return None
    with session_scope() as session:
        user = session.get(User, UUID(user_id))
    if user is None:
        sign_out()
    return user


def login_redirect(path: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)


@dataclass(frozen=True)
class ProjectContext:
    """A signed-in member inside one project, as a page sees them."""

    user: User
    project: Project
    role_at_open: Role

    def actor(self) -> Actor:
        """The member's role now, read again from the database: every change re-checks it."""
        with session_scope() as session:
            return projects.actor_for(session, user_id=self.user.id, project_id=self.project.id)


def project_context(user: User, slug: str) -> ProjectContext:
    """The user's view of the project; NotFound for a project that does not exist or is not theirs."""
    with session_scope() as session:
        project = projects.find_project(session, slug)
        if project is None:
            raise NotFound("No such project.")
        actor = projects.actor_for(session, user_id=user.id, project_id=project.id)
    return ProjectContext(user=user, project=project, role_at_open=actor.role)


def open_project_page(slug: str, path: str) -> ProjectContext | RedirectResponse:
    """The context for a project page: anonymous people go to /login (and back), non-members get a 404."""
    user = signed_in_user()
    if user is None:
        return login_redirect(path)
    try:
        return project_context(user, slug)
    except NotFound:
        raise HTTPException(status_code=404) from None


def call_as(context: ProjectContext, use_case: Callable[..., R], /, **arguments: Any) -> R:
    """Run a core use case as the page's member, with the role read again now, in a fresh session."""
    with session_scope() as session:
        return use_case(session, actor=context.actor(), **arguments)
