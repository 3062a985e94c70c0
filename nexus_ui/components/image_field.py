"""A template image field: "Select image" when empty; the image with its alt text for this page, Change and
Remove when filled. The value is what the field stores (a reference to the item, or an http(s) URL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import background_tasks, ui

from nexus_core.content.pages import field_preview, image_field_value, placed_image
from nexus_core.media.renditions import Aspect
from nexus_core.read_models import PlacedImage
from nexus_ui.calls import FAILED, call
from nexus_ui.components.focus import focus
from nexus_ui.components.media_picker import MediaPicker
from nexus_ui.session import ProjectContext

FieldValue = dict[str, str] | str


class ImageField:
    def __init__(
        self,
        context: ProjectContext,
        *,
        key: str,
        label: str,
        value: FieldValue,
        image: PlacedImage | None,
        editable: bool,
        on_change: Callable[[FieldValue], Any],
        aspect: Aspect | None = None,
    ) -> None:
        """With an `aspect`, the preview is the item's crop of that shape, as the published page shows it."""
        self._context = context
        self._aspect = aspect
        self._key = key
        self._editable = editable
        self._on_change = on_change
        self.value = value
        self._image = image
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
                preview.props.update(src=self._image.url if self._image else self.value, alt="")
                preview.classes("w-full max-h-72 object-contain")
                if self._aspect is not None and self._image is not None:
                    background_tasks.create(self._show_shaped(preview, self._image, self._aspect))
            if isinstance(self.value, dict) and self._image is not None:
                self._alt_input(self.value, self._image)
            if self._editable:  # always shown: a tap or a keyboard has no hover to reveal them
                with ui.row().classes("gap-2"):
                    change = ui.button("Change", icon="swap_horiz", on_click=self._select)
                    change.props("outline no-caps")
                    change.props["data-testid"] = f"change-{self._key}"
                    self._first_button = change
                    remove = ui.button("Remove", icon="delete_outline", on_click=self._remove)
                    remove.props("flat no-caps color=negative")
                    remove.props["data-testid"] = f"remove-{self._key}"

    def _alt_input(self, reference: dict[str, str], image: PlacedImage) -> None:
        """This page's alt text for the image; its placeholder is the item's own, used when it is empty."""
        alt = ui.input(
            "Alt text for this page",
            value=reference.get("alt", ""),
            placeholder=image.alt_text or "The image has no alt text",
            on_change=lambda event: self._change_alt(event.value),
        )
        alt.props("outlined dense").classes("w-full")
        alt.props["hint"] = "Empty: the image's own alt text, kept up to date"
        alt.props["data-testid"] = f"alt-{self._key}"
        alt.props.set_bool("readonly", not self._editable)
        alt.mark(f"alt-{self._key}")

    def _change_alt(self, text: str | None) -> None:
        if isinstance(self.value, dict):
            self.value = {**self.value, "alt": text or ""}
            self._on_change(self.value)

    async def _show_shaped(self, preview: ui.element, image: PlacedImage, aspect: Aspect) -> None:
        shaped = await call(self._context, field_preview, image=image, aspect=aspect)
        if shaped is not FAILED and image == self._image and not preview.is_deleted:
            preview.props["src"] = shaped
            preview.update()

    async def _select(self) -> None:
        item = await MediaPicker(self._context).pick()
        if item is not None:
            self._set(image_field_value(item), placed_image(item))

    def _remove(self) -> None:
        self._set("", None)

    def _set(self, value: FieldValue, image: PlacedImage | None) -> None:
        self.value, self._image = value, image
        self._render()
        if self._first_button is not None:  # the field's new button has the focus, as the old one had,
            focus(self._first_button, if_lost=True)  # unless the person has moved on meanwhile
        self._on_change(value)
