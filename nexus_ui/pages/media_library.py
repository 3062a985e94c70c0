"""/admin/{slug}/media: upload, browse, search and manage a project's images."""

from __future__ import annotations

import math
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core.media import library, listing
from nexus_core.models import MediaStatus
from nexus_core.policies import Action, can
from nexus_ui.calls import FAILED, call, load
from nexus_ui.components.heading import heading
from nexus_ui.components.media_detail import MediaDetailPanel
from nexus_ui.components.media_grid import media_grid
from nexus_ui.components.upload_zone import UploadZone
from nexus_ui.layout import project_frame
from nexus_ui.session import ProjectContext, open_project_page

PAGE_SIZE = 48
STATUS_FILTERS = {"": "All statuses", **{status.value: status.value.capitalize() for status in MediaStatus}}


def page_query(*, page: int, query: str, status: str) -> dict[str, Any]:
    """The list_items arguments for one page of the grid."""
    return {
        "limit": PAGE_SIZE,
        "offset": (page - 1) * PAGE_SIZE,
        "filters": listing.ItemFilter(q=query or None, status=MediaStatus(status) if status else None),
    }


class MediaLibrary:
    """Only the visible page is queried and rendered, so 10,000 items open as fast as 10."""

    def __init__(self, context: ProjectContext, first_page: listing.MediaPage) -> None:
        self.context = context
        self.page = 1
        self.query = ""
        self.status = ""
        self.result = first_page
        self.detail = MediaDetailPanel(context, on_changed=self.reload)
        self._build()
        ui.timer(2.0, self._refresh_live_tiles)

    def _build(self) -> None:
        with ui.row().classes("w-full items-end gap-3"):
            with ui.column().classes("gap-0"):
                heading("Media")
                self.count_label = (
                    ui.label().classes("text-sm text-slate-500").props("data-testid=media-count")
                )
            ui.space()
            ui.input(placeholder="Search filename or alt text", on_change=self._search).props(
                "outlined dense clearable debounce=300 data-testid=media-search aria-label='Search images'"
            ).classes("w-full sm:w-72").add_slot("prepend", '<q-icon name="search" />')
            ui.select(STATUS_FILTERS, value="", on_change=self._filter).props(
                "outlined dense options-dense data-testid=status-filter aria-label='Status'"
            ).classes("w-full sm:w-40")
        if can(self.context.role_at_open, Action.UPLOAD):
            UploadZone(self.context, on_uploaded=lambda _item: self.reload())
        self.grid_area()  # page 1 goes out with the HTML: no wait for the websocket, no second round trip

    async def reload(self) -> None:
        arguments = page_query(page=self.page, query=self.query, status=self.status)
        result = await call(self.context, listing.list_items, **arguments)
        if result is not FAILED:
            self.result = result
            self.grid_area.refresh()

    @ui.refreshable_method
    def grid_area(self) -> None:
        total = self.result.total
        self.count_label.set_text(f"{total} image{'s' if total != 1 else ''}")
        with ui.column().classes("w-full gap-4"):
            if not self.result.items:
                self._empty_state()
                return
            media_grid(self.result.items, on_click=lambda item: self.detail.open(item.id))
            pages = max(1, math.ceil(total / PAGE_SIZE))
            if pages > 1:
                with ui.row().classes("w-full justify-center"):
                    ui.pagination(
                        1, pages, direction_links=True, value=self.page, on_change=self._go_to
                    ).props("max-pages=7 boundary-numbers data-testid=pagination")

    def _empty_state(self) -> None:
        searching = bool(self.query or self.status)
        with (
            ui.column()
            .classes("w-full items-center py-16 gap-2 text-center")
            .props("data-testid=empty-library")
        ):
            ui.icon("search_off" if searching else "photo_library").classes("text-6xl text-slate-300")
            ui.label("No images match your search." if searching else "No images yet.").classes(
                "text-lg text-slate-600"
            )
            if not searching and can(self.context.role_at_open, Action.UPLOAD):
                ui.label("Drop images on the upload area above to add the first ones.").classes(
                    "text-slate-500"
                )

    async def _search(self, event: object) -> None:
        self.query = (getattr(event, "value", "") or "").strip()
        self.page = 1
        await self.reload()

    async def _filter(self, event: object) -> None:
        self.status = getattr(event, "value", "") or ""
        self.page = 1
        await self.reload()

    async def _go_to(self, event: object) -> None:
        self.page = int(getattr(event, "value", 1) or 1)
        await self.reload()

    async def _refresh_live_tiles(self) -> None:
        """Redraw when a visible pending/processing item changed, whichever process did the work."""
        waiting = [item for item in self.result.items if item.status in MediaStatus.in_flight()]
        if not waiting:
            return
        now = await call(self.context, library.statuses, item_ids=[item.id for item in waiting])
        if now is not FAILED and any(now.get(item.id) != item.status for item in waiting):
            await self.reload()


async def media_library_page(slug: str) -> RedirectResponse | None:
    context = await open_project_page(slug, f"/admin/{slug}/media")
    if isinstance(context, RedirectResponse):
        return context
    first_page = await load(context, listing.list_items, **page_query(page=1, query="", status=""))
    with project_frame(context, active="media", title="Media"):
        MediaLibrary(context, first_page)
    return None
