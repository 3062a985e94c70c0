"""/admin/{slug}/media: upload, browse folders, search, filter, select and manage a project's images.
What is shown lives in the URL query, so a reload or a shared link opens the same view."""

from __future__ import annotations

import math
from dataclasses import dataclass
from uuid import UUID

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core.errors import NotFound
from nexus_core.media import bulk, folders, library, listing, tags
from nexus_core.models import MediaStatus
from nexus_core.policies import Action, can
from nexus_core.read_models import MediaItemView
from nexus_ui.calls import FAILED, call, load
from nexus_ui.components.bulk_bar import BulkBar, images
from nexus_ui.components.folder_actions import FolderActions
from nexus_ui.components.folder_index import ALL_IMAGES, FolderIndex, upload_folder
from nexus_ui.components.folder_tree import FolderTree
from nexus_ui.components.heading import heading
from nexus_ui.components.library_filters import LibraryFilters
from nexus_ui.components.library_view import LibraryView
from nexus_ui.components.media_detail import MediaDetailPanel
from nexus_ui.components.media_grid import SelectableTile, media_grid
from nexus_ui.components.media_list import ListRow, media_list
from nexus_ui.components.selection import Gesture, Selection
from nexus_ui.components.upload_zone import UploadZone
from nexus_ui.layout import project_frame
from nexus_ui.session import ProjectContext, open_project_page

PAGE_SIZE = 48


