"""The second processing job: an item's variants in the modern formats (NEXUS_MODERN_FORMATS), made
after it is ready, so an upload is usable as soon as its own format's variants exist."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID

from sqlmodel import Session

from nexus_core.config import Settings, get_settings
from nexus_core.errors import ImageError
from nexus_core.media import formats, head_start, paths, processing, renditions, versions
from nexus_core.media.edits import edits_of
from nexus_core.media.library import as_item_id
from nexus_core.media.renditions import MadeRendition
from nexus_core.media.storage import Storage, storage_named
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.models.base import utcnow

logger = logging.getLogger(__name__)


def wanted(item: MediaItem, settings: Settings) -> set[tuple[str, str]]:
    """(rendition name, MIME type) of every modern rendition the current settings ask of the item: its
    variants and (a still picture) its aspect renditions; the edited picture's FULL only in its own format."""
    animated = renditions.is_animated(item.mime_type, item.frames)
    modern = renditions.modern_formats_of(
        item.mime_type, animated=animated, wanted=settings.modern_mime_types
    )
    names = [*renditions.variant_widths(item.width)]
    if not animated:
        names += renditions.aspect_widths(item.width, item.height)
    return {(name, mime) for name in names for mime in modern}


def modern_made(item: MediaItem) -> list[MadeRendition]:
    """The item's recorded renditions in formats other than its own, of its current version."""
    return [
        made
        for made in versions.of_version(renditions.made(item.renditions), item.version)
        if made.mime_type != item.mime_type
    ]


def missing(item: MediaItem, settings: Settings) -> list[str]:
    """What a ready item lacks of what the settings ask, as sorted `name.ext` (`thumb.webp`)."""
    if item.status != MediaStatus.READY:
        return []
    absent = wanted(item, settings) - {(made.name, made.mime_type) for made in modern_made(item)}
    return sorted(f"{name}.{formats.BY_MIME[mime].extension}" for name, mime in absent)


def needs_job(item: MediaItem, settings: Settings) -> bool:
    """Whether the second job has anything to make or to delete for the item."""
    return bool(wanted(item, settings)) or bool(modern_made(item))


def make_modern_renditions(
    session: Session, *, item_id: UUID | str, storage: Storage | None = None, settings: Settings | None = None
) -> MediaItem | None:
    """Make the modern renditions the settings ask for and delete those they no longer ask for; a no-op
    for an item deleted or not ready. Storage failures propagate so the queue retries. Like the first
    job, it works on the item's current version and stops, recording nothing, if a newer one came meanwhile."""
    settings = settings or get_settings()
    item = session.get(MediaItem, as_item_id(item_id), populate_existing=True)
    # The head start made for this version of the item, if any (one of another version is dropped).
    started = head_start.take_modern(as_item_id(item_id), item.version if item is not None else 0)
    if item is None or item.status != MediaStatus.READY:
        return None
    storage = storage or storage_named(item.storage_backend, settings)
    made_now = _make(item, sorted(wanted(item, settings)), storage, settings, started)
    current = versions.claim(session, item.id, version=item.version)
    if current is None or current.status != MediaStatus.READY:
        session.rollback()  # deleted, moved on to another version, or being processed again meanwhile
        versions.discard_unrecorded(session, storage, (made.path for made in made_now))
        return None
    _delete(storage, {made.path for made in modern_made(current)} - {made.path for made in made_now})
    own = [made for made in renditions.made(current.renditions) if made.mime_type == current.mime_type]
    current.renditions = [made.as_json() for made in (*own, *made_now)]
    current.updated_at = utcnow()
    session.add(current)
    session.commit()
    return current


def _make(
    item: MediaItem,
    planned: list[tuple[str, str]],
    storage: Storage,
    settings: Settings,
    started: head_start.Result | None = None,
) -> list[MadeRendition]:
    """Encode what is planned: from the head start of the item's version (an upload's, a replaced file's,
    never an edited one's) when it made exactly that, else from the original as edited."""
    if not planned:
        return []
    outputs = tuple(dict.fromkeys(mime for _, mime in planned))
    names = list(dict.fromkeys(name for name, _ in planned))
    try:
        result = started.result() if started is not None else None
        if result is None or {(variant.name, variant.mime_type) for variant in result.variants} != set(
            planned
        ):
            result = processing.generate_variants(
                storage.read_bytes(item.file_path),
                item.mime_type,
                max_pixels=settings.max_image_pixels,
                max_frames=settings.max_image_frames,
                widths={name: renditions.WIDTHS[name] for name in names if name in renditions.WIDTHS},
                aspects=[name for name in names if name in renditions.ASPECT_RENDITIONS],
                outputs=outputs,
                edits=edits_of(item),
            )
    except ImageError as error:  # its own format's variants were made from the same file: unlikely
        logger.warning("No modern renditions of %s: %s", item.id, error)
        return []
    made_now = []
    for variant in result.variants:
        path = paths.generate_path(
            item.project_id, item.id, variant.mime_type, variant.name, version=item.version
        )
        storage.store(path, variant.data, content_type=variant.mime_type)
        made_now.append(renditions.made_from(variant, path))
    return made_now


def _delete(storage: Storage, stale: Iterable[str]) -> None:
    for path in stale:
        storage.delete(path)
