"""Drag-and-drop / file-picker upload with per-file progress; every file goes through upload.upload."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal
from uuid import UUID

from nicegui import events, ui

from nexus_core.config import get_settings
from nexus_core.media import formats, upload
from nexus_core.read_models import MediaItemView
from nexus_ui.calls import FAILED, Failure, call
from nexus_ui.components.duplicate_notice import duplicate_notice
from nexus_ui.components.uploader_header import choose_button, file_input, uploading_spinner
from nexus_ui.feedback import notify_warning
from nexus_ui.session import ProjectContext

LIST_SLOT = """
<div aria-live="polite">
<div v-for="file in props.files" :key="file.__key" data-testid="upload-row"
     class="row no-wrap items-center q-gutter-x-sm q-px-md q-py-xs text-body2">
  <q-icon size="18px"
          :name="file.__status === 'uploaded' ? 'check_circle' : file.__status === 'failed' ? 'error' : 'image'"
          :color="file.__status === 'uploaded' ? 'positive' : file.__status === 'failed' ? 'negative' : 'grey-6'" />
  <div class="col ellipsis">{{ file.name }}</div>
  <div class="text-caption text-grey-8 gt-xs" style="width: 5rem">{{ file.__sizeLabel }}</div>
  <q-linear-progress :value="file.__progress" rounded size="6px" style="width: 6rem"
                     :aria-label="'Upload of ' + file.name"
                     :color="file.__status === 'failed' ? 'negative' : 'primary'" />
  <span class="sr-only">{{ file.__status === 'uploaded' ? 'uploaded' : file.__status === 'failed' ? 'failed' : '' }}</span>
</div>
</div>
"""
REJECTED_JS = (
    "(entries) => emit(entries.map(entry => ({name: entry.file.name, size: entry.file.size,"
    " reason: entry.failedPropValidation})))"
)


async def upload_file(
    context: ProjectContext,
    filename: str,
    data: upload.SpooledUpload,
    *,
    folder_id: UUID | None = None,
    allow_duplicates: bool = False,
) -> upload.UploadedItems | Literal[Failure.FAILED]:
    """Upload one file as the member; what was removed from it (a cleaned SVG) is said as a warning."""
    uploaded = await call(
        context,
        upload.upload,
        files=[upload.IncomingFile(filename, data)],
        folder_id=folder_id,
        allow_duplicates=allow_duplicates,
    )
    if uploaded is FAILED:
        return FAILED
    for warning in uploaded.warnings:
        notify_warning(warning)
    return uploaded


async def upload_one(
    context: ProjectContext, filename: str, data: upload.SpooledUpload
) -> MediaItemView | Literal[Failure.FAILED]:
    """The new item, or the one that already had these bytes (the editor places either)."""
    uploaded = await upload_file(context, filename, data)
    return FAILED if uploaded is FAILED else uploaded[0]


def spooled(file: ui.upload.FileUpload) -> upload.SpooledUpload:
    """NiceGUI keeps files over 1 MB on disk; the upload reads one, through the event loop, once a slot is free."""
    loop = asyncio.get_running_loop()
    return upload.SpooledUpload(
        file.size(), lambda: asyncio.run_coroutine_threadsafe(file.read(), loop).result()
    )


class UploadZone:
    """The browser checks type, size and count first for a quick answer; the server checks all again."""

    def __init__(
        self,
        context: ProjectContext,
        on_uploaded: Callable[[MediaItemView], Any],
        folder: Callable[[], UUID | None] = lambda: None,
    ) -> None:
        """`folder` says where uploads go now (the folder shown)."""
        settings = get_settings()
        self._context = context
        self._on_uploaded = on_uploaded
        self._folder = folder
        self._limits = (settings.max_upload_mb, settings.max_files_per_upload)
        self.element = (
            ui.upload(
                multiple=True,
                auto_upload=True,
                max_file_size=settings.max_upload_bytes,
                max_files=settings.max_files_per_upload,
                on_upload=self._handle_upload,
            )
            .props("flat bordered")
            .classes("w-full nexus-upload")
        )
        self.element.props["accept"] = formats.ACCEPT
        limits = (
            f"{formats.NAMES} · up to {settings.max_files_per_upload} at a time · "
            f"{settings.max_upload_mb} MB each"
        )
        with self.element.add_slot("header"):
            with ui.row().classes("items-center gap-4 p-4 w-full"):
                ui.icon("cloud_upload", size="32px", color="primary")
                with ui.column().classes("col gap-0").style("min-width: 12rem"):
                    ui.label("Drop images here, or choose files").classes(
                        "text-body2 text-weight-medium text-grey-9"
                    )
                    ui.label(limits).classes("text-caption text-grey-8")
                uploading_spinner()
                choose_button("Choose files", icon="add_photo_alternate", test_id="choose-files")
                file_input()
        self.element.add_slot("list", LIST_SLOT)
        self.element.props("data-testid=upload-zone")
        self.element.on("rejected", self._handle_rejected, js_handler=REJECTED_JS)
        self.element.on("finish", lambda: ui.timer(4, self.element.reset, once=True))
        self._notices = ui.column().classes("w-full gap-2")
        self._notices.props["aria-live"] = "polite"

    async def _handle_upload(self, event: events.UploadEventArguments) -> None:
        await self._store(event.file, allow_duplicates=False)

    async def _store(self, file: ui.upload.FileUpload, *, allow_duplicates: bool) -> bool:
        """Whether a new item was made; a copy of an existing one is named with that item instead."""
        with self._notices:
            uploaded = await upload_file(
                self._context,
                file.name,
                spooled(file),
                folder_id=self._folder(),
                allow_duplicates=allow_duplicates,
            )
            if uploaded is FAILED:
                return False
            if uploaded.duplicates:
                existing = uploaded.duplicates[0].existing
                duplicate_notice(file.name, existing, lambda: self._store(file, allow_duplicates=True))
                return False
            ui.notify(f"Uploaded “{uploaded[0].filename}”", type="positive", timeout=2500)
            result = self._on_uploaded(uploaded[0])
            if hasattr(result, "__await__"):
                await result
            return True

    def _handle_rejected(self, event: events.GenericEventArguments) -> None:
        max_mb, max_files = self._limits
        reasons = {
            "max-file-size": f"is larger than {max_mb} MB",
            "accept": f"is not a supported image ({formats.NAMES})",
            "max-files": f"was not added: at most {max_files} files at a time",
        }
        for entry in event.args or []:
            reason = reasons.get(entry.get("reason"), "was refused")
            notify_warning(f"“{entry.get('name')}” {reason}.")
