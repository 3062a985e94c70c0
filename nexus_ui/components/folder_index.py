"""A project's folders as the admin draws them: children of each folder, the path to one, its label."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from nexus_core.media import listing
from nexus_core.read_models import FolderView

ALL_IMAGES = "All images"
NOT_IN_A_FOLDER = "Not in a folder"


class FolderIndex:
    def __init__(self, folders: Sequence[FolderView] = ()) -> None:
        self.by_id = {folder.id: folder for folder in folders}
        self._children: dict[UUID | None, list[FolderView]] = {}
        for folder in folders:  # already by name
            self._children.setdefault(folder.parent_id, []).append(folder)

    def children(self, parent_id: UUID | None) -> list[FolderView]:
        return self._children.get(parent_id, [])

    def path(self, folder_id: UUID | None) -> list[FolderView]:
        """From the top folder down to `folder_id` (empty for the root or an unknown id)."""
        path: list[FolderView] = []
        current = self.by_id.get(folder_id) if folder_id else None
        while current is not None and current not in path:
            path.insert(0, current)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return path

    def label(self, folder_id: UUID | None) -> str:
        return " / ".join(folder.name for folder in self.path(folder_id)) or NOT_IN_A_FOLDER

    def title(self, shown: listing.Folder) -> str:
        """What a view of `shown` is called: a folder's name, the root's or every folder's."""
        if shown is None:
            return ALL_IMAGES
        if shown == listing.ROOT:
            return NOT_IN_A_FOLDER
        folder = self.by_id.get(shown)
        return folder.name if folder else ALL_IMAGES

    def choices(self) -> dict[str, str]:
        """Every place an image or a folder can go, as select options: the root, then each folder by path."""
        places = {listing.ROOT: f"{NOT_IN_A_FOLDER} (the library's top level)"}
        places.update(
            sorted(((str(id_), self.label(id_)) for id_ in self.by_id), key=lambda pair: pair[1].casefold())
        )
        return places


def upload_folder(shown: listing.Folder) -> UUID | None:
    """Where an upload made while `shown` is on screen goes: that folder, else the top level."""
    return shown if isinstance(shown, UUID) else None
