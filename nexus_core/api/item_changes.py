"""A media item's resource object as a PATCH or an atomic `update` sends it, read into ItemChanges."""

from __future__ import annotations

from typing import Any

from nexus_core.api.request_documents import folder_relationship, members
from nexus_core.errors import InvalidAttribute, InvalidInput
from nexus_core.media import folders
from nexus_core.media.editing import ItemChanges
from nexus_core.media.edits import KEEP, EditChanges

ATTRIBUTES = {"alt_text", "tags"}
EDIT_ATTRIBUTES = {"focal_point", "crop", "rotate", "flip"}
READ_ONLY = {"version"}


def item_changes(data: dict[str, Any], *, edits: bool = False) -> ItemChanges:
    """`attributes.alt_text` (null: none), `attributes.tags` (a list of strings) and
    `relationships.folder` (null: the root), with `edits` also `focal_point`, `crop`, `rotate` and `flip`
    (checked by the use case, which knows the picture's size); anything else is refused. Naming none
    changes nothing (JSON:API lets a PATCH leave out whatever stays)."""
    given = data.get("attributes")
    if edits and isinstance(given, dict) and (read_only := sorted(READ_ONLY & set(given))):
        raise InvalidAttribute(
            read_only[0], f"“{read_only[0]}” is read-only: it rises by itself with every edit."
        )
    attributes = members(data, "attributes", ATTRIBUTES | (EDIT_ATTRIBUTES if edits else set()))
    moving, folder_id = folder_relationship(data, "folder")
    alt_text = attributes.get("alt_text", ...)
    if alt_text is not ... and alt_text is not None and not isinstance(alt_text, str):
        raise InvalidInput("“alt_text” must be a string.")
    tags = attributes.get("tags")
    if "tags" in attributes and (not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags)):
        raise InvalidInput("“tags” must be a list of strings.")
    changed_edits = EditChanges(**{name: attributes.get(name, KEEP) for name in EDIT_ATTRIBUTES})
    return ItemChanges(
        alt_text=None if alt_text is ... else alt_text or "",
        tags=tags,
        folder=(folder_id or folders.ROOT) if moving else None,
        edits=changed_edits if changed_edits.named() else None,
    )
