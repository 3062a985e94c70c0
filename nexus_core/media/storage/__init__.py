"""Where media files live: the Storage protocol and the backend chosen by the settings."""

from __future__ import annotations

import threading

from nexus_core.config import Settings, get_settings
from nexus_core.media.storage.base import BaseStorage, ByteStream, FileStat, Storage, validate_path
from nexus_core.media.storage.local import LocalStorage

__all__ = [
    "BaseStorage",
    "ByteStream",
    "FileStat",
    "LocalStorage",
    "Storage",
    "build_storage",
    "get_storage",
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