class MediaLibrary:
    """Only the visible page is queried and rendered, so 10,000 items open as fast as 10."""

    def __init__(self, context: ProjectContext, view: LibraryView, start: LibraryStart) -> None:
        self.context = context
        self.view = view
        self.result = start.page
        self.uses = start.uses
        self.editable = can(context.role_at_open, Action.EDIT_MEDIA)
        self.selection = Selection()
        self.shown: dict[UUID, SelectableTile | ListRow] = {}
        self.page_toggle: ui.button | None = None
        self.detail = MediaDetailPanel(context, on_changed=self.reload, neighbours=self._neighbours)
        self.frame = ui.context.slot.parent
        """Where what a handler adds (a notification, a dialog) goes: tiles, the tree and the path are
        drawn anew while their handlers run."""
        self._build(start)
        ui.timer(2.0, self._refresh_live_tiles)

    def _build(self, start: LibraryStart) -> None:
        with ui.row().classes("w-full items-end gap-3"):
            with ui.column().classes("gap-0"):
                heading("Media")
                self.count_label = (
                    ui.label().classes("text-sm text-slate-500").props("data-testid=media-count")
                )
        if can(self.context.role_at_open, Action.UPLOAD):
            UploadZone(
                self.context,
                on_uploaded=lambda _item: self.reload(),
                folder=lambda: upload_folder(self.view.filters.folder),
            )
        with ui.row().classes("w-full items-start gap-6 no-wrap"):
            self.tree = FolderTree(
                self.context,
                on_open=self.open_folder,
                on_drop=self.move_dropped if self.editable else None,
                on_new=(lambda: self.actions.create_in_shown()) if self.editable else None,
            )
            self.tree.panel.classes("w-60 shrink-0")
            self.tree.index = start.folders
            self.tree.show(self.view.filters.folder)
            self.actions = FolderActions(self.context, self.tree, on_changed=self.open_folder)
            with ui.column().classes("grow min-w-0 gap-3"):
                with ui.row().classes("w-full items-center gap-2 no-wrap"):
                    self.tree.toggle_button()
                    self.crumbs()
                self.filters = LibraryFilters(self.view, start.tag_names, self.apply)
                if self.editable:
                    self.bulk = BulkBar(
                        self.context,
                        self.selection,
                        folders=lambda: self.tree.index,
                        on_select_matching=self.select_matching,
                        on_selection_changed=self.selection_changed,
                        on_changed=self.reload,
                    )
                self.grid_area()  # page 1 goes out with the HTML: no wait for the websocket

    @ui.refreshable_method
    def crumbs(self) -> None:
        """All images, then each folder down to the one shown, each a step back up; then its actions."""
        shown = self.view.filters.folder
        index = self.tree.index
        steps: list[tuple[str, listing.Folder]] = [(ALL_IMAGES, None)]
        if shown == listing.ROOT:
            steps.append((index.title(shown), shown))
        elif isinstance(shown, UUID):
            steps.extend((folder.name, folder.id) for folder in index.path(shown))
        nav = ui.element("nav").classes("flex items-center gap-1 min-w-0 text-sm").mark("folder-path")
        nav.props.update({"aria-label": "Folder path", "data-testid": "folder-path"})
        with nav:
            for position, (name, target) in enumerate(steps):
                if position:
                    ui.icon("chevron_right").classes("text-base text-slate-400")
                if position == len(steps) - 1:
                    ui.label(name).classes("font-medium text-slate-800 truncate").props(
                        "aria-current=location"
                    )
                else:
                    step = ui.element("button").classes("nexus-link truncate").props("type=button")
                    step.on("click", lambda target=target: self.open_folder(target))
                    with step:
                        ui.label(name)
        if self.editable and isinstance(shown, UUID) and shown in index.by_id:
            self.actions.menu(shown)

    async def open_folder(self, target: listing.Folder) -> None:
        await self.apply(self.view.filtered(folder=target))

    async def apply(self, view: LibraryView) -> None:
        """Show `view` and keep it in the URL (replaced, so Back leaves the library as before)."""
        with self.frame:
            await self._apply(view)

    async def _apply(self, view: LibraryView) -> None:
        if (view.filters, view.sort) != (self.view.filters, self.view.sort):
            self.selection.clear()
        self.view = view
        self.filters.follow(view)
        self.tree.show(view.filters.folder)
        self.crumbs.refresh()
        await self.reload(redraw=True)
        query = self.view.query()
        ui.navigate.history.replace(
            f"/admin/{self.context.project.slug}/media" + (f"?{query}" if query else "")
        )

    async def reload(self, *, redraw: bool = False) -> None:
        """Read the page again; when it holds the same items, only the tiles or rows that changed are
        drawn again, so what someone is clicking or has focused stays where it is."""
        result = await call(self.context, listing.list_items, **self.view.list_arguments(PAGE_SIZE))
        if result is FAILED:
            return
        if not result.items and self.view.page > 1:  # the last images of this page went: the one before
            self.view = self.view.changed(page=max(1, math.ceil(result.total / PAGE_SIZE)))
            await self.reload(redraw=True)
            return
        before, used_before = self.result, self.uses
        self.result = result
        if self.view.view == "list":
            ids = [item.id for item in result.items]
            uses = await call(self.context, library.usage_counts, item_ids=ids)
            self.uses = {} if uses is FAILED else uses
        same_items = [item.id for item in result.items] == [item.id for item in before.items]
        if (
            redraw
            or not same_items
            or result.total != before.total
            or self.shown.keys() != {item.id for item in result.items}
        ):
            self.grid_area.refresh()
            return
        for item, old in zip(result.items, before.items, strict=True):
            uses_now = self.uses.get(item.id, 0)
            if item != old or uses_now != used_before.get(item.id, 0):
                self.shown[item.id].show(item, uses_now)
        self.selection_changed()

    @ui.refreshable_method
    def grid_area(self) -> None:
        total = self.result.total
        self.count_label.set_text(images(total, estimated=self.result.total_estimated))
        with ui.column().classes("w-full gap-3"):
            if not self.result.items:
                self._empty_state()
            else:
                if self.editable:
                    self._page_selector()
                self._items()
                self._pagination(total)
        self.selection_changed()

    def _items(self) -> None:
        check = self._check if self.editable else None
        if self.view.view == "list":
            self.shown = dict(
                media_list(
                    self.result.items,
                    folders=self.tree.index,
                    uses=self.uses,
                    selection=self.selection,
                    on_open=self._open_detail,
                    on_check=check,
                )
            )
        else:
            self.shown = dict(
                media_grid(
                    self.result.items, selection=self.selection, on_click=self._clicked, on_check=check
                )
            )

    def _pagination(self, total: int) -> None:
        pages = max(1, math.ceil(total / PAGE_SIZE))
        if pages > 1:
            with ui.row().classes("w-full justify-center"):
                ui.pagination(
                    1, pages, direction_links=True, value=self.view.page, on_change=self._go_to
                ).props("max-pages=7 boundary-numbers data-testid=pagination")

    def _page_selector(self) -> None:
        self.page_toggle = (
            ui.button(on_click=self._toggle_page).props("flat dense no-caps").mark("select-page")
        )
        self.page_toggle.props["data-testid"] = "select-page"
        self.page_toggle.classes("self-start")

    def _empty_state(self) -> None:
        searching = self.view.filters.active and set(self.view.filters.as_params()) != {"folder"}
        with (
            ui.column()
            .classes("w-full items-center py-16 gap-2 text-center")
            .props("data-testid=empty-library")
        ):
            ui.icon("search_off" if searching else "photo_library").classes("text-6xl text-slate-300")
            if searching:
                message = "No images match your search."
            elif self.view.filters.folder is not None:
                message = "No images in this folder yet."
            else:
                message = "No images yet."
            ui.label(message).classes("text-lg text-slate-600")
            if not searching and can(self.context.role_at_open, Action.UPLOAD):
                ui.label("Drop images on the upload area above to add them here.").classes("text-slate-500")

    async def _clicked(self, item: MediaItemView, gesture: Gesture) -> None:
        """While some are selected a click selects too; Shift and Ctrl/Cmd always do."""
        if self.editable and (gesture.extend or gesture.toggle or len(self.selection)):
            self._check(item, gesture)
        else:
            await self._open_detail(item)

    async def _open_detail(self, item: MediaItemView) -> None:
        with self.frame:
            await self.detail.open(item.id)

    def _check(self, item: MediaItemView, gesture: Gesture) -> None:
        if gesture.extend:
            self.selection.extend_to(item.id, [each.id for each in self.result.items])
        else:
            self.selection.toggle(item.id)
        self.selection_changed()

    def _toggle_page(self) -> None:
        on_page = [item.id for item in self.result.items]
        if all(item_id in self.selection for item_id in on_page):
            self.selection.remove(on_page)
        else:
            self.selection.add(on_page)
        self.selection_changed()

    def selection_changed(self) -> None:
        """Mark the tiles and the bar without drawing the page again."""
        for item_id, shown in self.shown.items():
            shown.mark(item_id in self.selection)
        if not self.editable:
            return
        self.bulk.show(total=self.result.total)
        if self.result.items and self.page_toggle is not None:
            every = all(item.id in self.selection for item in self.result.items)
            self.page_toggle.set_text("Unselect this page" if every else "Select all on this page")
            self.page_toggle.props["icon"] = "deselect" if every else "select_all"
            self.page_toggle.update()

    async def select_matching(self) -> None:
        found = await call(
            self.context, listing.matching_ids, filters=self.view.filters, limit=bulk.MAX_OPERATIONS
        )
        if found is not FAILED:
            self.selection.add(found)
            self.selection_changed()

    async def move_dropped(self, folder_id: UUID | None, item_ids: list[UUID]) -> None:
        """A dragged tile moves the whole selection when it is part of it, else only itself."""
        with self.frame:
            await self._move(folder_id, self.selection.ids if item_ids[0] in self.selection else item_ids)

    async def _move(self, folder_id: UUID | None, moving: list[UUID]) -> None:
        if await call(self.context, bulk.move, item_ids=moving, folder=folder_id) is FAILED:
            return
        ui.notify(f"Moved {images(len(moving))} to “{self.tree.index.label(folder_id)}”", type="positive")
        self.selection.clear()
        await self.reload()

    def _neighbours(self, item_id: UUID) -> tuple[UUID | None, UUID | None]:
        order = [item.id for item in self.result.items]
        if item_id not in order:
            return None, None
        at = order.index(item_id)
        return (order[at - 1] if at > 0 else None), (order[at + 1] if at + 1 < len(order) else None)

    async def _go_to(self, event: object) -> None:
        await self.apply(self.view.changed(page=int(getattr(event, "value", 1) or 1)))

    async def _refresh_live_tiles(self) -> None:
        """Redraw when a visible pending/processing item changed, whichever process did the work."""
        waiting = [item for item in self.result.items if item.status in MediaStatus.in_flight()]
        if not waiting:
            return
        now = await call(self.context, library.statuses, item_ids=[item.id for item in waiting])
        if now is not FAILED and any(now.get(item.id) != item.status for item in waiting):
            await self.reload()


