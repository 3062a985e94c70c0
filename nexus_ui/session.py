"""Who is signed in (per browser, in NiceGUI's signed session storage) and what they are in a project."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote
from uuid import UUID

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from nicegui import app

from nexus_core import projects, users
from nexus_core.errors import NotFound
from nexus_core.models import Role
from nexus_core.read_models import ProjectView, UserView
from nexus_ui.calls import FAILED, call_unscoped

USER_KEY = "user_id"


def sign_in(user: UserView) -> None:
    app.storage.user[USER_KEY] = str(user.id)


def sign_out() -> None:
    app.storage.user.clear()


async def signed_in_user() -> UserView | None:
    """The person this browser is signed in as; None (and signed out) once their account is gone."""
    user_id = app.storage.user.get(USER_KEY)
    if not user_id:
        return None
    user = await call_unscoped(users.get_user, UUID(user_id))
    if user is FAILED:
        raise HTTPException(status_code=503)
    if user is None:
        sign_out()
    return user


def login_redirect(path: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)


@dataclass(frozen=True)
class ProjectContext:
    """A signed-in member inside one project, as a page sees them (core calls re-read the role)."""

    user: UserView
    project: ProjectView
    role_at_open: Role


async def project_context(user: UserView, slug: str) -> ProjectContext:
    """The user's view of the project; NotFound for a project that does not exist or is not theirs."""
    membership = await call_unscoped(projects.membership_in, user_id=user.id, slug=slug, expect=(NotFound,))
    if membership is FAILED:
        raise HTTPException(status_code=503)
    return ProjectContext(user=user, project=membership.project, role_at_open=membership.role)


async def open_project_page(slug: str, path: str) -> ProjectContext | RedirectResponse:
    """The context for a project page: anonymous people go to /login (and back), non-members get a 404."""
    user = await signed_in_user()
    if user is None:
        return login_redirect(path)
    try:
        return await project_context(user, slug)
    except NotFound:
        raise HTTPException(status_code=404) from None
