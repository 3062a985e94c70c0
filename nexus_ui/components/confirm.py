"""The one "are you sure?" dialog, for actions that cannot be undone."""

from __future__ import annotations

from nicegui import ui

from nexus_ui.components.heading import heading


async def confirm(title: str, message: str, action: str, *, marker: str) -> bool:
    """True when the person presses `action`; `marker` names that button for tests."""
    with ui.dialog() as dialog, ui.card().classes("p-6 gap-3 max-w-md rounded-xl"):
        dialog.props["aria-label"] = title
        heading(title, level=2).classes("break-words")
        ui.label(message).classes("text-slate-600").props("data-testid=confirm-message")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat no-caps")
            button = ui.button(action, on_click=lambda: dialog.submit(True))
            button.props("unelevated no-caps color=negative").mark(marker)
            button.props["data-testid"] = marker
    answer = await dialog
    dialog.delete()
    return bool(answer)
