"""Thumbnail tiles, shared by the media library and the media picker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from nicegui import ui

from nexus_core.media import formats, paths, renditions
from nexus_core.models import MediaStatus
from nexus_core.read_models import MediaItemView
from nexus_ui.components.folder_tree import DRAG_TYPE
from nexus_ui.components.grid_keys import GRID_ATTRIBUTE, TILE_ATTRIBUTE
from nexus_ui.components.selection import GESTURE_ARGS, Gesture, Selection

OPEN_ATTRIBUTE = "data-open-item"
"""On what opens an item's details (a tile, a list row's name): where the focus goes back to."""
STATUS_LOOK = {
    MediaStatus.PENDING: ("schedule", "Waiting to be processed", "bg-amber-700"),
    MediaStatus.PROCESSING: ("autorenew", "Processing", "bg-sky-700"),
    MediaStatus.ERROR: ("error", "Processing failed", "bg-red-700"),
}


def preview_url(item: MediaItemView, variant: renditions.Rendition = renditions.THUMB) -> str | None:
    """The variant when it exists; the original only once processing is done without making one (an
    SVG, or a picture narrower than the variant); None while processing: a tile must never pull a
    20 MB original."""
    path = item.variants.get(variant.name)
    if path is None and item.status == MediaStatus.READY:
        path = item.file_path
    return paths.url(path) if path else None


def preview(item: MediaItemView, variant: renditions.Rendition, classes: str) -> None:
    """The item's picture in a tile, with its placeholder (a tiny copy, inline, so it shows at once)
    painted behind it until the variant arrives; only for opaque pictures, which cover it."""
    source = preview_url(item, variant)
    if source is None:
        return
    image = ui.element("img").classes(classes).props("loading=lazy decoding=async")
    image.props.update(src=source, alt=item.alt_text)
    if item.placeholder is not None and item.placeholder.opaque:
        image.style.update(PLACEHOLDER_STYLE)
        image.style["background-image"] = f"url({item.placeholder.lqip})"  # a dict entry: no CSS parsing


PLACEHOLDER_STYLE = {
    "background-size": "contain",  # where object-fit: contain puts the picture
    "background-position": "center",
    "background-repeat": "no-repeat",
}


class MediaTile:
    """One tile, a button: click, Enter and Space do `on_click` (told of Shift and Ctrl/Cmd), unless
    Enter has its own `on_enter` (the picker: Space selects, Enter chooses). The card outlives changes
    of its item (`show`): a click or the keyboard focus on a tile is never lost to a neighbour's
    processing finishing."""

    def __init__(
        self,
        item: MediaItemView,
        *,
        selected: bool,
        on_click: Callable[[MediaItemView, Gesture], object],
        on_enter: Callable[[MediaItemView], object] | None = None,
    ) -> None:
        self.item = item
        self._shown_look: tuple[object, ...] | None = None
        classes = "nexus-tile cursor-pointer p-0 gap-0 rounded-xl overflow-hidden w-full"
        card = self.card = ui.card().classes(classes + (" selected" if selected else ""))
        card.props("flat bordered data-testid=media-tile tabindex=0 role=button")
        card.props.update({"data-item-id": str(item.id), TILE_ATTRIBUTE: "", OPEN_ATTRIBUTE: str(item.id)})
        card.on("click", lambda event: on_click(self.item, Gesture.of(event.args)), GESTURE_ARGS)
        enter = on_enter or (lambda item: on_click(item, Gesture()))
        card.on("keydown.enter.prevent", lambda: enter(self.item))
        card.on(
            "keydown.space.prevent", lambda event: on_click(self.item, Gesture.of(event.args)), GESTURE_ARGS
        )
        self.show(item)

    def show(self, item: MediaItemView) -> None:
        """Draw the tile's insides for `item` as it is now; its name is its text: the filename, the
        status badge while not ready, the type and size."""
        self.item = item  # what the handlers act on, even when the tile looks the same
        look = _look(item)
        if look == self._shown_look:
            return
        self._shown_look = look
        self.card.props["data-status"] = str(item.status)
        self.card.clear()
        with self.card:
            with ui.element("div").classes(
                "nexus-checker relative w-full aspect-square flex items-center justify-center"
            ):
                if item.status == MediaStatus.ERROR:
                    ui.icon("broken_image").classes("text-5xl text-slate-300")
                else:
                    preview(item, renditions.THUMB, "absolute inset-0 w-full h-full object-contain")
                if item.status in STATUS_LOOK:
                    _status_badge(item)
            with ui.column().classes("px-3 py-2 gap-0 w-full"):
                ui.label(item.filename).classes("text-sm font-medium text-slate-800 truncate w-full")
                ui.label(_summary(item)).classes("text-xs text-slate-500")
        self.card.update()


def _look(item: MediaItemView) -> tuple[object, ...]:
    """All a tile shows of its item: a change elsewhere (a format made by the second job, a tag) leaves
    the tile as it is."""
    placeholder = item.placeholder.lqip if item.placeholder is not None and item.placeholder.opaque else None
    return (
        item.status,
        item.error,
        preview_url(item),
        placeholder,
        item.alt_text,
        item.filename,
        _summary(item),
    )


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


class SelectableTile:
    """A library tile with its checkbox beside it (not inside: a button holds no other control),
    draggable onto a folder of the tree."""

    def __init__(
        self,
        item: MediaItemView,
        *,
        selected: bool,
        on_click: Callable[[MediaItemView, Gesture], object],
        on_check: Callable[[MediaItemView, Gesture], object] | None,
    ) -> None:
        with ui.element("div").classes("relative"):
            self.tile = MediaTile(item, selected=selected, on_click=on_click)
            self.card = self.tile.card.mark(f"tile-{item.id}")
            if on_check is None:
                self.check = None
                return
            self.card.props["draggable"] = "true"
            self.card.on("dragstart", js_handler=_DRAG_START)
            self.check = selection_checkbox(item, on_check, marker="tile-check")
        self.mark(selected)

    def mark(self, selected: bool) -> None:
        mark_selected(self.card, self.check, selected)

    def show(self, item: MediaItemView, uses: int) -> None:
        """As a list row's: a tile does not show `uses`."""
        del uses
        self.tile.show(item)


