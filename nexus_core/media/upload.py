"""Uploading: validate each file, strip private metadata, skip what is there already, store it, add its row,
queue its processing."""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from uuid import UUID

from sqlmodel import Session

from nexus_core.config import Settings, get_settings
from nexus_core.errors import InvalidInput, NexusError, StorageError
from nexus_core.media import folders, head_start, jobs, library, metadata, paths, validation
from nexus_core.media.duplicates import find_copy
from nexus_core.media.editing import clean_alt_text
from nexus_core.media.storage import Storage, get_storage
from nexus_core.media.tags import clean_tags, replace_tags
from nexus_core.media.upload_slots import upload_slot
from nexus_core.models import Folder, MediaItem, PendingDeletion
from nexus_core.models.base import new_id
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView
from nexus_core.webhooks import events
from nexus_core.webhooks.messages import WebhookEvent

if TYPE_CHECKING:
    from starlette.datastructures import UploadFile

logger = logging.getLogger(__name__)


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
    early: head_start.EarlyStart | None = None
    """Its processing's head start, begun while it arrived (an upload's first file, through the API)."""

    def read(self) -> bytes:
        return self.data.read() if isinstance(self.data, SpooledUpload) else self.data

    def checked(self, settings: Settings) -> validation.ValidatedUpload:
        """Read and validate by content, private metadata removed unless kept: what may be stored
        (call it inside an upload slot, which bounds the memory the bytes take)."""
        upload_ = validation.validate_upload(
            self.filename,
            self.read(),
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
            max_frames=settings.max_image_frames,
        )
        if self.early is not None:
            self.early.check(upload_.data, upload_.mime_type)
        if settings.keep_original_metadata:
            return upload_
        return replace(upload_, data=metadata.strip_private_metadata(upload_.data, upload_.mime_type))


@dataclass(frozen=True)
class Duplicate:
    """A file not stored because an item already has its bytes (as they would have been stored)."""

    index: int
    """The file's place in the upload (from 0), which is also its item's place in UploadedItems."""
    existing: MediaItemView


class UploadedItems(list[MediaItemView]):
    """The item of each file in upload order (new, or the one already in the library with the same
    bytes), which of them were already there, and what the uploader should be told (parts removed).

    A list, so that callers that want only the items use it as one.
    """

    def __init__(
        self, items: Iterable[MediaItemView], warnings: Iterable[str], duplicates: Iterable[Duplicate] = ()
    ) -> None:
        super().__init__(items)
        self.warnings = tuple(warnings)
        self.duplicates = tuple(duplicates)

    @property
    def any_new(self) -> bool:
        """Whether at least one file was stored (the API's 201 rather than 200)."""
        return len(self.duplicates) < len(self)


