"""Changing many items at once, all or nothing: the API's atomic operations and the admin's bulk bar.

Every operation runs in one transaction; the first that fails undoes them all and names itself
(`OperationFailed.index`). Files of removed items are deleted only after the commit, so a batch that
fails leaves every file in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from uuid import UUID

from sqlmodel import Session

from nexus_core.errors import InvalidInput, NexusError
from nexus_core.media import deletion, editing, folders, library
from nexus_core.media.editing import ItemChanges
from nexus_core.media.storage import Storage, storage_named
from nexus_core.models import MediaItem, PendingDeletion
from nexus_core.policies import Actor
from nexus_core.read_models import MediaItemView
from nexus_core.webhooks import events
from nexus_core.webhooks.messages import WebhookEvent

MAX_OPERATIONS = 1000


@dataclass(frozen=True)
class Update:
    item_id: UUID | str
    changes: ItemChanges


@dataclass(frozen=True)
class Remove:
    item_id: UUID | str
    force: bool = False
    """Remove it even though pages use it (otherwise a MediaInUse names them)."""


Operation = Update | Remove


class OperationFailed(NexusError):
    """Operation number `index` (from 0) failed with `error`; nothing of the batch was kept."""

    def __init__(self, index: int, error: NexusError) -> None:
        super().__init__(str(error))
        self.index, self.error = index, error
        self.status_code, self.title = error.status_code, error.title


def apply(
    session: Session,
    *,
    actor: Actor,
    operations: Sequence[Operation],
    storage: Storage | None = None,
) -> list[MediaItemView | None]:
    """Each operation's result in order: the updated item, or None for a removed one. Webhooks hear
    `media.updated` of each updated item and `media.deleted` of each removed one, once all are done."""
    if not operations:
        raise InvalidInput("Send at least one operation.")
    if len(operations) > MAX_OPERATIONS:
        raise InvalidInput(f"At most {MAX_OPERATIONS} operations at once; this batch has {len(operations)}.")
    updated: list[MediaItem | None] = []
    removed: list[UUID] = []
    owed: list[PendingDeletion] = []
    try:
        for index, operation in enumerate(operations):
            try:
                item = library.load_item(session, actor=actor, item_id=operation.item_id)
                if isinstance(operation, Update):
                    editing.change_item(session, actor=actor, item=item, changes=operation.changes)
                    updated.append(item)
                else:
                    owed.extend(deletion.forget_item(session, actor=actor, item=item, force=operation.force))
                    updated.append(None)
                    removed.append(item.id)
            except NexusError as error:
                raise OperationFailed(index, error) from error
        session.commit()
    except Exception:
        session.rollback()
        raise
    views = library.views_of(session, [item for item in updated if item is not None])  # one tag query
    events.media_changed(session, WebhookEvent.MEDIA_UPDATED, views)
    events.media_deleted(session, project_id=actor.project_id, item_ids=removed)
    remaining = iter(views)
    results = [None if item is None else next(remaining) for item in updated]
    _delete_files(session, owed, storage)
    return results


def _delete_files(session: Session, owed: list[PendingDeletion], storage: Storage | None) -> None:
    def backend(deletion_: PendingDeletion) -> str:
        return deletion_.storage_backend

    for name, files in groupby(sorted(owed, key=backend), key=backend):
        deletion.delete_pending_files(session, list(files), storage or storage_named(name))


def move(session: Session, *, actor: Actor, item_ids: Sequence[UUID], folder: UUID | None) -> int:
    """Put the items into a folder (None: the root); how many moved."""
    target: UUID | folders.Root = folder or folders.ROOT
    return _each(session, actor, item_ids, lambda _: Update(_, ItemChanges(folder=target)))


def add_tags(session: Session, *, actor: Actor, item_ids: Sequence[UUID], tags: Sequence[str]) -> int:
    carried = library.tags_of(session, item_ids)
    return _each(
        session, actor, item_ids, lambda item: Update(item, ItemChanges(tags=[*carried.get(item, []), *tags]))
    )


def remove_tags(session: Session, *, actor: Actor, item_ids: Sequence[UUID], tags: Sequence[str]) -> int:
    carried = library.tags_of(session, item_ids)
    dropped = {tag.casefold() for tag in tags}
    return _each(
        session,
        actor,
        item_ids,
        lambda item: Update(
            item, ItemChanges(tags=[tag for tag in carried.get(item, []) if tag.casefold() not in dropped])
        ),
    )


def delete(session: Session, *, actor: Actor, item_ids: Sequence[UUID], force: bool = False) -> int:
    """Delete the items and their files; refused (MediaInUse) for items pages use, unless `force`."""
    return _each(session, actor, item_ids, lambda item: Remove(item, force=force))


def _each(
    session: Session, actor: Actor, item_ids: Sequence[UUID], operation: Callable[[UUID], Operation]
) -> int:
    ids = list(dict.fromkeys(item_ids))
    try:
        apply(session, actor=actor, operations=[operation(item_id) for item_id in ids])
    except OperationFailed as failure:
        raise failure.error from None  # the admin names the file; the index means nothing there
    return len(ids)
