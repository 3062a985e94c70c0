"""The one way the admin calls the core: off the event loop, as the member with their role read
again now, and every failure shown to the person one way (a notification) unless the caller
expects it (a second confirmation, a 404 page, an inline sign-in message)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from fastapi import HTTPException
from nicegui import app, run

from nexus_core import use_cases
from nexus_core.errors import NexusError
from nexus_ui.feedback import notify_error

if TYPE_CHECKING:
    from nexus_ui.session import ProjectContext

R = TypeVar("R")
Expected = tuple[type[NexusError], ...]


class Failure(Enum):
    FAILED = "failed"


FAILED: Final = Failure.FAILED
"""What a call returns when it failed; the person has been told why."""


async def call(
    context: ProjectContext, use_case: Callable[..., R], /, *, expect: Expected = (), **arguments: Any
) -> R | Literal[Failure.FAILED]:
    """`use_case(session, actor=<the member now>, **arguments)`."""
    return await _attempt(
        expect, use_cases.run_as_member, context.user.id, context.project.id, use_case, **arguments
    )


async def load(context: ProjectContext, use_case: Callable[..., R], /, **arguments: Any) -> R:
    """What a page needs before it can be drawn; without it the answer is a 503 page."""
    result = await call(context, use_case, **arguments)
    if result is FAILED:
        raise HTTPException(status_code=503)
    return result


async def call_unscoped(
    use_case: Callable[..., R], /, *args: Any, expect: Expected = (), **arguments: Any
) -> R | Literal[Failure.FAILED]:
    """`use_case(session, *args, **arguments)`, for sign-in and the list of one's projects."""
    return await _attempt(expect, use_cases.run, use_case, *args, **arguments)


async def _attempt(
    expect: Expected, runner: Callable[..., R], /, *args: Any, **arguments: Any
) -> R | Literal[Failure.FAILED]:
    try:
        result = await run.io_bound(runner, *args, **arguments)
    except expect:
        raise
    except Exception as error:  # every failure must reach the person who clicked
        notify_error(error)
        return FAILED
    if result is None and app.is_stopping:  # NiceGUI gives None instead of running the call
        return FAILED
    return result  # type: ignore[return-value]
