"""A media item's resource object as a PATCH or an atomic `update` sends it, read into ItemChanges."""

from __future__ import annotations

from typing import Any

from nexus_core.api.request_documents import folder_relationship, members
from nexus_core.errors import InvalidInput
from nexus_core.media import folders
from nexus_core.media.editing import ItemChanges

ATTRIBUTES = {"alt_text", "tags"}


def item_changes(data: dict[str, Any]) -> ItemChanges:
    """`attributes.alt_text` (null: none), `attributes.tags` (a list of strings) and
    `relationships.folder` (null: the root); anything else is refused. Naming none changes nothing
    (JSON:API lets a PATCH leave out whatever stays)."""
    attributes = members(data, "attributes", ATTRIBUTES)
    moving, folder_id = folder_relationship(data, "folder")
    alt_text = attributes.get("alt_text", ...)
    if alt_text is not ... and alt_text is not None and not isinstance(alt_text, str):
        raise InvalidInput("“alt_text” must be a string.")
    tags = attributes.get("tags")
    if "tags" in attributes and (not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags)):
        raise InvalidInput("“tags” must be a list of strings.")
    return ItemChanges(
        alt_text=None if alt_text is ... else alt_text or "",
        tags=tags,
        folder=(folder_id or folders.ROOT) if moving else None,
    )
