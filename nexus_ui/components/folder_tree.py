"""The folder tree beside a grid (library and picker): choose the folder shown, drop tiles on a
folder to move them there. Below 1024 px it folds into a drawer opened by its "Folders" button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from nicegui import events, ui

from nexus_core.media import folders, listing
from nexus_ui.calls import FAILED, call
from nexus_ui.components.focus import focus, focus_selector
from nexus_ui.components.folder_index import ALL_IMAGES, NOT_IN_A_FOLDER, FolderIndex
from nexus_ui.session import ProjectContext

DRAG_TYPE = "application/x-nexus-items"
"""What a dragged tile carries: the ids of the items it moves, comma-separated."""
_DRAG_OVER = (
    f"(e) => {{ if (e.dataTransfer.types.includes('{DRAG_TYPE}')) "
    "{ e.preventDefault(); e.currentTarget.classList.add('drop-target'); } }"
)
_DRAG_LEAVE = "(e) => e.currentTarget.classList.remove('drop-target')"
_DROP = (
    "(e) => { e.preventDefault(); e.currentTarget.classList.remove('drop-target');"
    f" emit(e.dataTransfer.getData('{DRAG_TYPE}')); }}"
)

Opener = Callable[[listing.Folder], Awaitable[None]]
Dropper = Callable[[UUID | None, list[UUID]], Awaitable[None]]


def dropped_ids(text: object) -> list[UUID]:
    """The item ids a drop carried; anything that is no id is ignored (the core checks the rest)."""
    found = []
    for part in str(text or "").split(","):
        try:
            found.append(UUID(part.strip()))
        except ValueError:
            continue
    return found


class FolderTree:
    def __init__(
        self,
        context: ProjectContext,
        *,
        on_open: Opener,
        on_drop: Dropper | None = None,
        on_new: Callable[[], Awaitable[None]] | None = None,
        marker: str = "folder-tree",
    ) -> None:
        self._context = context
        self._on_open = on_open
        self._on_drop = on_drop
        self._on_new = on_new
        self.index = FolderIndex()
        self.shown: listing.Folder = None
        self._expanded: set[UUID] = set()
        self._toggle: ui.button | None = None
        self.panel = ui.element("nav").classes("nexus-folders").mark(marker)
        self.panel.props["aria-label"] = "Folders"
        self.panel.props["data-testid"] = marker
        self.panel.on("keydown.esc", self.close)
        with self.panel:
            self._draw()

    async def load(self) -> bool:
        """Read the project's folders again and redraw; False when they could not be read."""
        found = await call(self._context, folders.folder_tree)
        if found is FAILED:
            return False
        self.index = FolderIndex(found)
        self.show(self.shown)
        return True

    def show(self, shown: listing.Folder) -> None:
        """Mark `shown` as the folder on screen, its parents unfolded."""
        self.shown = shown
        if isinstance(shown, UUID):
            self._expanded.update(folder.id for folder in self.index.path(shown)[:-1])
        self._draw.refresh()

    def toggle_button(self) -> ui.button:
        """The button that opens the tree as a drawer on a narrow screen (hidden on wide ones)."""
        self._toggle = ui.button("Folders", icon="folder_open", on_click=self.open)
        self._toggle.props("outline color=grey-9 aria-expanded=false").classes("lg:hidden")
        self._toggle.props["data-testid"] = "folders-toggle"
        return self._toggle

    def open(self) -> None:
        self.panel.classes(add="open")
        if self._toggle is not None:
            self._toggle.props["aria-expanded"] = "true"
        self.focus_shown()

    def focus_shown(self) -> None:
        focus_selector(f"#c{self.panel.id} [aria-current=true]", on=self.panel)

    def close(self) -> None:
        if "open" not in self.panel.classes:
            return
        self.panel.classes(remove="open")
        if self._toggle is not None:
            self._toggle.props["aria-expanded"] = "false"
            focus(self._toggle)

    @ui.refreshable_method
    def _draw(self) -> None:
        with ui.row().classes("w-full items-center gap-1 no-wrap px-2 pb-2"):
            ui.label("Folders").classes("text-xs font-semibold uppercase tracking-wide text-slate-500")
            ui.space()
            if self._on_new is not None:
                new = ui.button(icon="create_new_folder", on_click=self._on_new)
                new.props("flat round dense color=secondary aria-label='New folder'").tooltip("New folder")
                new.props["data-testid"] = "new-folder"
                new.mark("new-folder")
            close = ui.button(icon="close", on_click=self.close).classes("lg:hidden")
            close.props("flat round dense color=secondary aria-label='Close folders'")
        with ui.element("ul").classes("nexus-folder-list"):
            self._row(None, ALL_IMAGES, "photo_library", depth=0, marker="folder-all")
            self._row(listing.ROOT, NOT_IN_A_FOLDER, "folder_off", depth=0, marker="folder-root")
            self._folders(None, depth=0)

    def _folders(self, parent_id: UUID | None, depth: int) -> None:
        for folder in self.index.children(parent_id):
            self._row(folder.id, folder.name, "folder", depth=depth, marker=f"folder-{folder.id}")
            if folder.id in self._expanded:
                self._folders(folder.id, depth + 1)

    def _row(self, target: listing.Folder, name: str, icon: str, *, depth: int, marker: str) -> None:
        with ui.element("li").classes("flex items-center no-wrap"):
            ui.element("span").style(f"width: {depth * 14}px").classes("shrink-0")
            self._expander(target, name)
            button = ui.element("button").classes("nexus-folder grow min-w-0").mark(marker)
            button.props.update({"data-testid": "folder-node", "type": "button"})
            button.props["data-folder"] = str(target or "all")
            if target == self.shown:
                button.props["aria-current"] = "true"
            button.on("click", lambda: self._open(target))
            if self._on_drop is not None and target is not None:
                button.on("dragover", js_handler=_DRAG_OVER)
                button.on("dragleave", js_handler=_DRAG_LEAVE)
                button.on("drop", lambda event: self._dropped(target, event), js_handler=_DROP)
            with button:
                ui.icon(icon).classes("text-lg shrink-0")
                ui.label(name).classes("truncate")

    def _expander(self, target: listing.Folder, name: str) -> None:
        if not isinstance(target, UUID) or not self.index.children(target):
            ui.element("span").classes("w-7 shrink-0")
            return
        expanded = target in self._expanded
        button = ui.button(
            icon="expand_more" if expanded else "chevron_right", on_click=lambda: self._fold(target)
        )
        button.props("flat round dense size=sm color=secondary").classes("shrink-0")
        label = "Hide the folders in" if expanded else "Show the folders in"
        button.props.update({"aria-label": f"{label} {name}", "aria-expanded": str(expanded).lower()})
        button.props["data-expander"] = str(target)

    def _fold(self, folder_id: UUID) -> None:
        self._expanded ^= {folder_id}
        self._draw.refresh()
        focus_selector(f'[data-expander="{folder_id}"]', on=self.panel)

    async def _open(self, target: listing.Folder) -> None:
        """The drawer closes (the focus goes back to its button); beside the grid the focus stays here."""
        drawer = "open" in self.panel.classes
        self.close()
        await self._on_open(target)
        if not drawer:
            self.focus_shown()

    async def _dropped(self, target: listing.Folder, event: events.GenericEventArguments) -> None:
        if self._on_drop is not None and (ids := dropped_ids(event.args)):
            await self._on_drop(target if isinstance(target, UUID) else None, ids)
