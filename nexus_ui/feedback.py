"""Domain errors and warnings become notifications here, in one place."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from nicegui import run, ui

from nexus_core.errors import NexusError

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def notify_error(error: Exception) -> None:
    if isinstance(error, NexusError):
        ui.notify(str(error), type="negative", multi_line=True, close_button=True, timeout=8000)
    else:
        logger.exception("Unexpected error in the admin UI", exc_info=error)
        ui.notify("Something went wrong on our side; please try again.", type="negative")


def notify_warning(message: str) -> None:
    """A notice that needs reading but stops nothing: a cleaned upload, a file the browser left out."""
    ui.notify(message, type="warning", multi_line=True, close_button=True, timeout=8000)


async def run_reporting(function: Callable[..., R], /, *args: Any, **kwargs: Any) -> R | None:
    """Run blocking core work off the event loop; a failure becomes a notification and None."""
    try:
        return await run.io_bound(function, *args, **kwargs)
    except Exception as error:
        notify_error(error)
        return None


def reports_errors(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | None]]:
    """Wrap an async event handler so a NexusError is shown to the person instead of lost in a log."""

    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return await handler(*args, **kwargs)
        except Exception as error:  # every failure must reach the person who clicked
            notify_error(error)
            return None

    return run
