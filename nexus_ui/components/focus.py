"""Putting the keyboard focus back where the person was, after a dialog or a redraw took it away."""

from __future__ import annotations

import json

from nicegui import ui

# A moment later: the element may be drawn by the same update that asks for the focus.
_FOCUS_JS = "setTimeout(() => document.querySelector(%s)?.focus(), 60)"


def focus(element: ui.element) -> None:
    focus_selector(f"#c{element.id}", on=element)


def focus_selector(selector: str, *, on: ui.element) -> None:
    """Through `on`'s client: the handler asking may run in a slot that a redraw has just deleted."""
    on.client.run_javascript(_FOCUS_JS % json.dumps(selector))
