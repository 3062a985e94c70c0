"""Checking the library against its storage (`nexus media check`), and sweeping up what the check
finds (`nexus media sweep`): orphan files, owed deletions, missing originals, items whose job was lost,
and the files of items' earlier versions once their grace period (NEXUS_OLD_VERSION_GRACE) is over."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from sqlmodel import Session, col, select

from nexus_core.errors import NexusError
from nexus_core.media import delivery, jobs, paths
from nexus_core.media.backends import Backends, Progress, silent
from nexus_core.media.deletion import delete_pending_files, recorded_paths, stored_paths
from nexus_core.media.storage import Storage
from nexus_core.media.variants import MISSING_ORIGINAL, set_status
from nexus_core.models import MediaItem, MediaStatus, PendingDeletion
from nexus_core.models.base import as_utc, utcnow

LISTING_PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class MissingFiles:
    item_id: UUID
    backend: str
    paths: tuple[str, ...]
    original_missing: bool


@dataclass(frozen=True)
class IncompleteItem:
    """A ready item without renditions NEXUS_MODERN_FORMATS asks for (its second job is owed)."""

    item_id: UUID
    renditions: tuple[str, ...]  # `thumb.webp`, …


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
class KeptFile:
    """A file of an item's earlier version, kept until `due` so pages and caches holding its URL work."""

    backend: str
    path: str
    due: datetime


