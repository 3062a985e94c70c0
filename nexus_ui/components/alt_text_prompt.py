"""Asked when an image without alt text is put on a page: describe it, or say it is decorative."""

from __future__ import annotations

from nicegui import ui

from nexus_core.media import editing
from nexus_core.read_models import MediaItemView
from nexus_ui.calls import FAILED, call
from nexus_ui.components.heading import heading
from nexus_ui.session import ProjectContext

DECORATIVE = "decorative"


async def ask_for_alt_text(context: ProjectContext, item: MediaItemView) -> MediaItemView | None:
    """The item with the description the author gave (saved on it), the item as it is when they
    call it decorative, or None when they closed the question (nothing is put on the page)."""
    with ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-[95vw] p-6 gap-3 rounded-xl"):
        dialog.props["aria-label"] = "Describe this image"
        heading("Describe this image", level=2)
        ui.label(
            f"“{item.filename}” has no alt text. People who cannot see the image hear this instead; "
            "it is saved on the image, for every page that uses it."
        ).classes("text-slate-600 break-words")
        text = ui.textarea("Alt text").props(
            "outlined autogrow autofocus maxlength=1000 data-testid=alt-prompt-text"
        )
        text.classes("w-full").mark("alt-prompt-text")
        with ui.row().classes("w-full justify-end gap-2 flex-wrap"):
            ui.button("It is decorative", on_click=lambda: dialog.submit(DECORATIVE)).props(
                "flat no-caps data-testid=alt-prompt-decorative"
            ).mark("alt-prompt-decorative")

            async def save() -> None:
                described = await call(context, editing.update_alt_text, item_id=item.id, alt_text=text.value)
                if described is not FAILED:
                    dialog.submit(described)

            ui.button("Save and use", on_click=save).props(
                "unelevated no-caps data-testid=alt-prompt-save"
            ).mark("alt-prompt-save")
    answer = await dialog
    dialog.delete()
    if answer == DECORATIVE:
        return item
    return answer if isinstance(answer, MediaItemView) else None
