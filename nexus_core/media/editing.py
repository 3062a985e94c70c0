"""Changing an item: what describes it (alt text, tags, folder) and its edits (focal point, crop, rotation,
flips), which start a new version whose renditions are made again from the untouched original."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlmodel import Session

from nexus_core.config import Settings, get_settings
from nexus_core.errors import InvalidAttribute, InvalidInput
from nexus_core.media import folders, formats, jobs, renditions, tags, versions
from nexus_core.media.edits import EditChanges, Edits, edits_of
from nexus_core.media.library import load_item, view_of
from nexus_core.models import MediaItem
from nexus_core.models.base import utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView
from nexus_core.text import require_storable
from nexus_core.webhooks import events
from nexus_core.webhooks.messages import WebhookEvent

MAX_ALT_TEXT_LENGTH = 1000


@dataclass(frozen=True)
class ItemChanges:
    """What to change of an item; None leaves that part as it is. `folder=folders.ROOT` takes it out
    of every folder."""

    alt_text: str | None = None
    tags: Sequence[str] | None = None
    folder: UUID | folders.Root | None = None
    edits: EditChanges | None = None
    """Edit attributes to change; a change that leaves the edits as they are starts no version."""


def clean_alt_text(alt_text: str | None) -> str:
    text = require_storable(" ".join((alt_text or "").split()), "Alt text")
    if len(text) > MAX_ALT_TEXT_LENGTH:
        raise InvalidInput(f"Alt text can have at most {MAX_ALT_TEXT_LENGTH} characters; it has {len(text)}.")
    return text


def update_item(
    session: Session,
    *,
    actor: Actor,
    item_id: UUID | str,
    changes: ItemChanges,
    settings: Settings | None = None,
) -> MediaItemView:
    """Change one item; when its edits change, its new version's renditions are queued after the commit."""
    item = load_item(session, actor=actor, item_id=item_id)
    new_version = change_item(session, actor=actor, item=item, changes=changes, settings=settings)
    session.commit()
    if new_version:
        jobs.request_processing(item.id)
        session.refresh(item)  # an inline queue has processed it already
    view = view_of(session, item)
    if changes != ItemChanges():
        events.media_changed(session, WebhookEvent.MEDIA_UPDATED, [view])
    return view


def revert_to_original(
    session: Session, *, actor: Actor, item_id: UUID | str, settings: Settings | None = None
) -> MediaItemView:
    """Clear every edit: a new version made from the untouched original (nothing changes if none was set)."""
    changes = ItemChanges(edits=EditChanges.revert())
    return update_item(session, actor=actor, item_id=item_id, changes=changes, settings=settings)


def update_alt_text(
    session: Session, *, actor: Actor, item_id: UUID | str, alt_text: str | None
) -> MediaItemView:
    return update_item(session, actor=actor, item_id=item_id, changes=ItemChanges(alt_text=alt_text or ""))


def change_item(
    session: Session,
    *,
    actor: Actor,
    item: MediaItem,
    changes: ItemChanges,
    settings: Settings | None = None,
) -> bool:
    """Apply `changes` to a loaded item, all checked; the caller commits (one item or a whole batch),
    then, if this returns True (a new version), asks for the item's processing."""
    authorize(actor, Action.EDIT_MEDIA)
    if changes == ItemChanges():
        return False
    new_version = False
    if changes.edits is not None:
        new_version = _change_edits(session, item, changes.edits, settings or get_settings())
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
    return new_version


def _change_edits(session: Session, item: MediaItem, changes: EditChanges, settings: Settings) -> bool:
    """Set the item's edits; a real change raises its version (the row held until the commit, so two
    edits at once make two versions, never one)."""
    changes.apply(edits_of(item), width=item.original_width, height=item.original_height)  # refuse early
    claimed = versions.claim(session, item.id)
    if claimed is None:
        raise InvalidInput("The item was deleted meanwhile.")
    current = edits_of(claimed)
    edited = changes.apply(current, width=claimed.original_width, height=claimed.original_height)
    if edited == current:
        return False
    _refuse_uneditable(claimed, edited, changes.named()[0])
    for column, value in edited.as_columns().items():
        setattr(claimed, column, value)
    versions.start_new_version(session, claimed, settings=settings)
    return True


def _refuse_uneditable(item: MediaItem, edited: Edits, attribute: str) -> None:
    reason = why_not_editable(item.mime_type, item.frames)
    if reason and not edited.is_original:  # going back to the original is always possible
        raise InvalidAttribute(attribute, reason)


def why_not_editable(mime_type: str, frames: int | None) -> str | None:
    """Why a picture of this type cannot be cropped, turned or given a focal point; None when it can."""
    if mime_type == formats.SVG:
        return "An SVG drawing is served as it is: it cannot be cropped, turned or given a focal point."
    if renditions.is_animated(mime_type, frames):
        return "An animation is served as it is: it cannot be cropped, turned or given a focal point."
    return None
