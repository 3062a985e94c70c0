"""Media use cases: the one place where the database, storage and the job queue meet."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from nexus_core.config import Settings, get_settings
from nexus_core.errors import ImageError, InvalidInput, MediaInUse, NexusError, NotFound, StorageError
from nexus_core.media import metadata, paths, processing, validation
from nexus_core.media.storage import Storage, get_storage, storage_named
from nexus_core.media.upload_slots import upload_slot
from nexus_core.models import MediaItem, MediaReference, MediaStatus, Page, PendingDeletion, User
from nexus_core.models.base import new_id, utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.text import require_storable

if TYPE_CHECKING:
    from starlette.datastructures import UploadFile

logger = logging.getLogger(__name__)

MAX_ALT_TEXT_LENGTH = 1000
MAX_PAGE_SIZE = 100
MAX_PAGE_OFFSET = 1_000_000_000
"""Far beyond any library, and far below the integer limits of SQLite and PostgreSQL (2^63 - 1)."""


@dataclass(frozen=True)
class SpooledUpload:
    """A received file that the web server keeps on disk: its size, and how to read it once a slot is free."""

    size: int
    read: Callable[[], bytes]

    @classmethod
    def from_form(cls, upload: UploadFile) -> SpooledUpload:
        """A file part of a parsed multipart form (Starlette spools parts over 1 MB to disk)."""
        return cls(upload.size or 0, upload.file.read)


@dataclass(frozen=True)
class IncomingFile:
    """An uploaded file as received: nothing about it is trusted yet.

    Web requests pass a SpooledUpload, so that a file waiting for an upload slot takes no memory.
    """

    filename: str | None
    data: bytes | SpooledUpload

    def read(self) -> bytes:
        return self.data.read() if isinstance(self.data, SpooledUpload) else self.data


class UploadedItems(list[MediaItem]):
    """The new items in upload order, plus what the uploader should be told (parts removed from files).

    A list, so that callers that want only the items use it as one.
    """

    def __init__(self, items: Iterable[MediaItem], warnings: Iterable[str]) -> None:
        super().__init__(items)
        self.warnings = tuple(warnings)


@dataclass(frozen=True)
class MediaPage:
    items: list[MediaItem]
    total: int


def upload(
    session: Session,
    *,
    actor: Actor,
    files: Sequence[IncomingFile],
    alt_text: str = "",
    storage: Storage | None = None,
    settings: Settings | None = None,
) -> UploadedItems:
    """Validate and store each file, then queue their processing; all or nothing.

    Files go one at a time through an upload slot (upload_slots), so that a process holds the bytes
    of only a few files at once; a file refused after others were stored takes them away again.
    """
    authorize(actor, Action.UPLOAD)
    settings = settings or get_settings()
    storage = storage or get_storage(settings)
    if not files:
        raise InvalidInput("Choose at least one image to upload.")
    validation.check_count(len(files), max_files=settings.max_files_per_upload)
    for file in files:
        if isinstance(file.data, SpooledUpload):
            validation.check_size(file.filename, file.data.size, max_bytes=settings.max_upload_bytes)
    alt_text = clean_alt_text(alt_text)
    items: list[MediaItem] = []
    warnings: list[str] = []
    try:
        for file in files:
            item, warning = _store_one(
                session, actor=actor, file=file, alt_text=alt_text, storage=storage, settings=settings
            )
            items.append(item)
            if warning:
                warnings.append(warning)
        session.commit()
        for item in items:
            _enqueue_processing(item.id)
    except Exception:
        session.rollback()
        _discard(session, items, storage)
        raise
    for item in items:
        session.refresh(item)  # a fast (or inline) worker may have processed it already
    return UploadedItems(items, warnings=warnings)


def _store_one(
    session: Session,
    *,
    actor: Actor,
    file: IncomingFile,
    alt_text: str,
    storage: Storage,
    settings: Settings,
) -> tuple[MediaItem, str | None]:
    """Read, check, strip and store one file in an upload slot; its bytes are let go with the slot."""
    with upload_slot(settings):
        upload_ = validation.validate_upload(
            file.filename,
            file.read(),
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
            max_frames=settings.max_image_frames,
        )
        if not settings.keep_original_metadata:
            upload_ = replace(upload_, data=metadata.strip_private_metadata(upload_.data, upload_.mime_type))
        item = _store_new_item(session, actor=actor, upload_=upload_, alt_text=alt_text, storage=storage)
    return item, upload_.warning


def _store_new_item(
    session: Session, *, actor: Actor, upload_: validation.ValidatedUpload, alt_text: str, storage: Storage
) -> MediaItem:
    item_id = new_id()
    file_path = paths.generate_path(actor.project_id, item_id, upload_.mime_type)
    try:
        storage.store(file_path, upload_.data, content_type=upload_.mime_type)
    except StorageError as error:
        logger.error("Storing %s failed: %s", file_path, error)
        raise StorageError(
            f"The file storage could not be reached, so “{upload_.filename}” was not saved. "
            "Please try again in a moment."
        ) from error
    item = MediaItem(
        id=item_id,
        project_id=actor.project_id,
        uploaded_by_id=actor.user_id,
        filename=upload_.filename,
        file_path=file_path,
        mime_type=upload_.mime_type,
        file_size=len(upload_.data),
        width=upload_.width,
        height=upload_.height,
        alt_text=alt_text,
        storage_backend=storage.name,
    )
    session.add(item)
    return item


def _discard(session: Session, items: Iterable[MediaItem], storage: Storage) -> None:
    """Undo a failed upload: remove stored originals and any row that was already committed."""
    for item in items:
        try:
            storage.delete(item.file_path)
        except NexusError:
            logger.exception("Could not remove %s after a failed upload", item.file_path)
            session.add(PendingDeletion(path=item.file_path, storage_backend=storage.name))
        committed = session.get(MediaItem, item.id)
        if committed is not None:
            session.delete(committed)
    session.commit()


def _enqueue_processing(item_id: UUID) -> None:
    from nexus_core.media.tasks import process_media_item  # the task module imports this one

    process_media_item(str(item_id))


def clean_alt_text(alt_text: str | None) -> str:
    text = require_storable(" ".join((alt_text or "").split()), "Alt text")
    if len(text) > MAX_ALT_TEXT_LENGTH:
        raise InvalidInput(f"Alt text can have at most {MAX_ALT_TEXT_LENGTH} characters; it has {len(text)}.")
    return text


def get_item(session: Session, *, actor: Actor, item_id: UUID | str) -> MediaItem:
    authorize(actor, Action.VIEW)
    item = session.get(MediaItem, _as_uuid(item_id))
    if item is None or item.project_id != actor.project_id:
        raise NotFound("No such media item in this project.")
    return item


def _as_uuid(value: UUID | str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("No such media item in this project.") from None


def list_items(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    status: MediaStatus | None = None,
    query: str | None = None,
) -> MediaPage:
    """Newest first, filtered by status and by a search in filename and alt text."""
    authorize(actor, Action.VIEW)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"The page size must be between 1 and {MAX_PAGE_SIZE}.")
    if not 0 <= offset <= MAX_PAGE_OFFSET:
        raise InvalidInput(f"The page offset must be between 0 and {MAX_PAGE_OFFSET}.")
    conditions: list[ColumnElement[bool]] = [col(MediaItem.project_id) == actor.project_id]
    if status is not None:
        conditions.append(col(MediaItem.status) == status)
    if query and query.strip():
        pattern = "%" + _escape_like(query.strip().lower()) + "%"
        conditions.append(
            or_(
                func.lower(MediaItem.filename).like(pattern, escape="\\"),
                func.lower(MediaItem.alt_text).like(pattern, escape="\\"),
            )
        )
    total = session.exec(select(func.count()).select_from(MediaItem).where(*conditions)).one()
    items = session.exec(
        select(MediaItem)
        .where(*conditions)
        .order_by(col(MediaItem.inserted_at).desc(), col(MediaItem.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return MediaPage(items=list(items), total=total)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def update_alt_text(
    session: Session, *, actor: Actor, item_id: UUID | str, alt_text: str | None
) -> MediaItem:
    item = get_item(session, actor=actor, item_id=item_id)
    authorize(actor, Action.EDIT_MEDIA)
    item.alt_text = clean_alt_text(alt_text)
    item.updated_at = utcnow()
    session.add(item)
    session.commit()
    return item


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
    item = get_item(session, actor=actor, item_id=item_id)
    authorize(actor, Action.DELETE_MEDIA)
    if not force:
        _refuse_if_in_use(session, item)
    storage = storage or storage_named(item.storage_backend)
    owed = [PendingDeletion(path=path, storage_backend=item.storage_backend) for path in stored_paths(item)]
    session.delete(item)
    session.add_all(owed)
    session.commit()
    delete_pending_files(session, owed, storage)


def pages_using(session: Session, item_id: UUID) -> list[tuple[str, str]]:
    """(id, title) of every page that uses the item, by title."""
    rows = session.exec(
        select(Page.id, Page.title)
        .join(MediaReference, col(MediaReference.page_id) == Page.id)
        .where(MediaReference.media_item_id == item_id)
        .order_by(Page.title)
    )
    return [(str(page_id), title) for page_id, title in rows]


def _refuse_if_in_use(session: Session, item: MediaItem) -> None:
    pages = pages_using(session, item.id)
    if pages:
        titles = ", ".join(f"“{title}”" for _, title in pages)
        noun = "page" if len(pages) == 1 else f"{len(pages)} pages"
        raise MediaInUse(
            f"“{item.filename}” is used by {noun}: {titles}. Deleting it breaks {'it' if len(pages) == 1 else 'them'}.",
            pages,
        )


def stored_paths(item: MediaItem) -> list[str]:
    """The original and every variant path the item may have, recorded or not yet recorded."""
    possible = [
        paths.generate_path(item.project_id, item.id, item.mime_type, name)
        for name in processing.VARIANT_WIDTHS
    ]
    return list(dict.fromkeys([item.file_path, *item.variants.values(), *possible]))


def delete_pending_files(session: Session, deletions: Iterable[PendingDeletion], storage: Storage) -> int:
    """Try each owed deletion; drop the record when it succeeds. Returns how many remain."""
    remaining = 0
    for deletion in deletions:
        try:
            storage.delete(deletion.path)
        except NexusError as error:
            logger.warning("Could not delete %s: %s (kept for the sweep)", deletion.path, error)
            deletion.attempts += 1
            deletion.last_error = str(error)[:1000]
            session.add(deletion)
            remaining += 1
        else:
            session.delete(deletion)
    session.commit()
    return remaining


def process_item(
    session: Session, *, item_id: UUID | str, storage: Storage | None = None, settings: Settings | None = None
) -> MediaItem | None:
    """Make the variants of one item; safe to run twice, a no-op for a deleted item.

    A bad image ends as status error with its reason; storage failures propagate so the queue retries.
    """
    settings = settings or get_settings()
    item = session.get(MediaItem, _as_uuid(item_id))
    if item is None:
        return None
    storage = storage or storage_named(item.storage_backend, settings)
    _set_status(session, item, MediaStatus.PROCESSING)
    data = storage.read_bytes(item.file_path)
    try:
        result = processing.generate_variants(
            data, item.mime_type, max_pixels=settings.max_image_pixels, max_frames=settings.max_image_frames
        )
    except ImageError as error:
        _set_status(session, item, MediaStatus.ERROR, error=str(error))
        return item
    variants = {}
    for variant in result.variants:
        path = paths.generate_path(item.project_id, item.id, item.mime_type, variant.name)
        storage.store(path, variant.data, content_type=item.mime_type)
        variants[variant.name] = path
    if session.get(MediaItem, item.id, populate_existing=True) is None:
        for path in variants.values():  # deleted while we worked: leave no orphan behind
            storage.delete(path)
        return None
    for stale in set(item.variants.values()) - set(variants.values()):
        storage.delete(stale)
    item.variants = variants
    item.width, item.height = result.width, result.height
    _set_status(session, item, MediaStatus.READY)
    return item


def claim_stuck_items(session: Session, *, older_than: timedelta) -> list[UUID]:
    """Items pending or processing for longer than any job takes: their job was lost (a worker
    killed mid-job, a flushed queue). They are stamped, so the next look waits as long again."""
    cutoff = utcnow() - older_than
    stuck = session.exec(
        select(MediaItem).where(
            col(MediaItem.status).in_([MediaStatus.PENDING, MediaStatus.PROCESSING]),
            col(MediaItem.updated_at) < cutoff,
        )
    ).all()
    for item in stuck:
        item.updated_at = utcnow()
        session.add(item)
    session.commit()
    return [item.id for item in stuck]


def mark_failed(session: Session, *, item_id: UUID | str, reason: str) -> None:
    """Record that processing gave up (after its retries), so the item does not stay pending."""
    item = session.get(MediaItem, _as_uuid(item_id))
    if item is not None and item.status != MediaStatus.READY:
        _set_status(session, item, MediaStatus.ERROR, error=reason)


def _set_status(session: Session, item: MediaItem, status: MediaStatus, *, error: str | None = None) -> None:
    item.status = status
    item.error = error[:1000] if error else None
    item.updated_at = utcnow()
    session.add(item)
    session.commit()


@dataclass(frozen=True)
class VariantFile:
    name: str
    path: str
    size: int | None


@dataclass(frozen=True)
class ItemDetails:
    """What the detail panel shows: the item, who uploaded it, and its variants with their sizes."""

    item: MediaItem
    uploader_email: str | None
    variants: list[VariantFile]
    used_in: list[tuple[str, str]]


def get_item_details(
    session: Session, *, actor: Actor, item_id: UUID | str, storage: Storage | None = None
) -> ItemDetails:
    item = get_item(session, actor=actor, item_id=item_id)
    storage = storage or storage_named(item.storage_backend)
    uploader = session.get(User, item.uploaded_by_id) if item.uploaded_by_id else None
    ordered = sorted(item.variants.items(), key=lambda pair: processing.VARIANT_WIDTHS.get(pair[0], 0))
    variants = []
    for name, path in ordered:
        stat = storage.stat(path)
        variants.append(VariantFile(name=name, path=path, size=stat.size if stat else None))
    return ItemDetails(
        item=item,
        uploader_email=uploader.email if uploader else None,
        variants=variants,
        used_in=pages_using(session, item.id),
    )


def statuses(session: Session, *, actor: Actor, item_ids: Sequence[UUID]) -> dict[UUID, MediaStatus]:
    """The current status of some items of the project (for live tiles); missing ids are left out."""
    authorize(actor, Action.VIEW)
    if not item_ids:
        return {}
    rows = session.exec(
        select(MediaItem.id, MediaItem.status).where(
            col(MediaItem.project_id) == actor.project_id, col(MediaItem.id).in_(list(item_ids))
        )
    )
    return {item_id: MediaStatus(status) for item_id, status in rows}
