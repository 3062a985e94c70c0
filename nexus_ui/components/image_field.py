"""A template image field: "Select image" when empty; the image with Change and Remove when filled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from nexus_core.content.pages import image_field_value
from nexus_ui.components.focus import focus
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
        self._first_button: ui.button | None = None
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
                    self._first_button = select
                else:
                    ui.label("No image").classes("text-slate-500 text-sm")
                return
            with ui.element("div").classes("w-full rounded-xl overflow-hidden nexus-checker"):
                preview = ui.element("img").props("data-testid=image-field-preview")
                preview.props.update(src=self.value, alt="")
                preview.classes("w-full max-h-72 object-contain")
            if self._editable:  # always shown: a tap or a keyboard has no hover to reveal them
                with ui.row().classes("gap-2"):
                    change = ui.button("Change", icon="swap_horiz", on_click=self._select)
                    change.props("outline no-caps")
                    change.props["data-testid"] = f"change-{self._key}"
                    self._first_button = change
                    remove = ui.button("Remove", icon="delete_outline", on_click=self._remove)
                    remove.props("flat no-caps color=negative")
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
        if self._first_button is not None:  # the field's new button has the focus, as the old one had,
            focus(self._first_button, if_lost=True)  # unless the person has moved on meanwhile
        self._on_change(value)
