"""Moving the library to another storage backend (`nexus media migrate-storage`), verified and resumable."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from uuid import UUID

from sqlmodel import Session, col, func, select

from nexus_core.errors import InvalidInput, InvalidPath, NexusError, NotFound
from nexus_core.media.backends import BACKEND_NAMES, Backends, Progress, silent
from nexus_core.media.deletion import recorded_paths
from nexus_core.media.paths import mime_type_from_path
from nexus_core.media.storage import Storage
from nexus_core.models import MediaItem, MediaStatus


class CopyFailed(NexusError):
    """A file could not be copied and verified; the item stays on its current backend."""


@dataclass
class MigrationResult:
    target: str
    total: int
    already_there: int
    moved: list[UUID] = field(default_factory=list)
    files_copied: int = 0
    files_reused: int = 0
    failed: list[tuple[UUID, str]] = field(default_factory=list)
    postponed: list[UUID] = field(default_factory=list)
    stopped: str | None = None
    """Why the run stopped early (the target or source failing); running again resumes."""
    source_files_deleted: int = 0
    source_files_kept: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.failed or self.postponed or self.stopped)


def migrate_storage(
    session: Session,
    *,
    to: str,
    delete_source: bool = False,
    backends: Backends | None = None,
    progress: Progress = silent,
) -> MigrationResult:
    """Copy every item's files to the `to` backend, verify them by sha256, then switch the item's
    `storage_backend`; one item at a time, so a second run resumes where the first stopped.

    Source files are deleted only with `delete_source`, only once everything is on the target, and
    only when the app already serves from the target (else the live site would lose its files).
    """
    backends = backends or Backends()
    if to not in BACKEND_NAMES:
        raise InvalidInput(f"Unknown storage backend {to!r}; expected local or s3.")
    if delete_source and backends.configured != to:
        raise InvalidInput(
            f"The app still serves files from {backends.configured}: set NEXUS_STORAGE_BACKEND={to}, "
            "restart it, then run this again with --delete-source."
        )
    target = backends.get(to)
    ids = list(
        session.exec(
            select(MediaItem.id)
            .where(MediaItem.storage_backend != to)
            .order_by(col(MediaItem.inserted_at), col(MediaItem.id))
        ).all()
    )
    already = session.exec(
        select(func.count()).select_from(MediaItem).where(MediaItem.storage_backend == to)
    ).one()
    result = MigrationResult(target=to, total=len(ids), already_there=already)
    progress(f"{len(ids)} items to copy to {to}; {already} already there.")
    for index, item_id in enumerate(ids, 1):
        step = f"[{index}/{len(ids)}]"
        try:
            _migrate_one(session, item_id, target, backends, result, step, progress)
        except (CopyFailed, InvalidPath) as error:
            result.failed.append((item_id, str(error)))
            progress(f"{step} failed {item_id}: {error}")
        except NexusError as error:
            result.stopped = f"{step} {item_id}: {error}"
            progress(f"{step} stopped at {item_id}: {error}")
            break
    if delete_source and result.complete:
        _delete_source_files(session, target, backends, result, progress)
    return result


def _migrate_one(
    session: Session,
    item_id: UUID,
    target: Storage,
    backends: Backends,
    result: MigrationResult,
    step: str,
    progress: Progress,
) -> None:
    item = session.get(MediaItem, item_id, populate_existing=True)
    if item is None:
        progress(f"{step} skipped {item_id}: deleted meanwhile")
        return
    if item.status in MediaStatus.in_flight():
        result.postponed.append(item_id)
        progress(f"{step} postponed {item_id}: still {item.status}")
        return
    source = backends.get(item.storage_backend)
    files = recorded_paths(item)
    copied = sum(_copy_file(path, mime_type_from_path(path), source, target) for path in files)
    current = session.get(MediaItem, item_id, populate_existing=True)
    if current is None:
        for path in files:
            target.delete(path)
        progress(f"{step} skipped {item_id}: deleted meanwhile")
        return
    if recorded_paths(current) != files:
        raise CopyFailed("its files changed while they were copied; run the command again")
    current.storage_backend = target.name
    session.add(current)
    session.commit()
    result.moved.append(item_id)
    result.files_copied += copied
    result.files_reused += len(files) - copied
    progress(f"{step} copied {item_id} ({copied} copied, {len(files) - copied} already there)")


def _copy_file(path: str, content_type: str, source: Storage, target: Storage) -> bool:
    """Copy one file unless the target already holds the same content; True when it was copied."""
    try:
        data = source.read_bytes(path)
    except NotFound:
        raise CopyFailed(f"{path} is missing on {source.name}") from None
    digest = hashlib.sha256(data).hexdigest()
    if _holds(target, path, digest):
        return False
    for _attempt in range(2):
        target.store(path, data, content_type=content_type)
        if _holds(target, path, digest):
            return True
    raise CopyFailed(f"the copy of {path} on {target.name} does not match the original (sha256)")


def _holds(storage: Storage, path: str, digest: str) -> bool:
    """Whether the stored content hashes to `digest`: read back, not taken from metadata."""
    try:
        return hashlib.sha256(storage.read_bytes(path)).hexdigest() == digest
    except NotFound:
        return False


def _delete_source_files(
    session: Session, target: Storage, backends: Backends, result: MigrationResult, progress: Progress
) -> None:
    """Delete the other backend's copy of each file whose content the target holds too (by ETag)."""
    others = [name for name in BACKEND_NAMES if name != target.name]
    if "s3" in others and not backends.settings.s3_bucket:
        progress("No S3 bucket is configured: there are no S3 source files to delete.")
        return
    items = session.exec(
        select(MediaItem)
        .where(MediaItem.storage_backend == target.name)
        .execution_options(populate_existing=True)
    ).all()
    for index, item in enumerate(items, 1):
        for source in (backends.get(name) for name in others):
            for path in recorded_paths(item):
                original = source.stat(path)
                if original is None:
                    continue
                copy = target.stat(path)
                if copy is None or copy.etag != original.etag:
                    result.source_files_kept.append(f"{source.name}: {path}")
                    progress(f"kept {source.name}: {path}: the copy on {target.name} differs")
                    continue
                source.delete(path)
                result.source_files_deleted += 1
        progress(f"[{index}/{len(items)}] removed the {'/'.join(others)} copies of {item.id}")
