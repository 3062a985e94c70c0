"""A template image field: "Select image" when empty; the image with Change and Remove when filled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from nexus_core.content.pages import image_field_value
from nexus_ui.components.media_picker import MediaPicker
from nexus_ui.session import ProjectContext


class ImageField:
    def __init__(
        self,
        context: ProjectContext,
        *,
        key: str,
        label: str,
        value: str,
        editable: bool,
        on_change: Callable[[str], Any],
    ) -> None:
        self._context = context
        self._key = key
        self._editable = editable
        self._on_change = on_change
        self.value = value
        with ui.column().classes("w-full gap-1"):
            ui.label(label).classes("text-sm font-medium text-slate-700")
            self._area = ui.column().classes("w-full")
            self._area.props["data-testid"] = f"image-field-{key}"
        self._render()

    def _render(self) -> None:
        self._area.clear()
        with self._area:
            if not self.value:
                if self._editable:
                    select = ui.button("Select image", icon="add_photo_alternate", on_click=self._select)
                    select.props("outline no-caps").classes("w-full py-6 border-dashed")
                    select.props["data-testid"] = f"select-{self._key}"
                else:
                    ui.label("No image").classes("text-slate-400 text-sm")
                return
            with ui.element("div").classes("group relative w-full rounded-xl overflow-hidden nexus-checker"):
                preview = ui.element("img").props("data-testid=image-field-preview")
                preview.props.update(src=self.value, alt="")
                preview.classes("w-full max-h-72 object-contain")
                if self._editable:
                    with ui.row().classes(
                        "absolute inset-0 items-center justify-center gap-2 bg-slate-900/50 opacity-0 "
                        "group-hover:opacity-100 focus-within:opacity-100 transition-opacity"
                    ):
                        change = ui.button("Change", icon="swap_horiz", on_click=self._select)
                        change.props("unelevated color=white text-color=primary no-caps")
                        change.props["data-testid"] = f"change-{self._key}"
                        remove = ui.button("Remove", icon="delete_outline", on_click=self._remove)
                        remove.props("unelevated color=white text-color=negative no-caps")
                        remove.props["data-testid"] = f"remove-{self._key}"

    async def _select(self) -> None:
        item = await MediaPicker(self._context).pick()
        if item is not None:
            self._set(image_field_value(item))

    def _remove(self) -> None:
        self._set("")

    def _set(self, value: str) -> None:
        self.value = value
        self._render()
        self._on_change(value)
