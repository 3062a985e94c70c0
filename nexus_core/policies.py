"""Who may do what: one table of role x action, used by the UI and the API alike."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from nexus_core.errors import Forbidden
from nexus_core.models.projects import Role


class Action(StrEnum):
    VIEW = "view"
    UPLOAD = "upload"
    EDIT_MEDIA = "edit media"
    EDIT_PAGES = "edit pages"
    DELETE_MEDIA = "delete media"
    MANAGE_MEMBERS = "manage members"
    MANAGE_API_KEYS = "manage API keys"
    MANAGE_WEBHOOKS = "manage webhooks"


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset({Role.ADMIN, Role.EDITOR, Role.VIEWER}),
    Action.UPLOAD: frozenset({Role.ADMIN, Role.EDITOR}),
    Action.EDIT_MEDIA: frozenset({Role.ADMIN, Role.EDITOR}),
    Action.EDIT_PAGES: frozenset({Role.ADMIN, Role.EDITOR}),
    Action.DELETE_MEDIA: frozenset({Role.ADMIN}),
    Action.MANAGE_MEMBERS: frozenset({Role.ADMIN}),
    Action.MANAGE_API_KEYS: frozenset({Role.ADMIN}),
    Action.MANAGE_WEBHOOKS: frozenset({Role.ADMIN}),
}


@dataclass(frozen=True)
class Actor:
    """A member acting in one project, with the role they hold there."""

    user_id: UUID
    project_id: UUID
    role: Role


def can(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


def authorize(actor: Actor, action: Action) -> None:
    """Raise Forbidden, naming the roles that may, unless the actor's role allows the action."""
    if not can(actor.role, action):
        allowed = " or ".join(sorted(PERMISSIONS[action]))
        raise Forbidden(f"Your role ({actor.role}) cannot {action}; ask a project admin ({allowed} only).")
