"""A head start for processing in a web process that runs its own worker (the embedded default).

An upload's variants begin as soon as its file has passed validation, from the bytes already in memory,
while the upload is still writing the original to disk and committing its row; the first job, which that
same worker starts moments later, takes the result instead of reading the original back and decoding it
again. Then, from the same decode, the modern formats the settings ask for (NEXUS_MODERN_FORMATS) are
encoded for the second job. The jobs stay the ones that store the renditions and record them, so the
outcome is the same with or without a head start (and without one wherever a job may run in another
process, or the settings it was made for no longer hold).

An upload through the API whose first file is a JPEG starts earlier still (EarlyStart): its bytes are
decoded as the request body brings them (media/arriving.py), so the decode, the longest step, runs
alongside the transfer. The item it is for does not exist yet; once the file has been received, checked
and found to be exactly the bytes decoded, its upload adopts the result as its item's head start (a
JPEG's private metadata lies outside its pixels, so the stripped original decodes the same). Anything
else gives it up: another type, other bytes, a refused or failed upload.

One upload at a time gets a head start: another arriving meanwhile is processed by its jobs as usual, so
this holds at most one more file's bytes than the upload slots allow (an early start: also its copy as it
arrived, while it is decoded) and uses the cores the worker would.
A result no job takes (its job ran in another process) is dropped after EXPIRY.

A head start belongs to one version of its item (an upload's first, a replaced file's new one) and is
made without edits: the jobs take it only while the item is still at that version (so unedited: an edit
starts a new version), so an edit or a second replacement arriving before the jobs never gets the
pictures of the bytes before it.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from uuid import UUID

from nexus_core.config import Settings
from nexus_core.media import formats, processing, renditions
from nexus_core.media.arriving import ArrivingBytes
from nexus_core.media.edits import ORIGINAL, Edits
from nexus_core.media.pixels import Readable

JPEG_START = b"\xff\xd8\xff"
"""A JPEG's first bytes (start of image, then a marker): the only type an early start decodes."""
EXPIRY = 60.0
"""Seconds a result waits for its job; the worker in this process starts it within a second."""

Result = Future[processing.ProcessedImage]

_enabled = threading.Event()
_running = threading.Semaphore(1)
_lock = threading.Lock()
# Each by item: when it started, the version it was made for, and the result.
_first: dict[UUID, tuple[float, int, Result]] = {}  # the item's own format, placeholder and hash (first job)
_modern: dict[UUID, tuple[float, int, Result]] = {}  # its modern formats (second job)
_uploading: set[UUID] = set()  # started and not forgotten: its modern formats may still be registered
_decoding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="head-start")
_modern_encoding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="head-start-modern")


def enable() -> None:
    """Give uploads a head start from now on: called when this process starts its embedded worker."""
    _enabled.set()


def disable() -> None:
    _enabled.clear()
    with _lock:
        _first.clear()
        _modern.clear()
        _uploading.clear()


class EarlyStart:
    """A head start begun while an upload's first file arrives, for the item that file will become."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.arriving = ArrivingBytes()
        self.result: Result = Future()
        self._state = "waiting"  # → running (decoding) → adopted by an item, or → given up
        self._verified = False  # the file, as validated, is exactly the bytes decoded
        self._item: tuple[UUID, int] | None = None
        self._finished = False  # the decode thread is done with it
        self._decoded: processing.Decoded | None = None  # a decode done before its item came

    def receive(self, chunk: bytes) -> None:
        """More of the file: the decode starts once its first bytes say JPEG and no head start runs."""
        self.arriving.append(chunk)  # ignored once given up
        if self._state != "waiting" or len(self.arriving) < len(JPEG_START):
            return
        with _lock:
            starts = self.arriving.head(len(JPEG_START)) == JPEG_START and _running.acquire(blocking=False)
            if self._state == "waiting" and starts:
                self._state = "running"
                _decoding.submit(_run_early, self)
                return
            if starts:
                _running.release()
        self.give_up()

    def end(self) -> None:
        self.arriving.end()

    def check(self, data: bytes, mime_type: str) -> None:
        """Let an item adopt it only if the file, as validated, is a JPEG of exactly the bytes decoded."""
        if mime_type == formats.JPEG and self.arriving.matches(data):
            self._verified = True
        else:
            self.give_up()

    def adopt(self, item_id: UUID, version: int) -> bool:
        """Make this the head start of the item's version; False when there is none to adopt."""
        with _lock:
            if self._state != "running" or not self._verified:
                return False
            self._state, self._item = "adopted", (item_id, version)
            _first[item_id] = (time.monotonic(), version, self.result)
            if self._finished:
                self._encode_modern(item_id, version, self._decoded)
                self._decoded = None
            else:
                _uploading.add(item_id)
        return True

    def give_up(self) -> None:
        """Drop it unless an item adopted it (a decode still running stops at the bytes it has)."""
        with _lock:
            if self._state == "adopted":
                return
            self._state, self._decoded = "given up", None
        self.arriving.give_up()

    def _finish(self, decoded: processing.Decoded | None) -> None:
        """The decode is done: the modern formats are encoded for the item that adopted it (unless its
        upload failed meanwhile), or once one does."""
        with _lock:
            self._finished = True
            if self._item is None:
                self._decoded = decoded if self._state == "running" else None
                return
            item_id, version = self._item
            if item_id in _uploading:
                self._encode_modern(item_id, version, decoded)
            _uploading.discard(item_id)

    def _encode_modern(self, item_id: UUID, version: int, decoded: processing.Decoded | None) -> None:
        wanted = self.settings.modern_mime_types
        outputs = renditions.modern_formats_of(formats.JPEG, animated=False, wanted=wanted)
        if decoded is not None:
            _register_modern(item_id, version, decoded, outputs)


