"""Replacing an item's file: the new file is checked like an upload and becomes the item's next version,
keeping its id, alt text, tags, folder and the pages that use it; its edits are cleared."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from uuid import UUID

from sqlmodel import Session, col, select

from nexus_core.config import Settings, get_settings
from nexus_core.errors import NexusError, NotFound
from nexus_core.media import head_start, jobs, library, paths, versions
from nexus_core.media.edits import ORIGINAL
from nexus_core.media.storage import Storage, storage_named
from nexus_core.media.upload import IncomingFile
from nexus_core.media.upload_slots import upload_slot
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView
from nexus_core.webhooks import events
from nexus_core.webhooks.messages import WebhookEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplacedFile:
    item: MediaItemView
    same_as: tuple[MediaItemView, ...]
    """Other items of the project whose original has the new file's bytes (it is stored all the same)."""
    warning: str | None
    """What was removed from the file on the way in (an SVG's scripts)."""


def replace_file(
    session: Session,
    *,
    actor: Actor,
    item_id: UUID | str,
    file: IncomingFile,
    storage: Storage | None = None,
    settings: Settings | None = None,
) -> ReplacedFile:
    """Store `file` as the item's new original, in a new version whose renditions are made from it.

    Checked as an upload is (size, real type by content, pixels and frames, private metadata removed).
    The file may be of another type (a PNG for a JPEG: the new version's URLs end in .png). The rule
    against duplicates does not apply: a file with the bytes of the item's own original replaces it
    all the same (a new version without edits), and one with another item's bytes is stored too,
    that item named in `same_as` (the processing job records the pair as duplicates). The old original
    stays for NEXUS_OLD_VERSION_GRACE like the old renditions; if anything fails, the new file goes.
    Webhooks hear `media.updated` of the item.
    """
    authorize(actor, Action.UPLOAD)
    item = library.load_item(session, actor=actor, item_id=item_id)
    settings = settings or get_settings()
    storage = storage or storage_named(item.storage_backend, settings)
    with upload_slot(settings):
        checked = file.checked(settings)
        version = item.version + 1
        head_start.start(item.id, checked.data, checked.mime_type, settings, version=version)
        sha256 = hashlib.sha256(checked.data).hexdigest()
        path = paths.generate_path(item.project_id, item.id, checked.mime_type, version=version)
        try:
            storage.store(path, checked.data, content_type=checked.mime_type)
        except Exception:
            head_start.forget(item.id)
            raise
    try:
        claimed = versions.claim(session, item.id)
        if claimed is None:
            raise NotFound("No such media item in this project.")
        if claimed.version + 1 != version:  # edited or replaced meanwhile: this is the version after that
            stale_path, version = path, claimed.version + 1
            path = paths.generate_path(item.project_id, item.id, checked.mime_type, version=version)
            storage.store(path, checked.data, content_type=checked.mime_type)
            _discard(storage, stale_path)
        versions.start_new_version(session, claimed, settings=settings, replacing_original=True)
        for column, value in ORIGINAL.as_columns().items():
            setattr(claimed, column, value)
        claimed.filename, claimed.file_path, claimed.mime_type = checked.filename, path, checked.mime_type
        claimed.file_size, claimed.sha256 = len(checked.data), sha256
        claimed.width = claimed.original_width = checked.width
        claimed.height = claimed.original_height = checked.height
        claimed.frames = None
        session.add(claimed)
        same_as = _others_with(session, claimed, sha256)
        session.commit()
    except Exception:
        session.rollback()
        head_start.forget(item.id)
        _discard(storage, path)
        raise
    jobs.request_processing(claimed.id)
    session.refresh(claimed)  # an inline queue has processed it already
    views = library.views_of(session, [claimed, *same_as])
    events.media_changed(session, WebhookEvent.MEDIA_UPDATED, views[:1])
    return ReplacedFile(views[0], tuple(views[1:]), checked.warning)


def _others_with(session: Session, item: MediaItem, sha256: str) -> list[MediaItem]:
    return list(
        session.exec(
            select(MediaItem)
            .where(
                MediaItem.project_id == item.project_id,
                MediaItem.sha256 == sha256,
                col(MediaItem.id) != item.id,
                MediaItem.status != MediaStatus.ERROR,
            )
            .order_by(col(MediaItem.inserted_at))
        ).all()
    )


def _discard(storage: Storage, path: str) -> None:
    try:
        storage.delete(path)
    except NexusError:
        logger.exception("Could not remove %s after a failed replacement (the sweep will)", path)
