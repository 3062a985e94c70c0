"""Operator maintenance of the media library: check, sweep, regenerate variants, migrate storage."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from sqlmodel import Session, col, func, select

from nexus_core import projects
from nexus_core.config import Settings, get_settings
from nexus_core.errors import InvalidInput, InvalidPath, NexusError, NotFound
from nexus_core.media import paths, service
from nexus_core.media.storage import Storage, storage_named
from nexus_core.models import MediaItem, MediaStatus, PendingDeletion
from nexus_core.models.base import as_utc, utcnow

Progress = Callable[[str], None]
BackendName = Literal["local", "s3"]
BACKEND_NAMES: tuple[BackendName, ...] = ("local", "s3")
IN_FLIGHT = (MediaStatus.PENDING, MediaStatus.PROCESSING)
MISSING_ORIGINAL = "The original file is missing from storage"
LISTING_PROGRESS_EVERY = 1000


def _silent(message: str) -> None:
    pass


class Backends:
    """Each storage backend by name, built once: the configured one is the app's own, the other
    is built from the same settings (S3 needs NEXUS_S3_BUCKET; local uses the media directory)."""

    def __init__(
        self, settings: Settings | None = None, overrides: Mapping[str, Storage] | None = None
    ) -> None:
        self.settings = settings or get_settings()
        self._storages: dict[str, Storage] = dict(overrides or {})

    @property
    def configured(self) -> str:
        return self.settings.storage_backend

    def get(self, name: str) -> Storage:
        if name not in self._storages:
            self._storages[name] = self._build(name)
        return self._storages[name]

    def _build(self, name: str) -> Storage:
        return storage_named(name, self.settings)


@dataclass(frozen=True)
class MissingFiles:
    item_id: UUID
    backend: str
    paths: tuple[str, ...]
    original_missing: bool


@dataclass(frozen=True)
class StoredFile:
    backend: str
    path: str


@dataclass(frozen=True)
class StuckItem:
    item_id: UUID
    status: str
    since: datetime


@dataclass(frozen=True)
class OwedDeletion:
    backend: str
    path: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class CheckReport:
    backends: tuple[str, ...]
    item_count: int
    file_count: int
    missing: list[MissingFiles]
    orphans: list[StoredFile]
    stuck: list[StuckItem]
    owed: list[OwedDeletion]
    elsewhere: dict[str, int]
    """Items per backend other than the configured one, which the app does not serve from."""

    @property
    def problem_count(self) -> int:
        return (
            len(self.missing)
            + len(self.orphans)
            + len(self.stuck)
            + len(self.owed)
            + sum(self.elsewhere.values())
        )

    @property
    def clean(self) -> bool:
        return self.problem_count == 0


def check_library(
    session: Session,
    *,
    stuck_after: timedelta = timedelta(minutes=15),
    backends: Backends | None = None,
    progress: Progress = _silent,
) -> CheckReport:
    """Missing files, files of no item, items stuck in processing, and deletions still owed.

    Rows are read before files are listed: an upload stores its file before inserting its row, so
    a file can show up without a row (an orphan younger than any grace period) but a row never
    shows up without its file.
    """
    backends = backends or Backends()
    now = utcnow()
    items = {
        item.id: item
        for item in session.exec(select(MediaItem).execution_options(populate_existing=True)).all()
    }
    owed = list(session.exec(select(PendingDeletion).order_by(col(PendingDeletion.inserted_at))).all())
    names = sorted(
        {
            backends.configured,
            *(i.storage_backend for i in items.values()),
            *(d.storage_backend for d in owed),
        }
    )
    progress(f"Checking {len(items)} items on {', '.join(names)} …")
    listed = {name: _list_files(backends.get(name), progress) for name in names}
    missing = [
        found for item in items.values() if (found := _missing_files(item, listed[item.storage_backend]))
    ]
    orphans = [
        StoredFile(name, path)
        for name in names
        for path in sorted(listed[name] - {d.path for d in owed if d.storage_backend == name})
        if not belongs_to_item(path, items.get)
    ]
    stuck = [
        StuckItem(item.id, item.status, as_utc(item.updated_at))
        for item in items.values()
        if item.status in IN_FLIGHT and now - as_utc(item.updated_at) > stuck_after
    ]
    elsewhere: dict[str, int] = {}
    for item in items.values():
        if item.storage_backend != backends.configured:
            elsewhere[item.storage_backend] = elsewhere.get(item.storage_backend, 0) + 1
    return CheckReport(
        backends=tuple(names),
        item_count=len(items),
        file_count=sum(len(files) for files in listed.values()),
        missing=missing,
        orphans=orphans,
        stuck=sorted(stuck, key=lambda s: s.since),
        owed=[OwedDeletion(d.storage_backend, d.path, d.attempts, d.last_error) for d in owed],
        elsewhere=elsewhere,
    )


def _list_files(storage: Storage, progress: Progress) -> set[str]:
    files: set[str] = set()
    for path in storage.iter_paths():
        files.add(path)
        if len(files) % LISTING_PROGRESS_EVERY == 0:
            progress(f"Listed {len(files)} files on {storage.name} …")
    return files


def _missing_files(item: MediaItem, files: set[str]) -> MissingFiles | None:
    absent = tuple(path for path in (item.file_path, *item.variants.values()) if path not in files)
    if not absent:
        return None
    return MissingFiles(item.id, item.storage_backend, absent, original_missing=item.file_path in absent)


def belongs_to_item(path: str, find_item: Callable[[UUID], MediaItem | None]) -> bool:
    """Whether a stored path is the original or a (possible) variant of an existing item, on any backend."""
    parsed = paths.parse_path(path)
    if parsed is None:
        return False
    item = find_item(parsed.item_id)
    return item is not None and item.project_id == parsed.project_id and path in service.stored_paths(item)


@dataclass
class SweepResult:
    applied: bool
    orphans_deleted: list[StoredFile] = field(default_factory=list)
    orphans_kept_young: list[StoredFile] = field(default_factory=list)
    deletions_retried: int = 0
    deletions_remaining: int = 0
    requeued: list[UUID] = field(default_factory=list)
    marked_error: list[UUID] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def sweep_library(
    session: Session,
    *,
    apply: bool = False,
    grace: timedelta = timedelta(hours=1),
    stuck_after: timedelta = timedelta(minutes=15),
    backends: Backends | None = None,
    progress: Progress = _silent,
) -> SweepResult:
    """Fix what `check_library` finds; without `apply`, only say what would be done.

    Orphans younger than `grace` are kept: an upload in flight stores its file just before it
    inserts the row. Each action re-reads the row first, since the app keeps running meanwhile.
    """
    backends = backends or Backends()
    report = check_library(session, stuck_after=stuck_after, backends=backends, progress=progress)
    result = SweepResult(applied=apply)
    would = "" if apply else "would "
    _sweep_orphans(session, report.orphans, grace, backends, result, progress)
    _retry_owed_deletions(session, backends, result, progress)
    missing_originals = {m.item_id: m for m in report.missing if m.original_missing}
    for missing in missing_originals.values():
        item = session.get(MediaItem, missing.item_id, populate_existing=True)
        if item is None or (
            item.status == MediaStatus.ERROR and (item.error or "").startswith(MISSING_ORIGINAL)
        ):
            continue
        if backends.get(item.storage_backend).exists(item.file_path):
            continue
        if apply:
            _set_error(session, item, f"{MISSING_ORIGINAL} ({item.storage_backend}: {item.file_path}).")
        result.marked_error.append(item.id)
        progress(f"{would}mark {item.id} as error: its original {item.file_path} is missing")
    for stuck in report.stuck:
        if stuck.item_id in missing_originals:
            continue
        item = session.get(MediaItem, stuck.item_id, populate_existing=True)
        if item is None or item.status not in IN_FLIGHT or utcnow() - as_utc(item.updated_at) <= stuck_after:
            continue
        if apply:
            item.updated_at = utcnow()  # the next sweep waits another `stuck_after` for the worker
            session.add(item)
            session.commit()
            _enqueue(item.id)
        result.requeued.append(item.id)
        progress(f"{would}re-queue {item.id} ({stuck.status} since {stuck.since:%Y-%m-%d %H:%M} UTC)")
    return result


def _sweep_orphans(
    session: Session,
    orphans: Iterable[StoredFile],
    grace: timedelta,
    backends: Backends,
    result: SweepResult,
    progress: Progress,
) -> None:
    would = "" if result.applied else "would "
    for orphan in orphans:
        storage = backends.get(orphan.backend)
        try:
            stat = storage.stat(orphan.path)
            if stat is None:
                continue
            if stat.modified is None or utcnow() - stat.modified < grace:
                result.orphans_kept_young.append(orphan)
                progress(f"keep {orphan.backend}: {orphan.path} (younger than the grace period)")
                continue
            if not _still_orphan(session, orphan):
                continue
            if result.applied:
                storage.delete(orphan.path)
        except NexusError as error:
            result.failures.append(f"{orphan.backend}: {orphan.path}: {error}")
            progress(f"cannot remove {orphan.backend}: {orphan.path}: {error}")
            continue
        result.orphans_deleted.append(orphan)
        progress(f"{would}delete orphan {orphan.backend}: {orphan.path}")


def _still_orphan(session: Session, orphan: StoredFile) -> bool:
    owed = session.exec(
        select(PendingDeletion.id).where(
            PendingDeletion.path == orphan.path, PendingDeletion.storage_backend == orphan.backend
        )
    ).first()
    return owed is None and not belongs_to_item(
        orphan.path, lambda item_id: session.get(MediaItem, item_id, populate_existing=True)
    )


def _retry_owed_deletions(
    session: Session, backends: Backends, result: SweepResult, progress: Progress
) -> None:
    owed = session.exec(select(PendingDeletion)).all()
    for name in sorted({deletion.storage_backend for deletion in owed}):
        batch = [deletion for deletion in owed if deletion.storage_backend == name]
        result.deletions_retried += len(batch)
        if not result.applied:
            progress(f"would retry {len(batch)} owed deletions on {name}")
            continue
        remaining = service.delete_pending_files(session, batch, backends.get(name))
        result.deletions_remaining += remaining
        progress(
            f"retried {len(batch)} owed deletions on {name}: {len(batch) - remaining} done, {remaining} left"
        )


def _set_error(session: Session, item: MediaItem, reason: str) -> None:
    item.status = MediaStatus.ERROR
    item.error = reason[:1000]
    item.updated_at = utcnow()
    session.add(item)
    session.commit()


def _enqueue(item_id: UUID) -> None:
    from nexus_core.media.tasks import process_media_item  # builds the queue: only when needed

    process_media_item(str(item_id))


@dataclass
class RegenerateResult:
    done: list[UUID] = field(default_factory=list)
    queued: list[UUID] = field(default_factory=list)
    failed: list[tuple[UUID, str]] = field(default_factory=list)
    skipped: list[tuple[UUID, str]] = field(default_factory=list)


def regenerate_variants(
    session: Session,
    *,
    item_ids: Sequence[UUID | str] = (),
    project_slug: str | None = None,
    all_items: bool = False,
    queue: bool = False,
    backends: Backends | None = None,
    progress: Progress = _silent,
) -> RegenerateResult:
    """Re-run processing of ready and error items (variants no longer made are deleted), inline or queued."""
    backends = backends or Backends()
    ids = _select_for_regeneration(session, item_ids, project_slug, all_items)
    result = RegenerateResult()
    for index, item_id in enumerate(ids, 1):
        step = f"[{index}/{len(ids)}]"
        item = session.get(MediaItem, item_id, populate_existing=True)
        if item is None:
            result.skipped.append((item_id, "no such item"))
            progress(f"{step} skipped {item_id}: no such item")
        elif item.status in IN_FLIGHT:
            result.skipped.append((item_id, f"still {item.status}"))
            progress(f"{step} skipped {item_id}: still {item.status}")
        elif queue:
            _enqueue(item_id)
            result.queued.append(item_id)
            progress(f"{step} queued {item_id}")
        else:
            _regenerate_one(session, item, backends, result, step, progress)
    return result


def _select_for_regeneration(
    session: Session, item_ids: Sequence[UUID | str], project_slug: str | None, all_items: bool
) -> list[UUID]:
    if sum((bool(item_ids), project_slug is not None, all_items)) != 1:
        raise InvalidInput("Name the items by id, or use either --project SLUG or --all.")
    if item_ids:
        return list(dict.fromkeys(_parse_id(value) for value in item_ids))
    query = select(MediaItem.id).where(col(MediaItem.status).in_([MediaStatus.READY, MediaStatus.ERROR]))
    if project_slug is not None:
        query = query.where(MediaItem.project_id == projects.get_project(session, project_slug).id)
    return list(session.exec(query.order_by(col(MediaItem.inserted_at), col(MediaItem.id))).all())


def _parse_id(value: UUID | str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a media item id.") from None


def _regenerate_one(
    session: Session,
    item: MediaItem,
    backends: Backends,
    result: RegenerateResult,
    step: str,
    progress: Progress,
) -> None:
    before = (item.status, item.error)
    try:
        processed = service.process_item(
            session, item_id=item.id, storage=backends.get(item.storage_backend), settings=backends.settings
        )
    except NotFound:
        reason = f"{MISSING_ORIGINAL} ({item.storage_backend}: {item.file_path})."
        _set_error(session, item, reason)
        result.failed.append((item.id, reason))
        progress(f"{step} failed {item.id}: {reason}")
        return
    except NexusError as error:
        item.status, item.error = before  # a storage hiccup does not make a good item bad
        session.add(item)
        session.commit()
        result.failed.append((item.id, str(error)))
        progress(f"{step} failed {item.id}: {error}")
        return
    if processed is None:
        result.skipped.append((item.id, "deleted meanwhile"))
        progress(f"{step} skipped {item.id}: deleted meanwhile")
    elif processed.status == MediaStatus.ERROR:
        result.failed.append((item.id, processed.error or "error"))
        progress(f"{step} failed {item.id}: {processed.error}")
    else:
        result.done.append(item.id)
        progress(f"{step} regenerated {item.id} ({', '.join(processed.variants) or 'no variants'})")


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
    progress: Progress = _silent,
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
    if item.status in IN_FLIGHT:
        result.postponed.append(item_id)
        progress(f"{step} postponed {item_id}: still {item.status}")
        return
    source = backends.get(item.storage_backend)
    files = (item.file_path, *item.variants.values())
    copied = sum(_copy_file(path, item.mime_type, source, target) for path in files)
    current = session.get(MediaItem, item_id, populate_existing=True)
    if current is None:
        for path in files:
            target.delete(path)
        progress(f"{step} skipped {item_id}: deleted meanwhile")
        return
    if (current.file_path, *current.variants.values()) != files:
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
            for path in (item.file_path, *item.variants.values()):
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
