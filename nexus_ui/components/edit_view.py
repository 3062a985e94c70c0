"""The edit view of one item: crop, turn, flip and focal point on the original, then Save (a new
version made in the background) or Revert to original; leaving asks before dropping unsaved changes.
The core checks every value."""

from __future__ import annotations

from nicegui import ui

from nexus_core.media import editing, paths
from nexus_core.media.edits import EditChanges
from nexus_core.read_models import MediaItemView
from nexus_ui.calls import FAILED, call
from nexus_ui.components.confirm import confirm
from nexus_ui.components.focus import focus
from nexus_ui.components.heading import heading
from nexus_ui.components.image_editor import ImageEditor
from nexus_ui.session import ProjectContext


async def edit_item(context: ProjectContext, item: MediaItemView) -> bool:
    """Show the edit view; True when the item was saved or reverted."""
    assert item.original_width and item.original_height, "only a processed picture is edited"
    with (
        ui.dialog().props("maximized no-esc-dismiss") as dialog,
        ui.card().classes("w-full h-full p-0 gap-0 rounded-none"),
    ):
        dialog.props["aria-label"] = f"Edit “{item.filename}”"
        dialog.props["data-testid"] = "edit-view"
        header = ui.row().classes(
            "w-full items-center gap-2 px-4 sm:px-6 py-3 border-b border-slate-200 no-wrap"
        )
        with ui.element("div").classes("w-full grow min-h-0 p-4 sm:p-6 overflow-y-auto"):
            editor = ImageEditor(
                src=paths.url(item.file_path),
                width=item.original_width,
                height=item.original_height,
                edits=item.edits,
            ).classes("h-full")
            revert_below = _revert_button(context, item, dialog, marker="edit-revert-phone")
            revert_below.classes("xs mt-4 w-full")
        with header:
            title = heading(f"Edit “{item.filename}”", level=2)
            title.classes("truncate min-w-0 grow text-base sm:text-lg outline-none").props("tabindex=-1")
            ui.button("Cancel", on_click=lambda: _leave(editor, dialog)).props(
                "flat no-caps data-testid=edit-cancel"
            )
            _revert_button(context, item, dialog, marker="edit-revert").classes("gt-xs")
            save = ui.button("Save", on_click=lambda: _save(context, item, editor, dialog))
            save.props("unelevated no-caps color=primary data-testid=edit-save")
    dialog.on("keydown.esc", lambda: _leave(editor, dialog))
    dialog.open()
    focus(title, if_lost=True)  # in the view (the page behind is inert), so Tab and Esc work from the start
    changed = bool(await dialog)
    dialog.delete()
    return changed


async def _leave(editor: ImageEditor, dialog: ui.dialog) -> None:
    """Cancel and Escape close the view, after asking when that would drop unsaved changes."""
    if await editor.has_changes() and not await confirm(
        "Discard your changes?",
        "The crop, turns, flips and focal point you set here are not saved.",
        "Discard changes",
        marker="edit-discard",
    ):
        return
    dialog.submit(False)


def _revert_button(
    context: ProjectContext, item: MediaItemView, dialog: ui.dialog, *, marker: str
) -> ui.button:
    """Beside Save on a wide screen, below the tools on a phone (where the header has no room for it)."""
    button = ui.button("Revert to original", on_click=lambda: _revert(context, item, dialog))
    button.props(f"outline no-caps data-testid={marker}")
    button.set_enabled(not item.edits.is_original)
    return button


async def _save(context: ProjectContext, item: MediaItemView, editor: ImageEditor, dialog: ui.dialog) -> None:
    edits = await editor.current_edits()
    if edits is None:
        ui.notify("The editor did not answer; please try again.", type="negative")
        return
    changes = editing.ItemChanges(
        edits=EditChanges(
            focal_point=edits.get("focal_point"),
            crop=edits.get("crop"),
            rotate=edits.get("rotate"),
            flip=edits.get("flip"),
        )
    )
    if await call(context, editing.update_item, item_id=item.id, changes=changes) is FAILED:
        return
    ui.notify("Saved: the new version is being made", type="positive")
    dialog.submit(True)


async def _revert(context: ProjectContext, item: MediaItemView, dialog: ui.dialog) -> None:
    if await call(context, editing.revert_to_original, item_id=item.id) is FAILED:
        return
    ui.notify("Back to the original: it is being made again", type="positive")
    dialog.submit(True)
