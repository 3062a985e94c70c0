"""Processing: make an item's variants and fingerprints, find lost jobs, record failures, regenerate."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from uuid import UUID

from sqlmodel import Session, col, select

from nexus_core import projects
from nexus_core.config import Settings, get_settings
from nexus_core.errors import ImageError, InvalidInput, NexusError, NotFound
from nexus_core.media import (
    delivery,
    duplicates,
    formats,
    head_start,
    jobs,
    paths,
    processing,
    renditions,
    versions,
)
from nexus_core.media.backends import Backends, Progress, silent
from nexus_core.media.edits import edits_of
from nexus_core.media.library import as_item_id
from nexus_core.media.storage import Storage, storage_named
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.models.base import utcnow
from nexus_core.webhooks import events
from nexus_core.webhooks.messages import WebhookEvent

MISSING_ORIGINAL = "The original file is missing from storage"


def process_item(
    session: Session,
    *,
    item_id: UUID | str,
    storage: Storage | None = None,
    settings: Settings | None = None,
    queue_modern: bool = True,
) -> MediaItem | None:
    """Make the renditions of the item's current version in its own format (its variants and aspect
    renditions, from the original and its edits) and its placeholder, then mark it ready and (with
    `queue_modern`) queue the second job for its modern formats; safe to run twice, a no-op for a
    deleted item. A bad image ends as status error with its reason; storage failures propagate so the
    queue retries. Webhooks hear `media.ready` when an item becomes ready: the first time, and when a
    new version (an edit or a replaced file) is ready; not when it is made again, by a retry or
    `nexus media regenerate`.

    Files are stored under the version's paths, so a job that finds the item moved on to a newer
    version when it is done (an edit or a replacement meanwhile) has overwritten nothing of that
    version's, and stops without recording anything: the newer version's own job follows.
    """
    settings = settings or get_settings()
    item = session.get(MediaItem, as_item_id(item_id), populate_existing=True)
    if item is None:
        head_start.forget(as_item_id(item_id))
        return None
    version, item_edits = item.version, edits_of(item)
    started = head_start.take(item.id, version)
    storage = storage or storage_named(item.storage_backend, settings)
    becomes_ready = item.status != MediaStatus.READY
    set_status(session, item, MediaStatus.PROCESSING)
    work: Callable[[], processing.ProcessedImage]
    if started is not None and item.sha256 and item_edits.is_original:
        original = partial(_from_original, storage, item, settings)
        sha256, work = item.sha256, partial(_result_or_again, started, original)
    else:
        data = storage.read_bytes(item.file_path)
        # Items uploaded before SHA-256s were recorded have none: processing them again fills it in.
        sha256 = item.sha256 or hashlib.sha256(data).hexdigest()
        work = partial(head_start.process, data, item.mime_type, settings, item_edits)
    try:
        result = work()
    except ImageError as error:
        current = _claim(session, item, version)
        if current is not None:
            _record_fingerprint(session, current, sha256, None)
            set_status(session, current, MediaStatus.ERROR, error=str(error))
        return current
    variants, made = {}, []
    for variant in result.variants:
        path = paths.generate_path(item.project_id, item.id, item.mime_type, variant.name, version=version)
        storage.store(path, variant.data, content_type=item.mime_type)
        if variant.name in renditions.WIDTHS:
            variants[variant.name] = path
        made.append(renditions.made_from(variant, path))
    current = _claim(session, item, version)
    if current is None:  # deleted, or a newer version came meanwhile (whose own job follows)
        versions.discard_unrecorded(session, storage, (rendition.path for rendition in made))
        return None
    _record(session, current, result, made, variants, sha256, storage)
    if becomes_ready:
        events.media_changed(session, WebhookEvent.MEDIA_READY, [current])
    if queue_modern and delivery.needs_job(current, settings):
        jobs.request_modern_renditions(current.id)
    return current


def _claim(session: Session, item: MediaItem, version: int) -> MediaItem | None:
    """The item's row for recording, taken after its project's pairs lock (which recording needs too), in
    the order deleting an item takes them: a job that took the row first then waited for the project
    while holding the row that a transaction holding the project wanted (PostgreSQL found the deadlock
    between a job and the test suite's clearing of the tables, which takes the projects first)."""
    duplicates.lock_pairs(session, item.project_id)
    return versions.claim(session, item.id, version=version)


def _from_original(storage: Storage, item: MediaItem, settings: Settings) -> processing.ProcessedImage:
    return head_start.process(storage.read_bytes(item.file_path), item.mime_type, settings)


def _result_or_again(
    started: head_start.Result, again: Callable[[], processing.ProcessedImage]
) -> processing.ProcessedImage:
    """The head start's renditions; where it failed, made again from the stored original, which decides
    (an early start decoded the file as uploaded, before its private metadata was removed)."""
    try:
        return started.result()
    except ImageError:
        return again()


def _record(
    session: Session,
    item: MediaItem,
    result: processing.ProcessedImage,
    made: list[renditions.MadeRendition],
    variants: dict[str, str],
    sha256: str,
    storage: Storage,
) -> None:
    """Record what the job made for the item's current version; its own-format files no longer made go
    now (an earlier version's stay owed until their grace period ends)."""
    same_version = versions.of_version(renditions.made(item.renditions), item.version)
    own = {rendition.path for rendition in same_version if rendition.mime_type == item.mime_type}
    for stale in (own | set(item.variants.values())) - {rendition.path for rendition in made}:
        if versions.version_of(stale) == item.version:
            storage.delete(stale)
    item.variants = variants
    # Modern renditions of this version stay listed until the second job replaces them (or deletes those
    # no longer wanted); an earlier version's are dropped with its own-format ones, never mixed in.
    item.renditions = [rendition.as_json() for rendition in (*made, *delivery.modern_made(item))]
    item.width, item.height, item.frames = result.width, result.height, result.frames
    item.original_width = result.original_width or result.width
    item.original_height = result.original_height or result.height
    item.placeholder = result.placeholder.as_json() if result.placeholder else None
    _record_fingerprint(session, item, sha256, result.perceptual_hash)
    set_status(session, item, MediaStatus.READY)


def _record_fingerprint(session: Session, item: MediaItem, sha256: str, perceptual_hash: int | None) -> None:
    """Set the item's hashes and replace its pairs with the items it looks like (committed with its status)."""
    item.sha256, item.perceptual_hash = sha256, perceptual_hash
    duplicates.record_pairs(session, item)


def claim_stuck_items(session: Session, *, older_than: timedelta) -> list[UUID]:
    """Items pending or processing for longer than any job takes: their job was lost (a worker
    killed mid-job, a flushed queue). They are stamped, so the next look waits as long again."""
    cutoff = utcnow() - older_than
    stuck = session.exec(
        select(MediaItem).where(
            col(MediaItem.status).in_(MediaStatus.in_flight()),
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
    item = session.get(MediaItem, as_item_id(item_id))
    if item is not None and item.status != MediaStatus.READY:
        set_status(session, item, MediaStatus.ERROR, error=reason)


def set_status(session: Session, item: MediaItem, status: MediaStatus, *, error: str | None = None) -> None:
    item.status = status
    item.error = error[:1000] if error else None
    item.updated_at = utcnow()
    session.add(item)
    session.commit()


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
    progress: Progress = silent,
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
        elif item.status in MediaStatus.in_flight():
            result.skipped.append((item_id, f"still {item.status}"))
            progress(f"{step} skipped {item_id}: still {item.status}")
        elif queue:
            jobs.request_processing(item_id)
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
    storage = backends.get(item.storage_backend)
    try:
        processed = process_item(
            session, item_id=item.id, storage=storage, settings=backends.settings, queue_modern=False
        )
        if processed is not None and processed.status == MediaStatus.READY:
            processed = delivery.make_modern_renditions(
                session, item_id=item.id, storage=storage, settings=backends.settings
            )
    except NotFound:
        reason = f"{MISSING_ORIGINAL} ({item.storage_backend}: {item.file_path})."
        set_status(session, item, MediaStatus.ERROR, error=reason)
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
        modern = sorted({formats.BY_MIME[made.mime_type].name for made in delivery.modern_made(processed)})
        also = f"; also {', '.join(modern)}" if modern else ""
        progress(f"{step} regenerated {item.id} ({', '.join(processed.variants) or 'no variants'}{also})")
