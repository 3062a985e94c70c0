"""The media picker: a dialog any page opens and awaits to get one image of the project, or None."""

from __future__ import annotations

from uuid import UUID

from nicegui import ui

from nexus_core.media import listing, tags
from nexus_core.policies import Action, can
from nexus_core.read_models import MediaItemView
from nexus_ui.calls import FAILED, call
from nexus_ui.components.alt_text_prompt import ask_for_alt_text
from nexus_ui.components.folder_index import upload_folder
from nexus_ui.components.folder_tree import FolderTree
from nexus_ui.components.grid_keys import GRID_ATTRIBUTE
from nexus_ui.components.heading import heading
from nexus_ui.components.library_filters import LibraryFilters
from nexus_ui.components.library_view import LibraryView
from nexus_ui.components.media_grid import MediaTile
from nexus_ui.components.upload_zone import UploadZone
from nexus_ui.session import ProjectContext

PAGE_SIZE = 30


class MediaPicker:
    """Browse, search or upload, then choose one image (WordPress's "Insert media").

    Only the loaded pages are queried and drawn ("Load more" adds the next), so a large library
    opens as fast as a small one. Images whose processing failed are shown greyed out and cannot
    be chosen, so the person sees why a file they know about is not usable.
    """

    def __init__(self, context: ProjectContext) -> None:
        self._context = context
        self._view = LibraryView()
        self._items: list[MediaItemView] = []
        self._total = 0
        self._selected: MediaItemView | None = None
        self._tiles: dict[UUID, ui.card] = {}
        self._dialog = ui.dialog()
        self._dialog.props["aria-label"] = "Choose an image"
        with (
            self._dialog,
            ui.card()
            .classes("w-[960px] max-w-[95vw] max-h-[85vh] p-0 gap-0 flex-nowrap")
            .props("data-testid=media-picker")
            .mark("media-picker"),
        ):
            self._build_header()
            self._build_body()
            self._build_footer()
        self._select(None)

    async def pick(self) -> MediaItemView | None:
        """Open the dialog and wait: the chosen item, or None when cancelled or closed with Esc.
        An image without alt text is handed over only once described or called decorative."""
        self._select(None)
        self._view = LibraryView()
        known = await call(self._context, tags.list_tags)
        self._filters_area.clear()
        with self._filters_area:
            names = [] if known is FAILED else [tag.name for tag in known]
            LibraryFilters(self._view, names, self._show, arrangement=False, marker="picker")
        self._tree.show(None)
        if not await self._tree.load() or not await self._reload():
            return None
        result = await self._dialog
        if not isinstance(result, MediaItemView):
            return None
        return result if result.alt_text else await ask_for_alt_text(self._context, result)

    def _build_header(self) -> None:
        with ui.column().classes("w-full gap-2 px-5 py-3 border-b border-slate-200"):
            with ui.row().classes("w-full items-center gap-3"):
                heading("Choose an image", level=2)
                ui.space()
                self._tree_toggle = ui.row().classes("lg:hidden")
            self._filters_area = ui.column().classes("w-full gap-2")

    def _build_body(self) -> None:
        with ui.row().classes("w-full grow min-h-0 gap-4 px-5 py-4 no-wrap"):
            self._tree = FolderTree(self._context, on_open=self._open_folder, marker="picker-folders")
            self._tree.panel.classes("w-52 shrink-0 self-start")
            with self._tree_toggle:
                self._tree.toggle_button()
            with ui.column().classes("grow min-w-0 min-h-0 overflow-y-auto gap-3 no-wrap self-stretch"):
                if can(self._context.role_at_open, Action.UPLOAD):
                    zone = UploadZone(
                        self._context,
                        on_uploaded=self._add_uploaded,
                        folder=lambda: upload_folder(self._view.filters.folder),
                    )
                    zone.element.classes("shrink-0")  # a short phone screen scrolls; it never squeezes
                self._hint = (
                    ui.label()
                    .classes("text-sm text-slate-500")
                    .props("data-testid=picker-hint")
                    .mark("picker-hint")
                )
                self._grid = ui.element("div").classes(
                    "grid gap-3 w-full grid-cols-2 sm:grid-cols-3 md:grid-cols-4"
                )
                self._grid.props[GRID_ATTRIBUTE] = ""
                with ui.row().classes("w-full justify-center"):
                    self._load_more = (
                        ui.button("Load more", on_click=self._load_next_page)
                        .props("flat data-testid=picker-load-more")
                        .mark("picker-load-more")
                    )

    def _build_footer(self) -> None:
        with ui.row().classes("w-full items-center gap-3 px-5 py-3 border-t border-slate-200"):
            self._selection = (
                ui.label()
                .classes("text-sm text-slate-600 truncate max-w-[60%]")
                .props("data-testid=picker-selection")
                .mark("picker-selection")
            )
            ui.space()
            ui.button("Cancel", on_click=self._dialog.close).props(
                "flat color=secondary data-testid=picker-cancel"
            ).mark("picker-cancel")
            self._choose_button = (
                ui.button("Choose", on_click=lambda: self._choose(self._selected))
                .props("unelevated data-testid=picker-choose")
                .mark("picker-choose")
            )

    async def _show(self, view: LibraryView) -> None:
        self._view = view
        await self._reload()

    async def _open_folder(self, folder: listing.Folder) -> None:
        """Inside the dialog: the tree row that asked is drawn anew meanwhile."""
        with self._dialog:
            self._tree.show(folder)
            await self._show(self._view.filtered(folder=folder))

    async def _reload(self) -> bool:
        """Show the first page for the current search; False when it could not be loaded."""
        page = await self._fetch(offset=0)
        if page is None:
            return False
        self._items.clear()
        self._tiles.clear()
        self._grid.clear()
        self._append(page)
        return True

    async def _load_next_page(self) -> None:
        page = await self._fetch(offset=len(self._items))
        if page is not None:
            self._append(page)

    async def _fetch(self, *, offset: int) -> listing.MediaPage | None:
        """None on failure, or when the view changed meanwhile (a newer answer is on its way)."""
        view = self._view
        page = await call(
            self._context, listing.list_items, limit=PAGE_SIZE, offset=offset, filters=view.filters
        )
        return page if page is not FAILED and view == self._view else None

    def _append(self, page: listing.MediaPage) -> None:
        self._total = page.total
        known = {item.id for item in self._items}
        fresh = [item for item in page.items if item.id not in known]
        self._items.extend(fresh)
        with self._grid:
            for item in fresh:
                self._add_tile(item)
        self._show_status()

    def _add_tile(self, item: MediaItemView) -> ui.card:
        selected = self._selected is not None and self._selected.id == item.id
        tile = MediaTile(
            item, selected=selected, on_click=lambda item, _: self._select(item), on_enter=self._choose
        ).card
        tile.props("data-testid=picker-tile").mark("picker-tile", f"picker-tile-{item.id}")
        if item.placeable:
            tile.on("dblclick", lambda: self._choose(item))
        else:
            tile.classes(remove="cursor-pointer", add="opacity-50 cursor-not-allowed")
            tile.props("aria-disabled=true")
        self._tiles[item.id] = tile
        return tile

    def _add_uploaded(self, item: MediaItemView) -> None:
        """A fresh upload goes first and is selected at once, whatever its processing status."""
        self._items.insert(0, item)
        self._total += 1
        with self._grid:
            self._add_tile(item).move(target_index=0)
        self._select(item)
        self._show_status()

    def _show_status(self) -> None:
        shown, total = len(self._items), self._total
        query = self._view.filters.q
        if total == 0 and set(self._view.filters.as_params()) - {"folder"}:
            self._hint.set_text(f"No images match “{query}”." if query else "No images match these filters.")
        elif total == 0 and self._view.filters.folder is not None:
            self._hint.set_text("No images in this folder.")
        elif total == 0:
            uploading = can(self._context.role_at_open, Action.UPLOAD)
            self._hint.set_text("No images yet." + (" Upload one above." if uploading else ""))
        else:
            self._hint.set_text(f"Showing {shown} of {total} image{'s' if total != 1 else ''}, newest first")
        self._load_more.set_visibility(shown < total)

    def _select(self, item: MediaItemView | None) -> None:
        if item is not None and not item.placeable:
            return
        if self._selected is not None and (previous := self._tiles.get(self._selected.id)):
            previous.classes(remove="selected")
        self._selected = item
        if item is not None and (tile := self._tiles.get(item.id)):
            tile.classes(add="selected")
        self._choose_button.set_enabled(item is not None)
        self._selection.set_text(f"Selected: {item.filename}" if item else "Nothing selected")

    def _choose(self, item: MediaItemView | None) -> None:
        if item is not None and item.placeable:
            self._dialog.submit(item)
