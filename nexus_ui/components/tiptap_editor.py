"""The TipTap rich-text editor as a NiceGUI element (value: the TipTap JSON document).

Its JavaScript lives in assets/tiptap (bundled by `./dev` into nexus_ui/static/tiptap). Files
dropped or pasted on it are posted to a per-element upload URL, like NiceGUI's own ui.upload,
and go through the same upload use case as every other upload.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from nicegui import app, events, ui
from nicegui.elements.mixins.value_element import ValueElement
from starlette.datastructures import UploadFile

from nexus_core.media import formats
from nexus_core.media.upload import SpooledUpload
from nexus_ui.calls import FAILED, Failure

ImageAttributes = dict[str, str]
UploadHandler = Callable[[str, SpooledUpload], Awaitable[ImageAttributes | Failure]]


class TiptapEditor(
    ValueElement[dict], component="tiptap_editor.js", esm={"nexus-tiptap": "../static/tiptap"}
):
    VALUE_PROP = "value"
    LOOPBACK = False

    def __init__(
        self,
        *,
        value: dict[str, Any],
        on_change: Callable[[events.ValueChangeEventArguments], Any] | None = None,
        on_pick_image: Callable[[], Awaitable[ImageAttributes | None]],
        on_upload: UploadHandler,
        label: str,
        item_alts: dict[str, str],
        placeholder: str = "Write something, or type / for commands…",
        editable: bool = True,
    ) -> None:
        super().__init__(value=value, on_value_change=on_change)
        self._props["placeholder"] = placeholder
        self._props["label"] = label
        self._props["editable"] = editable
        self._props["item_alts"] = dict(item_alts)  # by media id: the placeholder of an image's alt override
        self._props["accept"] = formats.ACCEPT  # which dropped or pasted files are sent at all
        self._on_pick_image = on_pick_image
        self._on_upload = on_upload
        self._upload_url = f"/_nicegui/client/{self.client.id}/tiptap/{self.id}/upload"
        self._props["upload_url"] = self._upload_url
        app.post(self._upload_url, include_in_schema=False)(self._receive_upload)
        self.on("pick_image", self._pick_image)
        self.on("upload_error", self._show_upload_error)
        self.uploads_in_flight = 0
        self.on("uploads", self._count_uploads)

    async def _pick_image(self) -> None:
        attributes = await self._on_pick_image()
        if attributes:
            self.run_method("insertImage", attributes)

    async def _receive_upload(self, request: Request) -> JSONResponse:
        async with request.form(max_files=1, max_fields=1) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                return JSONResponse({"detail": "Send one image in the field “file”."}, status_code=422)
            # In the form's scope: the spooled file is read once an upload slot is free.
            image = await self._on_upload(upload.filename or "image", SpooledUpload.from_form(upload))
        if image is FAILED:  # the person has been told why; the browser only drops the placeholder
            return JSONResponse({"reported": True}, status_code=400)
        return JSONResponse({"image": image}, status_code=201)

    def _count_uploads(self, event: events.GenericEventArguments) -> None:
        self.uploads_in_flight = int(event.args or 0)

    def _show_upload_error(self, event: events.GenericEventArguments) -> None:
        ui.notify(
            event.args.get("detail", "The upload failed."), type="negative", multi_line=True, timeout=8000
        )

    def know_item_alt(self, media_id: str, alt_text: str) -> None:
        """An image just put in: its item's alt text, shown where this page's own alt text is empty."""
        self._props["item_alts"] = {**self._props["item_alts"], media_id: alt_text}
        self.update()

    def set_document(self, document: dict[str, Any]) -> None:
        """Replace the content without echoing it back as a change."""
        self.set_value(document)
        self.run_method("setValue", document)

    async def current_document(self) -> dict[str, Any]:
        """The document as the browser has it now, without waiting for the debounced change."""
        try:
            answer = await self.run_method("currentDocument", timeout=3)
        except TimeoutError:  # the browser is gone; the last debounced change is the best we have
            return self.value
        if isinstance(answer, dict) and isinstance(answer.get("document"), dict):
            self.uploads_in_flight = int(answer.get("uploading") or 0)
            self.set_value(answer["document"])
        return self.value

    def _handle_delete(self) -> None:
        app.remove_route(self._upload_url)
        super()._handle_delete()
