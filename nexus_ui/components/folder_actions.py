"""New, rename, move and delete for folders. The core decides (names taken, a folder moved into itself,
a folder that still holds images); its refusal reaches the person as a notification."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from nicegui import ui

from nexus_core.media import folders, listing
from nexus_ui.calls import FAILED, call
from nexus_ui.components.ask import ask_choice, ask_text
from nexus_ui.components.confirm import confirm
from nexus_ui.components.folder_tree import FolderTree
from nexus_ui.session import ProjectContext


class FolderActions:
    def __init__(
        self,
        context: ProjectContext,
        tree: FolderTree,
        on_changed: Callable[[listing.Folder], Awaitable[None]],
    ) -> None:
        """`on_changed(folder)` shows `folder` once the tree has been read again."""
        self._context = context
        self._tree = tree
        self._on_changed = on_changed

    def menu(self, folder_id: UUID) -> None:
        """The ⋮ button of the folder shown. It is drawn anew when the folder changes, so what its
        items start runs inside the tree, which stays (dialogs, notifications)."""
        with ui.button(icon="more_vert").props("flat round dense color=secondary") as button:
            button.props.update({"aria-label": "Folder actions", "data-testid": "folder-actions"})
            button.mark("folder-actions")
            with ui.menu():
                for label, action, marker in (
                    ("New folder inside", lambda: self.create(folder_id), "folder-new-inside"),
                    ("Rename", lambda: self.rename(folder_id), "folder-rename"),
                    ("Move", lambda: self.move(folder_id), "folder-move"),
                    ("Delete", lambda: self.delete(folder_id), "folder-delete"),
                ):
                    item = ui.menu_item(label, on_click=self._in_tree(action)).mark(marker)
                    item.props["data-testid"] = marker

    def _in_tree(self, action: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            with self._tree.panel:
                await action()

        return run

    async def create(self, parent_id: UUID | None = None) -> None:
        name = await ask_text("New folder", "Folder name", action="Create", marker="folder-name")
        if name is None:
            return
        made = await call(self._context, folders.create_folder, name=name, parent_id=parent_id)
        if made is not FAILED:
            ui.notify(f"Created the folder “{made.name}”", type="positive", timeout=2500)
            await self._changed(made.id)

    async def create_in_shown(self) -> None:
        shown = self._tree.shown
        await self.create(shown if isinstance(shown, UUID) else None)

    async def rename(self, folder_id: UUID) -> None:
        current = self._tree.index.by_id.get(folder_id)
        name = await ask_text(
            "Rename folder",
            "Folder name",
            action="Rename",
            marker="folder-name",
            value=current.name if current else "",
        )
        if (
            name is not None
            and await call(self._context, folders.rename_folder, folder_id=folder_id, name=name) is not FAILED
        ):
            await self._changed(folder_id)

    async def move(self, folder_id: UUID) -> None:
        places = {key: label for key, label in self._tree.index.choices().items() if key != str(folder_id)}
        name = self._tree.index.title(folder_id)
        place = await ask_choice(f"Move “{name}”", "Into", places, action="Move", marker="folder-destination")
        if place is None:
            return
        parent_id = None if place == listing.ROOT else UUID(place)
        if (
            await call(self._context, folders.move_folder, folder_id=folder_id, parent_id=parent_id)
            is not FAILED
        ):
            await self._changed(folder_id)

    async def delete(self, folder_id: UUID) -> None:
        folder = self._tree.index.by_id.get(folder_id)
        name = folder.name if folder else ""
        explanation = "Only an empty folder can be deleted; images are never deleted with a folder."
        if not await confirm(f"Delete the folder “{name}”?", explanation, "Delete", marker="confirm-delete"):
            return
        if await call(self._context, folders.delete_folder, folder_id=folder_id) is not FAILED:
            ui.notify(f"Deleted the folder “{name}”", type="positive", timeout=2500)
            await self._changed(folder.parent_id if folder and folder.parent_id else None)

    async def _changed(self, shown: listing.Folder) -> None:
        """The tree is drawn anew: the focus goes to the folder now shown in it."""
        await self._tree.load()
        await self._on_changed(shown)
        self._tree.focus_shown()
