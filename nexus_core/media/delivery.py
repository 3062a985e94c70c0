"""The second processing job: an item's variants in the modern formats (NEXUS_MODERN_FORMATS), made
after it is ready, so an upload is usable as soon as its own format's variants exist."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID

from sqlmodel import Session

from nexus_core.config import Settings, get_settings
from nexus_core.errors import ImageError
from nexus_core.media import formats, paths, processing, renditions
from nexus_core.media.library import as_item_id
from nexus_core.media.renditions import MadeRendition
from nexus_core.media.storage import Storage, storage_named
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.models.base import utcnow

logger = logging.getLogger(__name__)


def wanted(item: MediaItem, settings: Settings) -> set[tuple[str, str]]:
    """(variant name, MIME type) of every modern rendition the current settings ask of the item."""
    animated = renditions.is_animated(item.mime_type, item.frames)
    modern = renditions.modern_formats_of(
        item.mime_type, animated=animated, wanted=settings.modern_mime_types
    )
    return {(name, mime) for name in renditions.variant_widths(item.width) for mime in modern}


def modern_made(item: MediaItem) -> list[MadeRendition]:
    """The item's recorded renditions in formats other than its own."""
    return [made for made in renditions.made(item.renditions) if made.mime_type != item.mime_type]


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
    for an item deleted or not ready. Storage failures propagate so the queue retries."""
    settings = settings or get_settings()
    item = session.get(MediaItem, as_item_id(item_id), populate_existing=True)
    if item is None or item.status != MediaStatus.READY:
        return None
    storage = storage or storage_named(item.storage_backend, settings)
    made_now = _make(item, sorted(wanted(item, settings)), storage, settings)
    current = session.get(MediaItem, item.id, populate_existing=True)
    if current is None:  # deleted while we worked: leave no orphan behind
        _delete(storage, (made.path for made in made_now))
        return None
    _delete(storage, {made.path for made in modern_made(current)} - {made.path for made in made_now})
    own = [made for made in renditions.made(current.renditions) if made.mime_type == current.mime_type]
    current.renditions = [made.as_json() for made in (*own, *made_now)]
    current.updated_at = utcnow()
    session.add(current)
    session.commit()
    return current


def _make(
    item: MediaItem, planned: list[tuple[str, str]], storage: Storage, settings: Settings
) -> list[MadeRendition]:
    if not planned:
        return []
    outputs = tuple(dict.fromkeys(mime for _, mime in planned))
    widths = {name: renditions.WIDTHS[name] for name in dict.fromkeys(name for name, _ in planned)}
    try:
        result = processing.generate_variants(
            storage.read_bytes(item.file_path),
            item.mime_type,
            max_pixels=settings.max_image_pixels,
            max_frames=settings.max_image_frames,
            widths=widths,
            outputs=outputs,
        )
    except ImageError as error:  # its own format's variants were made from the same file: unlikely
        logger.warning("No modern renditions of %s: %s", item.id, error)
        return []
    made_now = []
    for variant in result.variants:
        path = paths.generate_path(item.project_id, item.id, variant.mime_type, variant.name)
        storage.store(path, variant.data, content_type=variant.mime_type)
        made_now.append(renditions.made_from(variant, path))
    return made_now


def _delete(storage: Storage, stale: Iterable[str]) -> None:
    for path in stale:
        storage.delete(path)
