"""Thumbnail tiles, shared by the media library and the media picker."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nicegui import ui

from nexus_core.media import formats, paths, renditions
from nexus_core.models import MediaStatus
from nexus_core.read_models import MediaItemView
from nexus_ui.components.grid_keys import TILE_ATTRIBUTE

STATUS_LOOK = {
    MediaStatus.PENDING: ("schedule", "Waiting to be processed", "bg-amber-700"),
    MediaStatus.PROCESSING: ("autorenew", "Processing", "bg-sky-700"),
    MediaStatus.ERROR: ("error", "Processing failed", "bg-red-700"),
}


def preview_url(item: MediaItemView, variant: renditions.Rendition = renditions.THUMB) -> str:
    """The variant when it exists, else the original (SVGs and images not processed yet)."""
    return paths.url(item.variants.get(variant.name) or item.file_path)


def media_tile(
    item: MediaItemView,
    *,
    selected: bool,
    on_click: Callable[[MediaItemView], object],
    on_enter: Callable[[MediaItemView], object] | None = None,
) -> ui.card:
    """One tile, a button: click, Enter and Space do `on_click`, unless Enter has its own `on_enter`
    (the picker: Space selects, Enter chooses). Returned so a caller can add events and markers."""
    classes = "nexus-tile cursor-pointer p-0 gap-0 rounded-xl overflow-hidden w-full"
    card = ui.card().classes(classes + (" selected" if selected else ""))
    card.props("flat bordered data-testid=media-tile tabindex=0 role=button")
    # Its name is its text: the filename, the status badge while not ready, the type and size.
    card.props.update({"data-item-id": str(item.id), "data-status": str(item.status)})
    card.props[TILE_ATTRIBUTE] = ""
    card.on("click", lambda: on_click(item))
    card.on("keydown.enter.prevent", lambda: (on_enter or on_click)(item))
    card.on("keydown.space.prevent", lambda: on_click(item))
    with card:
        with ui.element("div").classes(
            "nexus-checker relative w-full aspect-square flex items-center justify-center"
        ):
            if item.status == MediaStatus.ERROR:
                ui.icon("broken_image").classes("text-5xl text-slate-300")
            else:
                image = ui.element("img").props("loading=lazy decoding=async")
                image.props.update(src=preview_url(item), alt=item.alt_text)
                image.classes("absolute inset-0 w-full h-full object-contain")
            if item.status in STATUS_LOOK:
                _status_badge(item)
        with ui.column().classes("px-3 py-2 gap-0 w-full"):
            ui.label(item.filename).classes("text-sm font-medium text-slate-800 truncate w-full")
            ui.label(_summary(item)).classes("text-xs text-slate-500")
    return card


def _status_badge(item: MediaItemView) -> None:
    icon, label, colour = STATUS_LOOK[MediaStatus(item.status)]
    with ui.row().classes(
        f"absolute top-2 left-2 items-center gap-1 rounded-full px-2 py-0.5 text-white text-xs {colour}"
    ):
        spinner = " animate-spin" if item.status == MediaStatus.PROCESSING else ""
        ui.icon(icon).classes("text-sm" + spinner)
        ui.label(item.status).props("data-testid=tile-status")
        ui.tooltip(item.error or label)


def _summary(item: MediaItemView) -> str:
    image_format = formats.BY_MIME.get(item.mime_type)
    kind = image_format.extension.upper() if image_format else ""
    size = f"{item.width} × {item.height}" if item.width and item.height else ""
    return " · ".join(part for part in (kind, size) if part)


def media_grid(
    items: Sequence[MediaItemView], *, selected_id: object = None, on_click: Callable[[MediaItemView], object]
) -> None:
    with (
        ui.element("div")
        .classes("grid gap-4 w-full grid-cols-2 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-5 xl:grid-cols-6")
        .props("data-testid=media-grid")
    ):
        for item in items:
            media_tile(item, selected=item.id == selected_id, on_click=on_click)