class SameBytesGuard:
    """Lets one upload at a time through with the same bytes, among the threads that share the guard.

    The duplicate check sees committed rows only, so two threads storing the same bytes at once (an
    import that works on several files in parallel) would each miss the other and store both. With a
    guard, a claim on the bytes is held from the check until the commit (or the undoing), and the
    second upload then finds the first one's item. Share a guard only among uploads of one file each:
    two uploads of several files could each hold bytes the other one waits for.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def claim(self, sha256: str) -> Iterator[None]:
        with self._lock:
            claim, holders = self._claims.get(sha256, (threading.Lock(), 0))
            self._claims[sha256] = (claim, holders + 1)
        try:
            with claim:
                yield
        finally:
            with self._lock:
                holders = self._claims[sha256][1] - 1
                if holders:
                    self._claims[sha256] = (claim, holders)
                else:
                    del self._claims[sha256]


def upload(
    session: Session,
    *,
    actor: Actor,
    files: Sequence[IncomingFile],
    alt_text: str = "",
    folder_id: UUID | None = None,
    tags: Sequence[str] = (),
    allow_duplicates: bool = False,
    storage: Storage | None = None,
    settings: Settings | None = None,
    same_bytes: SameBytesGuard | None = None,
) -> UploadedItems:
    """Validate and store each file, then queue their processing; all or nothing.

    A file whose bytes (metadata stripped) are an item's of the project already, or an earlier file's
    of this upload, is not stored again: the existing item stands in for it, unchanged, unless
    `allow_duplicates`. Files go one at a time through an upload slot (upload_slots), so that a process
    holds the bytes of only a few files at once; a file refused after others were stored takes them
    away again. New items go into `folder_id` (None: the root) with `tags`; existing ones stay as they are.
    Uploads that run at once in threads of one process share a `same_bytes` guard to see each other.
    """
    authorize(actor, Action.UPLOAD)
    settings = settings or get_settings()
    storage = storage or get_storage(settings)
    if not files:
        raise InvalidInput("Choose at least one image to upload.")
    if same_bytes is not None and len(files) > 1:
        raise ValueError("A SameBytesGuard is for uploads of one file each.")
    validation.check_count(len(files), max_files=settings.max_files_per_upload)
    for file in files:
        if isinstance(file.data, SpooledUpload):
            validation.check_size(file.filename, file.data.size, max_bytes=settings.max_upload_bytes)
    alt_text = clean_alt_text(alt_text)
    folder = folders.load_folder(session, actor=actor, folder_id=folder_id) if folder_id else None
    wanted_tags = clean_tags(tags)
    items: list[MediaItem] = []
    is_new: list[bool] = []
    warnings: list[str] = []
    claims = ExitStack()  # a guard's claims last until the commit, or until the undoing
    hold = (lambda sha256: claims.enter_context(same_bytes.claim(sha256))) if same_bytes else None
    try:
        for file in files:
            item, warning, stored = _store_one(
                session,
                actor=actor,
                file=file,
                alt_text=alt_text,
                allow_duplicates=allow_duplicates,
                storage=storage,
                settings=settings,
                claim=hold,
            )
            items.append(item)
            is_new.append(stored)
            if warning:
                warnings.append(warning)
        for item in itertools.compress(items, is_new):
            _organise(session, item, folder, wanted_tags)
        session.commit()
        events.media_changed(session, WebhookEvent.MEDIA_CREATED, list(itertools.compress(items, is_new)))
        for item in itertools.compress(items, is_new):
            jobs.request_processing(item.id)
    except Exception:
        session.rollback()
        for item in itertools.compress(items, is_new):
            head_start.forget(item.id)
        _discard(session, itertools.compress(items, is_new), storage)
        raise
    finally:
        claims.close()
    for item in items:
        session.refresh(item)  # a fast (or inline) worker may have processed it already
    views = library.views_of(session, items)
    copies = (
        Duplicate(index, view) for index, (view, new) in enumerate(zip(views, is_new, strict=True)) if not new
    )
    return UploadedItems(views, warnings=warnings, duplicates=copies)


def _organise(session: Session, item: MediaItem, folder: Folder | None, tags: list[str]) -> None:
    item.folder_id = folder.id if folder else None
    session.add(item)
    session.flush()
    if tags:
        replace_tags(session, item, tags)


def _store_one(
    session: Session,
    *,
    actor: Actor,
    file: IncomingFile,
    alt_text: str,
    allow_duplicates: bool,
    storage: Storage,
    settings: Settings,
    claim: Callable[[str], None] | None = None,
) -> tuple[MediaItem, str | None, bool]:
    """Read, check, strip and store one file in an upload slot; its bytes are let go with the slot.

    Returns its item, what was removed from it, and whether the item is new (not a copy's). `claim`
    is called with the bytes' SHA-256 before the duplicate check (see SameBytesGuard).
    """
    with upload_slot(settings):
        upload_ = file.checked(settings)
        item_id = new_id()
        head_start.start(
            item_id, upload_.data, upload_.mime_type, settings, early=file.early
        )  # dropped if not needed
        try:
            sha256 = hashlib.sha256(upload_.data).hexdigest()
            if claim is not None:
                claim(sha256)
            # The session flushes this upload's new rows first, so a second identical file finds the first.
            existing = (
                None if allow_duplicates else find_copy(session, project_id=actor.project_id, sha256=sha256)
            )
            if existing is not None:
                head_start.forget(item_id)
                return existing, upload_.warning, False
            item = _store_new_item(
                session,
                actor=actor,
                item_id=item_id,
                upload_=upload_,
                sha256=sha256,
                alt_text=alt_text,
                storage=storage,
            )
        except Exception:
            head_start.forget(item_id)
            raise
    return item, upload_.warning, True


def _store_new_item(
    session: Session,
    *,
    actor: Actor,
    item_id: UUID,
    upload_: validation.ValidatedUpload,
    sha256: str,
    alt_text: str,
    storage: Storage,
) -> MediaItem:
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
        original_width=upload_.width,
        original_height=upload_.height,
        alt_text=alt_text,
        storage_backend=storage.name,
        sha256=sha256,  # of the bytes stored, metadata stripped
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