def begin_early(settings: Settings) -> EarlyStart | None:
    """An early head start for an upload about to arrive (None where head starts are off)."""
    return EarlyStart(settings) if _enabled.is_set() else None


def start(
    item_id: UUID,
    data: bytes,
    mime_type: str,
    settings: Settings,
    *,
    version: int = 1,
    early: EarlyStart | None = None,
) -> None:
    """Begin making the renditions of this version of the item (as its jobs would), unless disabled or
    one is already running; or adopt `early`, begun on these bytes as they arrived."""
    if early is not None and early.adopt(item_id, version):
        return
    if not _enabled.is_set() or not _running.acquire(blocking=False):
        return
    first: Result = Future()
    now = time.monotonic()
    with _lock:
        for started in (_first, _modern):
            for stale in [key for key, (since, _, _) in started.items() if now - since > EXPIRY]:
                del started[stale]
        _first[item_id] = (now, version, first)
        _modern.pop(item_id, None)
        _uploading.add(item_id)
    _decoding.submit(_run, item_id, version, data, mime_type, settings, first)


def take(item_id: UUID, version: int = 1) -> Result | None:
    """The first job's head start for this version of the item, if any; only once (one made for another
    version is dropped, with its modern formats)."""
    with _lock:
        started = _first.pop(item_id, None)
        if started is not None and started[1] != version:
            _modern.pop(item_id, None)
            _uploading.discard(item_id)
            return None
    return started[2] if started else None


def take_modern(item_id: UUID, version: int = 1) -> Result | None:
    """The second job's head start for this version of the item (its modern formats), if any; only once
    (one made for another version is dropped)."""
    with _lock:
        started = _modern.pop(item_id, None)
    return started[2] if started and started[1] == version else None


def forget(item_id: UUID) -> None:
    """Drop the head starts of an upload that failed after they began."""
    with _lock:
        _first.pop(item_id, None)
        _modern.pop(item_id, None)
        _uploading.discard(item_id)


def waiting() -> int:
    """How many results wait for their job (for monitoring, and tests)."""
    with _lock:
        return len(_first) + len(_modern)


def process(
    data: bytes, mime_type: str, settings: Settings, edits: Edits = ORIGINAL
) -> processing.ProcessedImage:
    """The first job's image work: its own format's variants and aspect renditions of the picture as
    edited (and the edited picture at its full size), with placeholder and perceptual hash."""
    return processing.encode(_decode(data, mime_type, settings, edits), describe=True)


def _run(item_id: UUID, version: int, data: bytes, mime_type: str, settings: Settings, first: Result) -> None:
    """Both jobs' image work from one decode; the second's is registered before the first's result is
    handed over, so the second job (queued by the first) always finds it."""
    try:
        decoded = _decode(data, mime_type, settings)
        made = processing.encode(decoded, describe=True)
    except BaseException as error:
        with _lock:
            _uploading.discard(item_id)
        first.set_exception(error)
        return
    finally:
        _running.release()
    animated = renditions.is_animated(mime_type, made.frames)
    outputs = renditions.modern_formats_of(mime_type, animated=animated, wanted=settings.modern_mime_types)
    with _lock:
        if item_id in _uploading:
            _register_modern(item_id, version, decoded, outputs)
        _uploading.discard(item_id)
    first.set_result(made)


def _register_modern(
    item_id: UUID, version: int, decoded: processing.Decoded, outputs: tuple[str, ...]
) -> None:
    """The second job's head start, encoded from the same decode (called holding the lock)."""
    if outputs and decoded.wanted:
        modern = _modern_encoding.submit(processing.encode, decoded, outputs=sorted(outputs))
        _modern[item_id] = (time.monotonic(), version, modern)


def _run_early(early: EarlyStart) -> None:
    """Both jobs' image work for an early start, as `_run` does; the bytes are read as they arrive."""
    try:
        decoded = _decode(early.arriving, formats.JPEG, early.settings)
        made = processing.encode(decoded, describe=True)
    except BaseException as error:
        early._finish(None)
        early.result.set_exception(error)
        return
    finally:
        _running.release()
    early._finish(decoded)
    early.result.set_result(made)


def _decode(
    data: Readable, mime_type: str, settings: Settings, edits: Edits = ORIGINAL
) -> processing.Decoded:
    """The first job's decode (an upload's head start has no edits, so never a FULL for the second)."""
    return processing.decode(
        data,
        mime_type,
        max_pixels=settings.max_image_pixels,
        max_frames=settings.max_image_frames,
        edits=edits,
        aspects=tuple(renditions.ASPECT_RENDITIONS),
        full=True,
    )
