"""The bar of bulk actions on the selected images: move to a folder, add or remove tags, delete.
Each is one all-or-nothing core call; deleting first names the pages that use any of the images."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from nicegui import ui

from nexus_core.media import bulk, library, listing, tags
from nexus_core.policies import Action, can
from nexus_ui.calls import FAILED, call
from nexus_ui.components.ask import ask_choice, ask_tags
from nexus_ui.components.confirm import confirm
from nexus_ui.components.focus import focus_selector
from nexus_ui.components.folder_index import FolderIndex
from nexus_ui.components.selection import Selection
from nexus_ui.session import ProjectContext


def images(count: int, *, estimated: bool = False) -> str:
    """ "3 images"; "about 48,000 images" for a database's estimate of a large library."""
    return f"{'about ' if estimated else ''}{count:,} image{'s' if count != 1 else ''}"


class BulkBar:
    def __init__(
        self,
        context: ProjectContext,
        selection: Selection,
        *,
        folders: Callable[[], FolderIndex],
        on_select_matching: Callable[[], Awaitable[None]],
        on_selection_changed: Callable[[], None],
        on_changed: Callable[[], Awaitable[None]],
    ) -> None:
        self._context = context
        self._selection = selection
        self._folders = folders
        self._on_selection_changed = on_selection_changed
        self._on_changed = on_changed
        self.bar = ui.row().classes("nexus-bulk w-full items-center gap-2 rounded-xl px-4 py-2")
        self.bar.props.update({"data-testid": "bulk-bar", "role": "region", "aria-label": "Selected images"})
        with self.bar.mark("bulk-bar"):
            self._count = ui.label().classes("font-medium").props("data-testid=selected-count")
            self._count.props["aria-live"] = "polite"
            self._matching = ui.button(on_click=on_select_matching).props(
                "flat dense data-testid=select-matching"
            )
            self._matching.mark("select-matching")
            self._button("Clear", "close", self.clear, "clear-selection")
            ui.space()
            self._button("Move to folder", "drive_file_move", self.move, "bulk-move")
            self._button("Add tags", "sell", self.add_tags, "bulk-add-tags")
            self._button("Remove tags", "label_off", self.remove_tags, "bulk-remove-tags")
            if can(context.role_at_open, Action.DELETE_MEDIA):
                self._button("Delete", "delete", self.delete, "bulk-delete").props("color=red-3")
        self.show(total=0)

    def _button(self, label: str, icon: str, action: Callable[[], object], marker: str) -> ui.button:
        button = ui.button(label, icon=icon, on_click=action).props("flat dense color=white").mark(marker)
        button.props["data-testid"] = marker
        return button

    def show(self, *, total: int) -> None:
        """Visible while something is selected; offers "all N that match" while not all are."""
        count = len(self._selection)
        self.bar.set_visibility(count > 0)
        self._count.set_text(f"{images(count)} selected")
        reachable = min(total, bulk.MAX_OPERATIONS)
        self._matching.set_visibility(count < reachable)
        self._matching.set_text(
            f"Select all {total} that match"
            if total <= bulk.MAX_OPERATIONS
            else f"Select the first {reachable}"
        )

    def clear(self) -> None:
        self._selection.clear()
        self._on_selection_changed()

    async def move(self) -> None:
        count = len(self._selection)
        place = await ask_choice(
            f"Move {images(count)}", "To", self._folders().choices(), action="Move", marker="bulk-destination"
        )
        if place is None:
            return
        folder = None if place == listing.ROOT else UUID(place)
        if await self._apply(bulk.move, folder=folder):
            ui.notify(f"Moved {images(count)} to “{self._folders().label(folder)}”", type="positive")

    async def add_tags(self) -> None:
        await self._tag(bulk.add_tags, ("Add tags to", "Add", "Added"), "bulk-tags")

    async def remove_tags(self) -> None:
        await self._tag(bulk.remove_tags, ("Remove tags from", "Remove", "Removed"), "bulk-untags")

    async def _tag(self, use_case: Callable[..., int], words: tuple[str, str, str], marker: str) -> None:
        title, action, done = words
        known = await call(self._context, tags.list_tags)
        suggestions = [] if known is FAILED else [tag.name for tag in known]
        count = len(self._selection)
        chosen = await ask_tags(f"{title} {images(count)}", suggestions, action=action, marker=marker)
        if chosen and await self._apply(use_case, tags=chosen):
            ui.notify(f"{done} {', '.join(chosen)} on {images(count)}", type="positive")

    async def delete(self) -> None:
        count = len(self._selection)
        explanation = "The originals and every variant are removed from storage. This cannot be undone."
        if not await confirm(f"Delete {images(count)}?", explanation, "Delete", marker="confirm-delete"):
            return
        using = await call(self._context, library.pages_using_any, item_ids=self._selection.ids)
        if using is FAILED:
            return
        if using:
            titles = ", ".join(f"“{title}”" for _, title in using)
            warning = f"Pages use some of them: {titles}. Those pages lose the images. Delete anyway?"
            if not await confirm("Some images are in use", warning, "Delete anyway", marker="confirm-delete"):
                return
        if await self._apply(bulk.delete, force=bool(using)):
            ui.notify(f"Deleted {images(count)}", type="positive")

    async def _apply(self, use_case: Callable[..., int], **arguments: Any) -> bool:
        done = await call(self._context, use_case, item_ids=self._selection.ids, **arguments)
        if done is FAILED:
            return False
        self._selection.clear()
        await self._on_changed()
        focus_selector('[data-testid="select-page"]', on=self.bar)  # the bar is gone; back above the grid
        return True