def selection_checkbox(
    item: MediaItemView, on_check: Callable[[MediaItemView, Gesture], object], *, marker: str
) -> ui.element:
    """A round checkbox (a button with the checkbox role): Space or a click, Shift for a range."""
    check = ui.element("button").classes("nexus-check")
    check.props.update({"type": "button", "role": "checkbox", "data-testid": marker})
    check.props["aria-label"] = f"Select {item.filename}"
    check.mark(f"check-{item.id}")
    check.on("click", lambda event: on_check(item, Gesture.of(event.args)), GESTURE_ARGS)
    with check:
        ui.icon("check")
    return check


def mark_selected(shown: ui.element, check: ui.element | None, selected: bool) -> None:
    """Show whether an item is selected on its tile or row, and say it on its checkbox."""
    if selected:
        shown.classes(add="selected")
    else:
        shown.classes(remove="selected")
    if check is not None:
        check.props["aria-checked"] = str(selected).lower()
        check.update()


_DRAG_START = (
    f"(e) => {{ e.dataTransfer.setData('{DRAG_TYPE}', e.currentTarget.dataset.itemId);"
    " e.dataTransfer.effectAllowed = 'move'; }"
)
GRID_CLASSES = "grid gap-4 w-full grid-cols-2 sm:grid-cols-3 md:grid-cols-4 xl:grid-cols-5"


def media_grid(
    items: Sequence[MediaItemView],
    *,
    selection: Selection | None,
    on_click: Callable[[MediaItemView, Gesture], object],
    on_check: Callable[[MediaItemView, Gesture], object] | None,
) -> dict[UUID, SelectableTile]:
    """The tiles of one page; returned by id so a change of selection marks them without a redraw."""
    tiles = {}
    grid = ui.element("div").classes(GRID_CLASSES).props("data-testid=media-grid").mark("media-grid")
    grid.props[GRID_ATTRIBUTE] = ""
    with grid:
        for item in items:
            selected = selection is not None and item.id in selection
            tiles[item.id] = SelectableTile(item, selected=selected, on_click=on_click, on_check=on_check)
    return tiles
