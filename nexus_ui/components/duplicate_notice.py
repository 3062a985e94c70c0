""" "Already in the library": a file whose bytes an item already has was not stored again; the notice
shows that item and offers to store the file anyway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from nexus_core.read_models import MediaItemView
from nexus_ui.components.media_grid import preview_url


def duplicate_notice(
    filename: str, existing: MediaItemView, upload_anyway: Callable[[], Awaitable[bool]]
) -> None:
    """`upload_anyway` stores the file as a new item; True when it did (the notice then goes)."""
    with ui.row().classes(
        "w-full items-center gap-3 no-wrap rounded-xl border border-amber-300 bg-amber-50 px-4 py-2"
    ) as notice:
        notice.props.update({"data-testid": "duplicate-notice", "role": "status"})
        notice.mark("duplicate-notice")
        source = preview_url(existing)
        if source is not None:
            thumb = ui.element("img").classes("w-12 h-12 rounded-md object-cover nexus-checker shrink-0")
            thumb.props.update(src=source, alt="")
        with ui.column().classes("gap-0 grow min-w-0"):
            ui.label(f"“{filename}” is already in the library").classes(
                "text-sm font-medium text-slate-800 break-words"
            )
            ui.label(f"as “{existing.filename}”; it was not uploaded again.").classes(
                "text-xs text-slate-600 break-words"
            )

        async def store() -> None:
            if await upload_anyway():
                notice.delete()

        anyway = (
            ui.button("Upload anyway", on_click=store)
            .props("outline dense color=primary")
            .mark("upload-anyway")
        )
        anyway.props["data-testid"] = "upload-anyway"
        dismiss = ui.button(icon="close", on_click=notice.delete).props("flat round dense color=secondary")
        dismiss.props["aria-label"] = f"Dismiss the notice about {filename}"
