"""What the operator's media commands share: every storage backend by name, and how they report progress."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from nexus_core.config import Settings, get_settings
from nexus_core.media.storage import Storage, storage_named

Progress = Callable[[str], None]
Advance = Callable[[int, int], None]
"""How far a long run is, for a progress bar: (done, total)."""
BackendName = Literal["local", "s3"]
BACKEND_NAMES: tuple[BackendName, ...] = ("local", "s3")


def silent(message: str) -> None:
    """The progress report of a caller that wants none."""


def uncounted(done: int, total: int) -> None:
    """The progress bar of a caller that shows none."""


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
