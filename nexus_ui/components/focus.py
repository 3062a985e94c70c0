"""Putting the keyboard focus back where the person was, after a dialog or a redraw took it away."""

from __future__ import annotations

import json

from nicegui import ui

# A moment later: the element may be drawn by the same update that asks for the focus. With
# `if_lost`, only when the focus is nowhere (on the page itself, or on an element a redraw removed):
# a person who clicked or tabbed on meanwhile keeps their place, and their typing lands there.
_FOCUS_JS = """setTimeout(() => {
    const active = document.activeElement;
    if (%s && active && active !== document.body && active.isConnected) return;
    document.querySelector(%s)?.focus();
}, 60)"""


def focus(element: ui.element, *, if_lost: bool = False) -> None:
    focus_selector(f"#c{element.id}", on=element, if_lost=if_lost)


def focus_selector(selector: str, *, on: ui.element, if_lost: bool = False) -> None:
    """Through `on`'s client: the handler asking may run in a slot that a redraw has just deleted."""
    on.client.run_javascript(_FOCUS_JS % (json.dumps(if_lost), json.dumps(selector)))
