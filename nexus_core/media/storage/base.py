"""The storage contract, and the path checks every backend shares."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from nexus_core.errors import InvalidPath, NotFound, StorageError

MAX_PATH_LENGTH = 512
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}")


@dataclass(frozen=True, slots=True)
class FileStat:
    size: int
    etag: str
    """A strong entity tag from the content, quoted as HTTP sends it: `"<sha256 hex>"`."""
    content_type: str
    modified: datetime | None = None


class RangeNotSatisfiable(Exception):
    """No byte of the asked range is in the file; `size` is the file's, for the 416 answer."""

    def __init__(self, size: int) -> None:
        super().__init__(f"no byte of the range is within the file's {size} bytes")
        self.size = size


@dataclass(frozen=True, slots=True)
class ByteRange:
    """One range as HTTP asks for it, `bytes=first-last`: no `first` means the last `last` bytes, no
    `last` means to the end. Only the file's size turns it into offsets (`resolve`)."""

    first: int | None
    last: int | None

    def resolve(self, size: int) -> tuple[int, int]:
        """(start, end exclusive) within a file of `size` bytes; RangeNotSatisfiable if none of it is."""
        if self.first is None:
            suffix = self.last or 0
            if suffix == 0 or size == 0:
                raise RangeNotSatisfiable(size)
            return max(size - suffix, 0), size
        if self.first >= size:
            raise RangeNotSatisfiable(size)
        return self.first, size if self.last is None else min(self.last + 1, size)

    def header(self) -> str:
        """The Range header that asks for it."""
        return f"bytes={'' if self.first is None else self.first}-{'' if self.last is None else self.last}"


class ByteStream(Protocol):
    """An open stored file, or a byte range of one; `read` returns b"" once the range is exhausted.

    `read` may return a bytearray where that saves copying a large chunk.
    """

    def read(self, size: int = -1, /, *, nowait: bool = False) -> bytes | bytearray: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class OpenFile:
    """A file's stat with a stream of its bytes `start` to `end` (exclusive)."""

    stat: FileStat
    start: int
    end: int
    stream: ByteStream


class Storage(Protocol):
    """Where media files live. Paths are relative (`<project>/<item>.jpg`), checked by `validate_path`.

    A path that would leave the root raises InvalidPath; a missing file gives None from `stat`,
    NotFound from `read_bytes` and `open`, and nothing from `delete`; the backend failing (disk,
    network, permissions) raises StorageError.

    `nowait=True` asks a call not to wait on a disk or the network: it answers from memory or the
    page cache, or raises BlockingIOError, and the caller repeats it without `nowait` in a worker
    thread. Remote backends always raise; this is what lets the proxy serve local files without a
    thread hop per request.
    """

    name: str

    def store(self, path: str, data: bytes, *, content_type: str) -> None: ...

    def read_bytes(self, path: str) -> bytes: ...

    def open(
        self, path: str, *, start: int = 0, end: int | None = None, nowait: bool = False
    ) -> ByteStream: ...

    def stat(self, path: str, *, nowait: bool = False) -> FileStat | None: ...

    def open_with_stat(
        self, path: str, *, byte_range: ByteRange | None = None, nowait: bool = False
    ) -> OpenFile | None: ...

    def delete(self, path: str) -> None: ...

    def delete_many(self, paths: Sequence[str]) -> dict[str, StorageError]: ...

    def exists(self, path: str) -> bool: ...

    def iter_paths(self) -> Iterator[str]: ...


def validate_path(path: str) -> str:
    """The path itself if it is a safe relative path, else InvalidPath.

    An allow-list of plain segments (letters, digits, `_`, `-`, `.`, not starting with a dot) rather
    than a deny-list of tricks: `..`, absolute paths, backslashes, `%2e%2e`, NUL, control characters,
    empty segments and look-alike Unicode dots are all outside it, and hidden or temporary files
    (`.x`) cannot be named.
    """
    if not isinstance(path, str) or not path:
        raise InvalidPath("the storage path is empty")
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidPath(f"the storage path is longer than {MAX_PATH_LENGTH} characters")
    if path.startswith("/"):
        raise InvalidPath(f"the storage path {_shown(path)} is absolute")
    for segment in path.split("/"):
        if not _SEGMENT.fullmatch(segment):
            raise InvalidPath(f"the storage path {_shown(path)} has an invalid part {_shown(segment)}")
    return path