@dataclass(frozen=True)
class CheckReport:
    backends: tuple[str, ...]
    item_count: int
    file_count: int
    missing: list[MissingFiles]
    incomplete: list[IncompleteItem]
    orphans: list[StoredFile]
    stuck: list[StuckItem]
    owed: list[OwedDeletion]
    elsewhere: dict[str, int]
    """Items per backend other than the configured one, which the app does not serve from."""
    kept: list[KeptFile] = field(default_factory=list)
    """Not a problem: files of earlier versions within their grace period, which the sweep deletes after."""

    @property
    def problem_count(self) -> int:
        return (
            len(self.missing)
            + len(self.incomplete)
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
    progress: Progress = silent,
) -> CheckReport:
    """Missing files, renditions the settings ask for but items lack, files of no item, items stuck in
    processing, deletions still owed, and (not a problem) files of earlier versions still kept.

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
    deletions = list(session.exec(select(PendingDeletion).order_by(col(PendingDeletion.inserted_at))).all())
    owed = [deletion for deletion in deletions if is_due(deletion, now)]
    names = sorted(
        {
            backends.configured,
            *(i.storage_backend for i in items.values()),
            *(d.storage_backend for d in deletions),
        }
    )
    progress(f"Checking {len(items)} items on {', '.join(names)} …")
    listed = {name: _list_files(backends.get(name), progress) for name in names}
    missing = [
        found for item in items.values() if (found := _missing_files(item, listed[item.storage_backend]))
    ]
    incomplete = [
        IncompleteItem(item.id, tuple(absent))
        for item in items.values()
        if (absent := delivery.missing(item, backends.settings))
    ]
    orphans = [
        StoredFile(name, path)
        for name in names
        for path in sorted(listed[name] - {d.path for d in deletions if d.storage_backend == name})
        if not belongs_to_item(path, items.get)
    ]
    stuck = [
        StuckItem(item.id, item.status, as_utc(item.updated_at))
        for item in items.values()
        if item.status in MediaStatus.in_flight() and now - as_utc(item.updated_at) > stuck_after
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
        incomplete=incomplete,
        orphans=orphans,
        stuck=sorted(stuck, key=lambda s: s.since),
        owed=[OwedDeletion(d.storage_backend, d.path, d.attempts, d.last_error) for d in owed],
        elsewhere=elsewhere,
        kept=sorted(
            (
                KeptFile(d.storage_backend, d.path, as_utc(d.due_at))
                for d in deletions
                if d.due_at is not None and not is_due(d, now) and d.path in listed[d.storage_backend]
            ),
            key=lambda kept: (kept.due, kept.path),
        ),
    )


def is_due(deletion: PendingDeletion, now: datetime) -> bool:
    """Whether an owed deletion may be done now (a file of an earlier version waits for its grace period)."""
    return deletion.due_at is None or as_utc(deletion.due_at) <= now


def _list_files(storage: Storage, progress: Progress) -> set[str]:
    files: set[str] = set()
    for path in storage.iter_paths():
        files.add(path)
        if len(files) % LISTING_PROGRESS_EVERY == 0:
            progress(f"Listed {len(files)} files on {storage.name} …")
    return files


def _missing_files(item: MediaItem, files: set[str]) -> MissingFiles | None:
    absent = tuple(path for path in recorded_paths(item) if path not in files)
    if not absent:
        return None
    return MissingFiles(item.id, item.storage_backend, absent, original_missing=item.file_path in absent)


def belongs_to_item(path: str, find_item: Callable[[UUID], MediaItem | None]) -> bool:
    """Whether a stored path is the original or a (possible) variant of an existing item, on any backend."""
    parsed = paths.parse_path(path)
    if parsed is None:
        return False
    item = find_item(parsed.item_id)
    return item is not None and item.project_id == parsed.project_id and path in stored_paths(item)


@dataclass
class SweepResult:
    applied: bool
    orphans_deleted: list[StoredFile] = field(default_factory=list)
    orphans_kept_young: list[StoredFile] = field(default_factory=list)
    deletions_retried: int = 0
    deletions_remaining: int = 0
    requeued: list[UUID] = field(default_factory=list)
    renditions_queued: list[UUID] = field(default_factory=list)
    marked_error: list[UUID] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def sweep_library(
    session: Session,
    *,
    apply: bool = False,
    grace: timedelta = timedelta(hours=1),
    stuck_after: timedelta = timedelta(minutes=15),
    backends: Backends | None = None,
    progress: Progress = silent,
) -> SweepResult:
    """Fix what `check_library` finds (queueing the second job of items that lack renditions); without
    `apply`, only say what would be done.

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
            set_status(
                session,
                item,
                MediaStatus.ERROR,
                error=f"{MISSING_ORIGINAL} ({item.storage_backend}: {item.file_path}).",
            )
        result.marked_error.append(item.id)
        progress(f"{would}mark {item.id} as error: its original {item.file_path} is missing")
    for stuck in report.stuck:
        if stuck.item_id in missing_originals:
            continue
        item = session.get(MediaItem, stuck.item_id, populate_existing=True)
        if (
            item is None
            or item.status not in MediaStatus.in_flight()
            or utcnow() - as_utc(item.updated_at) <= stuck_after
        ):
            continue
        if apply:
            item.updated_at = utcnow()  # the next sweep waits another `stuck_after` for the worker
            session.add(item)
            session.commit()
            jobs.request_processing(item.id)
        result.requeued.append(item.id)
        progress(f"{would}re-queue {item.id} ({stuck.status} since {stuck.since:%Y-%m-%d %H:%M} UTC)")
    _queue_missing_renditions(session, report.incomplete, backends, result, progress)
    return result


def _queue_missing_renditions(
    session: Session,
    incomplete: Iterable[IncompleteItem],
    backends: Backends,
    result: SweepResult,
    progress: Progress,
) -> None:
    for found in incomplete:
        item = session.get(MediaItem, found.item_id, populate_existing=True)
        if item is None or not delivery.missing(item, backends.settings):
            continue
        if result.applied:
            jobs.request_modern_renditions(item.id)
        result.renditions_queued.append(item.id)
        verb = "queue" if result.applied else "would queue"
        progress(f"{verb} the renditions of {item.id} ({', '.join(found.renditions)})")


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
    now = utcnow()
    owed = [deletion for deletion in session.exec(select(PendingDeletion)).all() if is_due(deletion, now)]
    for name in sorted({deletion.storage_backend for deletion in owed}):
        batch = [deletion for deletion in owed if deletion.storage_backend == name]
        result.deletions_retried += len(batch)
        if not result.applied:
            progress(f"would retry {len(batch)} owed deletions on {name}")
            continue
        remaining = delete_pending_files(session, batch, backends.get(name))
        result.deletions_remaining += remaining
        progress(
            f"retried {len(batch)} owed deletions on {name}: {len(batch) - remaining} done, {remaining} left"
        )
