"""A per-process bound on the uploads whose bytes are in memory at once.

While one file is read, validated, stripped of metadata and stored, the process holds about 2.5
copies of it; a web process takes uploads from all its requests at once, so without a bound a burst
of large uploads exhausts its memory (10 files x 20 MB per request, any number of requests). With
NEXUS_MAX_CONCURRENT_UPLOADS slots the uploads hold at most slots x NEXUS_MAX_UPLOAD_MB x ~2.5.

An upload that finds every slot taken waits (its bytes stay spooled on disk by the web server) and
gives up only after NEXUS_UPLOAD_WAIT_SECONDS, with an error that says to try again. A waiting
upload blocks its worker thread: keep the wait below the reverse proxy's read timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from nexus_core.config import Settings
from nexus_core.errors import UploadsBusy

_semaphores: dict[int, threading.BoundedSemaphore] = {}
_semaphores_lock = threading.Lock()


@contextmanager
def upload_slot(settings: Settings) -> Iterator[None]:
    """Hold one of the process's upload slots; UploadsBusy when none frees up within the wait."""
    slots = _semaphore(settings.max_concurrent_uploads)
    if not slots.acquire(timeout=settings.upload_wait_seconds):
        raise UploadsBusy(
            "The server is busy with other uploads, so nothing was saved. Please try again in a moment."
        )
    try:
        yield
    finally:
        slots.release()


def _semaphore(count: int) -> threading.BoundedSemaphore:
    """One per slot count: settings objects come and go, the bound belongs to the process."""
    with _semaphores_lock:
        if count not in _semaphores:
            _semaphores[count] = threading.BoundedSemaphore(count)
        return _semaphores[count]
