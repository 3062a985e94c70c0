"""The library as a table: thumbnail, name, type, dimensions, size, folder, tags, date and uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from uuid import UUID

from nicegui import ui

from nexus_core.media import formats
from nexus_core.read_models import MediaItemView
from nexus_ui.components.folder_index import FolderIndex
from nexus_ui.components.media_grid import OPEN_ATTRIBUTE, mark_selected, preview_url, selection_checkbox
from nexus_ui.components.selection import Gesture, Selection
from nexus_ui.format import dimensions, human_date, human_size

HEADINGS = ("Name", "Type", "Dimensions", "Size", "Folder", "Tags", "Uploaded", "Uses")


class ListRow:
    """One item's row; like a tile, the row outlives changes of its item (`show` draws its cells anew)."""

    def __init__(
        self,
        item: MediaItemView,
        *,
        folders: FolderIndex,
        uses: int,
        on_open: Callable[[MediaItemView], object],
        on_check: Callable[[MediaItemView, Gesture], object] | None,
    ) -> None:
        self.folders, self.on_open, self.on_check = folders, on_open, on_check
        self.item = item
        self.selected = False
        self.check: ui.element | None = None
        self._shown_look: tuple[object, ...] | None = None
        self.row = ui.element("tr").props("data-testid=media-row")
        self.row.props["data-item-id"] = str(item.id)
        self.show(item, uses)

    def mark(self, selected: bool) -> None:
        self.selected = selected
        mark_selected(self.row, self.check, selected)

    def show(self, item: MediaItemView, uses: int) -> None:
        """Draw the cells anew when what they show of `item` changed."""
        self.item = item
        image_format = formats.BY_MIME.get(item.mime_type)
        values = (
            image_format.name if image_format else item.mime_type,
            dimensions(item.width, item.height),
            human_size(item.file_size),
            self.folders.label(item.folder_id),
            ", ".join(item.tags) or "—",
            human_date(item.inserted_at),
            str(uses),
        )
        source = preview_url(item)
        look = (source, item.filename, values)
        if look == self._shown_look:
            return
        self._shown_look = look
        self.row.clear()
        with self.row:
            with ui.element("td"):
                if self.on_check is not None:
                    self.check = selection_checkbox(item, self.on_check, marker="row-check").classes("static")
            with ui.element("td"):
                if source is not None:
                    thumb = ui.element("img").props("loading=lazy decoding=async alt=''")
                    thumb.props["src"] = source
                    thumb.classes("w-12 h-12 object-cover rounded-md nexus-checker")
            with ui.element("td").classes("max-w-[16rem]"):
                name = ui.element("button").classes("nexus-link truncate max-w-full text-left")
                name.props.update({"type": "button", OPEN_ATTRIBUTE: str(item.id)})
                name.on("click", lambda: self.on_open(self.item))
                with name:
                    ui.label(item.filename).classes("truncate")
            for value in values:
                with ui.element("td"):
                    ui.label(value)
        self.mark(self.selected)


def media_list(
    items: Sequence[MediaItemView],
    *,
    folders: FolderIndex,
    uses: Mapping[UUID, int],
    selection: Selection | None,
    on_open: Callable[[MediaItemView], object],
    on_check: Callable[[MediaItemView, Gesture], object] | None,
) -> dict[UUID, ListRow]:
    rows = {}
    with ui.element("div").classes("w-full overflow-x-auto rounded-xl border border-slate-200 bg-white"):
        table = ui.element("table").classes("nexus-list w-full text-sm").props("data-testid=media-list")
        with table:
            with ui.element("thead"), ui.element("tr"):
                for heading in ("Selected" if on_check else "", "Preview", *HEADINGS):
                    with ui.element("th").props("scope=col"):
                        ui.label(heading).classes("sr-only" if heading in ("Selected", "Preview", "") else "")
            with ui.element("tbody"):
                for item in items:
                    selected = selection is not None and item.id in selection
                    rows[item.id] = ListRow(
                        item, folders=folders, uses=uses.get(item.id, 0), on_open=on_open, on_check=on_check
                    )
                    rows[item.id].mark(selected)
    return rows