def content_etag(data: bytes) -> str:
    """The strong ETag of some content."""
    return quote_etag(hashlib.sha256(data).hexdigest())


def quote_etag(digest: str) -> str:
    return f'"{digest}"'


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


class BaseStorage:
    """Checks every path once, then calls the backend's `_hook` of the same name."""

    name: str

    def store(self, path: str, data: bytes, *, content_type: str) -> None:
        """Write a file whole; readers see the old file or the new one, never a part."""
        self._store(validate_path(path), data, content_type)

    def read_bytes(self, path: str) -> bytes:
        """The whole content of a file; NotFound when there is none."""
        return self._read_bytes(validate_path(path))

    def open(self, path: str, *, start: int = 0, end: int | None = None, nowait: bool = False) -> ByteStream:
        """A stream of bytes `start` to `end` (exclusive, default the end); NotFound when there is no file."""
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"invalid byte range {start}-{end}")
        return self._open(validate_path(path), start, end, nowait)

    def stat(self, path: str, *, nowait: bool = False) -> FileStat | None:
        """Size, ETag and type of a file, or None when there is none."""
        return self._stat(validate_path(path), nowait)

    def open_with_stat(
        self, path: str, *, byte_range: ByteRange | None = None, nowait: bool = False
    ) -> OpenFile | None:
        """The stat and a stream of `byte_range` (default all) of a file, or None when there is none.

        What a GET needs, in one call so that a remote backend can answer it with one request.
        RangeNotSatisfiable when the range misses the file.
        """
        return self._open_with_stat(validate_path(path), byte_range, nowait)

    def delete(self, path: str) -> None:
        """Remove a file; a missing one is not an error."""
        self._delete(validate_path(path))

    def delete_many(self, paths: Sequence[str]) -> dict[str, StorageError]:
        """Remove files, missing ones included, in as few requests as the backend allows (an item has
        a score of possible files; deleting a hundred items must not take thousands of round trips).
        Returns the paths that could not be deleted, with why; the others are gone."""
        return self._delete_many([validate_path(path) for path in paths])

    def exists(self, path: str) -> bool:
        return self._exists(validate_path(path))

    def iter_paths(self) -> Iterator[str]:
        """Every stored path, relative to the storage root."""
        return self._iter_paths()

    def _store(self, path: str, data: bytes, content_type: str) -> None:
        raise NotImplementedError

    def _read_bytes(self, path: str) -> bytes:
        raise NotImplementedError

    def _open(self, path: str, start: int, end: int | None, nowait: bool) -> ByteStream:
        raise NotImplementedError

    def _stat(self, path: str, nowait: bool) -> FileStat | None:
        raise NotImplementedError

    def _open_with_stat(self, path: str, byte_range: ByteRange | None, nowait: bool) -> OpenFile | None:
        stat = self._stat(path, nowait)
        if stat is None:
            return None
        start, end = byte_range.resolve(stat.size) if byte_range else (0, stat.size)
        try:
            return OpenFile(stat, start, end, self._open(path, start, end, nowait))
        except NotFound:  # deleted since the stat
            return None

    def _delete(self, path: str) -> None:
        raise NotImplementedError

    def _delete_many(self, paths: Sequence[str]) -> dict[str, StorageError]:
        failed = {}
        for path in paths:
            try:
                self._delete(path)
            except StorageError as error:
                failed[path] = error
        return failed

    def _exists(self, path: str) -> bool:
        raise NotImplementedError

    def _iter_paths(self) -> Iterator[str]:
        raise NotImplementedError