@dataclass(frozen=True)
class LibraryStart:
    """What the first drawing needs, read before the page goes out."""

    page: listing.MediaPage
    folders: FolderIndex
    tag_names: list[str]
    uses: dict[UUID, int]


async def first_view(context: ProjectContext, view: LibraryView) -> tuple[LibraryView, LibraryStart]:
    """The view a URL asks for; a folder that is gone shows the whole library instead."""
    try:
        page = await call(context, listing.list_items, expect=(NotFound,), **view.list_arguments(PAGE_SIZE))
    except NotFound:
        ui.notify("That folder no longer exists; showing all images.", type="warning")
        view = view.filtered(folder=None)
        page = await call(context, listing.list_items, **view.list_arguments(PAGE_SIZE))
    if page is FAILED:
        raise HTTPException(status_code=503)
    ids = [item.id for item in page.items] if view.view == "list" else []
    start = LibraryStart(
        page=page,
        folders=FolderIndex(await load(context, folders.folder_tree)),
        tag_names=[tag.name for tag in await load(context, tags.list_tags)],
        uses=await load(context, library.usage_counts, item_ids=ids),
    )
    return view, start


async def media_library_page(slug: str, request: Request) -> RedirectResponse | None:
    context = await open_project_page(slug, f"/admin/{slug}/media")
    if isinstance(context, RedirectResponse):
        return context
    view, problem = LibraryView.from_query(dict(request.query_params))
    view, start = await first_view(context, view)
    with project_frame(context, active="media", title="Media"):
        MediaLibrary(context, view, start)
    if problem:
        ui.notify(f"Parts of this link were not understood and are left out: {problem}", type="warning")
    return None
