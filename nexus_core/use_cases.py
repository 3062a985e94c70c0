"""Running a use case for a caller that holds no database session (the admin): one session per call,
and the member's role read inside it, so a demotion takes effect on the very next click."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from nexus_core.db import session_scope
from nexus_core.projects import actor_for

R = TypeVar("R")


def run_as_member(user_id: UUID, project_id: UUID, use_case: Callable[..., R], /, **arguments: Any) -> R:
    """`use_case(session, actor=<the member now>, **arguments)`; NotFound once they left the project."""
    with session_scope() as session:
        actor = actor_for(session, user_id=user_id, project_id=project_id)
        return use_case(session, actor=actor, **arguments)


def run(use_case: Callable[..., R], /, *args: Any, **arguments: Any) -> R:
    """`use_case(session, *args, **arguments)` for calls made before anyone is in a project."""
    with session_scope() as session:
        return use_case(session, *args, **arguments)
