"""Deleting: an item's row goes at once, its files are owed (PendingDeletion) until storage confirms."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID

from sqlmodel import Session, col, select

from nexus_core.errors import MediaInUse
from nexus_core.media import duplicates, paths, renditions
from nexus_core.media.library import load_item, pages_using
from nexus_core.media.storage import Storage, storage_named
from nexus_core.models import MediaItem, PendingDeletion
from nexus_core.policies import Action, Actor, authorize
from nexus_core.webhooks import events

logger = logging.getLogger(__name__)


def delete_item(
    session: Session,
    *,
    actor: Actor,
    item_id: UUID | str,
    storage: Storage | None = None,
    force: bool = False,
) -> None:
    """Remove the row and every file of the item.

    The row goes first, together with a PendingDeletion per file, in one transaction: the library
    never shows an item whose files are half gone, and a file whose deletion fails stays recorded
    for a later sweep instead of being forgotten. An item used by pages is kept unless `force`.
    """
    item = load_item(session, actor=actor, item_id=item_id)
    owed = forget_item(session, actor=actor, item=item, force=force)
    session.commit()
    events.media_deleted(session, project_id=item.project_id, item_ids=[item.id])
    delete_pending_files(session, owed, storage or storage_named(item.storage_backend))


def forget_item(session: Session, *, actor: Actor, item: MediaItem, force: bool) -> list[PendingDeletion]:
    """Delete the row and record each of its files as owed; the caller commits, then deletes the files
    (so a batch that fails later deletes none)."""
    authorize(actor, Action.DELETE_MEDIA)
    if not force:
        _refuse_if_in_use(session, item)
    owed = [PendingDeletion(path=path, storage_backend=item.storage_backend) for path in stored_paths(item)]
    owed += _earlier_versions_owed(session, item)
    duplicates.lock_pairs(session, item.project_id)
    partners = duplicates.partners_of(session, item.id)
    session.delete(item)
    session.add_all(owed)
    session.flush()
    duplicates.refresh_flags(session, partners)  # their pairs with it went with it
    return owed


def _refuse_if_in_use(session: Session, item: MediaItem) -> None:
    pages = pages_using(session, item.id)
    if pages:
        titles = ", ".join(f"“{title}”" for _, title in pages)
        noun = "page" if len(pages) == 1 else f"{len(pages)} pages"
        raise MediaInUse(
            f"“{item.filename}” is used by {noun}: {titles}. Deleting it breaks {'it' if len(pages) == 1 else 'them'}.",
            pages,
        )


def _earlier_versions_owed(session: Session, item: MediaItem) -> list[PendingDeletion]:
    """The files of the item's earlier versions still kept for their grace period: due now, as the item goes."""
    if item.version == 1:
        return []
    prefix = f"{item.project_id}/{item.id}"
    waiting = session.exec(
        select(PendingDeletion).where(
            col(PendingDeletion.path).startswith(prefix, autoescape=True),
            PendingDeletion.storage_backend == item.storage_backend,
        )
    ).all()
    for deletion in waiting:
        deletion.due_at = None
    return list(waiting)


def recorded_paths(item: MediaItem) -> tuple[str, ...]:
    """The original and every rendition the item records, in every format."""
    made = (rendition.path for rendition in renditions.made(item.renditions))
    return tuple(dict.fromkeys([item.file_path, *item.variants.values(), *made]))


def stored_paths(item: MediaItem) -> list[str]:
    """The original and every rendition path the item's current version may have in any format,
    recorded or not yet recorded (a job may be storing one right now)."""
    possible = [
        paths.generate_path(item.project_id, item.id, mime_type, name, version=item.version)
        for name in renditions.FILE_NAMES
        for mime_type in dict.fromkeys([item.mime_type, *renditions.MODERN_FORMATS.values()])
    ]
    return list(dict.fromkeys([*recorded_paths(item), *possible]))


def delete_pending_files(session: Session, deletions: Iterable[PendingDeletion], storage: Storage) -> int:
    """Delete the owed files (in batches where the backend can); drop the record of each one gone, keep
    the others for the sweep with why. Returns how many remain."""
    owed = list(deletions)
    failed = storage.delete_many(list(dict.fromkeys(deletion.path for deletion in owed)))
    for deletion in owed:
        if (error := failed.get(deletion.path)) is None:
            session.delete(deletion)
            continue
        logger.warning("Could not delete %s: %s (kept for the sweep)", deletion.path, error)
        deletion.attempts += 1
        deletion.last_error = str(error)[:1000]
        session.add(deletion)
    session.commit()
    return sum(deletion.path in failed for deletion in owed)
