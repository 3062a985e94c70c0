"""Short explanations shown in place of controls a person may not use."""

from __future__ import annotations

from nicegui import ui


def admin_only_note(title: str, hint: str) -> None:
    with (
        ui.row()
        .classes("w-full items-center gap-3 no-wrap rounded-xl border border-slate-200 bg-white px-5 py-4")
        .props("data-testid=admin-only-note")
        .mark("admin-only-note")
    ):
        ui.icon("lock", color="secondary").classes("text-2xl")
        with ui.column().classes("gap-0"):
            ui.label(title).classes("font-medium text-slate-800")
            ui.label(hint).classes("text-sm text-slate-500")
