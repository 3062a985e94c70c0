"""Replace file: a new file for an item, checked by its content like an upload, that every page using
the item shows from then on."""

from __future__ import annotations

from nicegui import events, ui

from nexus_core.config import get_settings
from nexus_core.media import formats, replacing, upload
from nexus_core.read_models import MediaItemView
from nexus_ui.calls import FAILED, call
from nexus_ui.components.heading import heading
from nexus_ui.components.upload_zone import spooled
from nexus_ui.components.uploader_header import choose_button, file_input, uploading_spinner
from nexus_ui.feedback import notify_warning
from nexus_ui.session import ProjectContext


async def replace_file(context: ProjectContext, item: MediaItemView) -> bool:
    """Ask for the new file; True when the item's file was replaced."""
    settings = get_settings()
    with ui.dialog() as dialog, ui.card().classes("p-6 gap-3 w-[30rem] max-w-full rounded-xl"):
        dialog.props["aria-label"] = f"Replace “{item.filename}”"
        heading(f"Replace “{item.filename}”", level=2).classes("break-words")
        ui.label(
            "Pages that use this image show the new file; its alt text, tags and folder stay, "
            "and its crop and other edits are cleared."
        ).classes("text-slate-600 text-sm")
        ui.label(f"{formats.NAMES} · up to {settings.max_upload_mb} MB").classes("text-xs text-slate-600")

        async def store(event: events.UploadEventArguments) -> None:
            replaced = await call(
                context,
                replacing.replace_file,
                item_id=item.id,
                file=upload.IncomingFile(event.file.name, spooled(event.file)),
            )
            chooser.reset()
            if replaced is FAILED:
                return
            if replaced.warning:
                notify_warning(replaced.warning)
            for other in replaced.same_as:
                notify_warning(f"“{other.filename}” in this library has the same file.")
            ui.notify(f"Replaced with “{replaced.item.filename}”", type="positive")
            dialog.submit(True)

        def refused(event: events.GenericEventArguments) -> None:
            notify_warning(
                f"That file is not a supported image ({formats.NAMES}) of at most {settings.max_upload_mb} MB."
            )

        chooser = ui.upload(
            auto_upload=True, max_files=1, max_file_size=settings.max_upload_bytes, on_upload=store
        )
        chooser.props("flat bordered").classes("w-full nexus-upload")
        chooser.props["accept"] = formats.ACCEPT
        chooser.props["data-testid"] = "replace-upload"
        with chooser.add_slot("header"), ui.row().classes("items-center gap-4 p-4 w-full"):
            choose_button("Choose a file", icon="upload_file", test_id="replace-choose")
            uploading_spinner()
            file_input()
        chooser.add_slot("list", "<div></div>")
        chooser.on("rejected", refused)
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props(
                "flat no-caps data-testid=replace-cancel"
            )
    dialog.open()
    replaced = bool(await dialog)
    dialog.delete()
    return replaced
