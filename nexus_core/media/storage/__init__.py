"""Where media files live: the Storage protocol and the backend chosen by the settings."""

from __future__ import annotations

import threading

from nexus_core.config import Settings, get_settings
from nexus_core.errors import InvalidInput
from nexus_core.media.storage.base import (
    BaseStorage,
    ByteRange,
    ByteStream,
    FileStat,
    OpenFile,
    RangeNotSatisfiable,
    Storage,
    validate_path,
)
from nexus_core.media.storage.local import LocalStorage

__all__ = [
    "BaseStorage",
    "ByteRange",
    "ByteStream",
    "FileStat",
    "LocalStorage",
    "OpenFile",
    "RangeNotSatisfiable",
    "Storage",
    "build_storage",
    "get_storage",
    "storage_named",
    "validate_path",
]

_storages: dict[int, tuple[Settings, Storage]] = {}
_storages_lock = threading.Lock()


def get_storage(settings: Settings | None = None) -> Storage:
    """The storage backend the settings name, built once per settings object."""
    settings = settings or get_settings()
    with _storages_lock:
        cached = _storages.get(id(settings))
        if cached is None or cached[0] is not settings:
            if len(_storages) >= 16:
                _storages.clear()
            cached = _storages[id(settings)] = (settings, build_storage(settings))
        return cached[1]


def storage_named(name: str, settings: Settings | None = None) -> Storage:
    """The backend an item's files live on (`MediaItem.storage_backend`), which during a
    `nexus media migrate-storage` may differ from the configured one."""
    settings = settings or get_settings()
    if name == settings.storage_backend:
        return get_storage(settings)
    if name not in ("local", "s3"):
        raise InvalidInput(f"Unknown storage backend {name!r}; expected local or s3.")
    if name == "s3" and not settings.s3_bucket:
        raise InvalidInput("Set NEXUS_S3_BUCKET (and NEXUS_S3_ENDPOINT_URL etc.) to reach the S3 storage.")
    return get_storage(settings.model_copy(update={"storage_backend": name}))


def build_storage(settings: Settings) -> Storage:
    """A new storage backend for the settings."""
    if settings.storage_backend == "s3":
        from nexus_core.media.storage.s3 import S3Storage

        assert settings.s3_bucket is not None
        return S3Storage(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            region=settings.s3_region,
            endpoint_url=settings.s3_endpoint_url,
        )
    return LocalStorage(settings.resolved_media_dir)
