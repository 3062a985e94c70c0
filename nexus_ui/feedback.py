"""Domain errors and warnings become notifications here, in one place."""

from __future__ import annotations

import logging

from nicegui import ui

from nexus_core.errors import NexusError

logger = logging.getLogger(__name__)


def notify_error(error: Exception) -> None:
    if isinstance(error, NexusError):
        ui.notify(str(error), type="negative", multi_line=True, close_button=True, timeout=8000)
    else:
        logger.exception("Unexpected error in the admin UI", exc_info=error)
        ui.notify("Something went wrong on our side; please try again.", type="negative")


def notify_warning(message: str) -> None:
    """A notice that needs reading but stops nothing: a cleaned upload, a file the browser left out."""
    ui.notify(message, type="warning", multi_line=True, close_button=True, timeout=8000)
