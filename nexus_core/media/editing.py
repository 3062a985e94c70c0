"""Changing what describes an item: its alt text, tags and folder (stage 2's focal point and crop belong here too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlmodel import Session

from nexus_core.errors import InvalidInput
from nexus_core.media import folders, tags
from nexus_core.media.library import load_item, view_of
from nexus_core.models import MediaItem
from nexus_core.models.base import utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView
from nexus_core.text import require_storable

MAX_ALT_TEXT_LENGTH = 1000


@dataclass(frozen=True)
class ItemChanges:
    """What to change of an item; None leaves that part as it is. `folder=folders.ROOT` takes it out
    of every folder."""

    alt_text: str | None = None
    tags: Sequence[str] | None = None
    folder: UUID | folders.Root | None = None


def clean_alt_text(alt_text: str | None) -> str:
    text = require_storable(" ".join((alt_text or "").split()), "Alt text")
    if len(text) > MAX_ALT_TEXT_LENGTH:
        raise InvalidInput(f"Alt text can have at most {MAX_ALT_TEXT_LENGTH} characters; it has {len(text)}.")
    return text


def update_item(
    session: Session, *, actor: Actor, item_id: UUID | str, changes: ItemChanges
) -> MediaItemView:
    item = load_item(session, actor=actor, item_id=item_id)
    change_item(session, actor=actor, item=item, changes=changes)
    session.commit()
    return view_of(session, item)


def update_alt_text(
    session: Session, *, actor: Actor, item_id: UUID | str, alt_text: str | None
) -> MediaItemView:
    return update_item(session, actor=actor, item_id=item_id, changes=ItemChanges(alt_text=alt_text or ""))


def change_item(session: Session, *, actor: Actor, item: MediaItem, changes: ItemChanges) -> None:
    """Apply `changes` to a loaded item, all checked; the caller commits (one item or a whole batch)."""
    authorize(actor, Action.EDIT_MEDIA)
    if changes == ItemChanges():
        return
    if changes.alt_text is not None:
        item.alt_text = clean_alt_text(changes.alt_text)
    if changes.tags is not None:
        tags.replace_tags(session, item, changes.tags)
    if changes.folder == folders.ROOT:
        item.folder_id = None
    elif changes.folder is not None:
        item.folder_id = folders.load_folder(session, actor=actor, folder_id=changes.folder).id
    item.updated_at = utcnow()
    session.add(item)
    session.flush()
