"""Files on the local disk under one root directory."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat as stat_module
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from nexus_core.errors import InvalidPath, NotFound, StorageError
from nexus_core.media.paths import mime_type_from_path
from nexus_core.media.storage.base import BaseStorage, FileStat, content_etag, quote_etag

_RWF_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None)
_MISSING = (FileNotFoundError, NotADirectoryError, IsADirectoryError)

_FileKey = tuple[str, int, int, int]


class EtagCache:
    """Content ETags keyed by (path, inode, size, mtime_ns): a replaced or rewritten file gets a new key."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._max_entries = max_entries
        self._etags: OrderedDict[_FileKey, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _FileKey) -> str | None:
        with self._lock:
            etag = self._etags.get(key)
            if etag is not None:
                self._etags.move_to_end(key)
            return etag

    def put(self, key: _FileKey, etag: str) -> None:
        with self._lock:
            self._etags[key] = etag
            self._etags.move_to_end(key)
            while len(self._etags) > self._max_entries:
                self._etags.popitem(last=False)


class LocalFileStream:
    """Bytes `start` to `end` of an open file, read by offset so each read is one system call."""

    def __init__(self, descriptor: int, start: int, end: int) -> None:
        self._descriptor = descriptor
        self._position = start
        self._end = end

    def read(self, size: int = -1, /, *, nowait: bool = False) -> bytes | bytearray:
        remaining = self._end - self._position
        size = remaining if size < 0 else min(size, remaining)
        if size <= 0:
            return b""
        try:
            if nowait:
                data: bytes | bytearray = _read_cached(self._descriptor, size, self._position)
            else:
                data = os.pread(self._descriptor, size, self._position)
        except BlockingIOError:
            raise
        except OSError as error:
            raise StorageError(f"reading a stored file failed: {error.strerror or error}") from error
        self._position += len(data)
        return data

    def close(self) -> None:
        os.close(self._descriptor)


class LocalStorage(BaseStorage):
    """Files under `root`; writes go to a temporary file in the same directory, then `os.replace`."""

    name = "local"

    def __init__(self, root: Path | str, *, etag_cache: EtagCache | None = None) -> None:
        self.root = Path(os.path.realpath(root))
        self._root_prefix = str(self.root) + os.sep
        self._etags = etag_cache or EtagCache()

    def full_path(self, path: str) -> str:
        """The real path of a (validated) relative path; InvalidPath if a symlink leads out of the root.

        A validated path has no `..`, so only symlinks can lead out: when no part below the root is
        one (an lstat each, the common case) the joined path is already the real path.
        """
        joined = self._root_prefix + path
        if not any(os.path.islink(part) for part in _parents_and_self(joined, len(self._root_prefix))):
            return joined
        real = os.path.realpath(joined)
        if not real.startswith(self._root_prefix):
            raise InvalidPath(f"the storage path {path!r} leads outside the media directory")
        return real

    def _store(self, path: str, data: bytes, content_type: str) -> None:
        target = self.full_path(path)
        directory = os.path.dirname(target)
        try:
            os.makedirs(directory, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        except OSError as error:
            raise _storage_error("storing", path, error) from error
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
                os.fchmod(file.fileno(), 0o644)
            os.replace(temporary, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise _storage_error("storing", path, error) from error
        with contextlib.suppress(OSError):
            self._etags.put(_file_key(target, os.stat(target)), content_etag(data))

    def _read_bytes(self, path: str) -> bytes:
        try:
            with open(self.full_path(path), "rb") as file:
                return file.read()
        except _MISSING:
            raise NotFound(f"no stored file at {path!r}") from None
        except OSError as error:
            raise _storage_error("reading", path, error) from error

    def _open(self, path: str, start: int, end: int | None, nowait: bool) -> LocalFileStream:
        try:
            descriptor = os.open(self.full_path(path), os.O_RDONLY)
        except _MISSING:
            raise NotFound(f"no stored file at {path!r}") from None
        except OSError as error:
            raise _storage_error("opening", path, error) from error
        result = os.fstat(descriptor)
        if not stat_module.S_ISREG(result.st_mode):
            os.close(descriptor)
            raise NotFound(f"no stored file at {path!r}")
        return LocalFileStream(descriptor, start, result.st_size if end is None else min(end, result.st_size))

    def _stat(self, path: str, nowait: bool) -> FileStat | None:
        full_path = self.full_path(path)
        try:
            result = os.stat(full_path)
            if not stat_module.S_ISREG(result.st_mode):
                return None
            etag = self._etags.get(_file_key(full_path, result))
            if etag is None:
                if nowait:
                    raise BlockingIOError(errno.EAGAIN, "the content hash is not cached yet")
                result, etag = self._hash_file(full_path)
        except BlockingIOError:
            raise
        except _MISSING:
            return None
        except OSError as error:
            raise _storage_error("reading", path, error) from error
        modified = datetime.fromtimestamp(result.st_mtime, UTC)
        return FileStat(result.st_size, etag, mime_type_from_path(path), modified)

    def _hash_file(self, full_path: str) -> tuple[os.stat_result, str]:
        with open(full_path, "rb") as file:
            result = os.fstat(file.fileno())
            etag = quote_etag(hashlib.file_digest(file, "sha256").hexdigest())
        self._etags.put(_file_key(full_path, result), etag)
        return result, etag

    def _delete(self, path: str) -> None:
        try:
            os.unlink(self.full_path(path))
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as error:
            raise _storage_error("deleting", path, error) from error

    def _exists(self, path: str) -> bool:
        return os.path.isfile(self.full_path(path))

    def _iter_paths(self) -> Iterator[str]:
        for directory, directories, files in os.walk(self.root, onerror=_raise_walk_error):
            directories[:] = sorted(name for name in directories if not name.startswith("."))
            relative = os.path.relpath(directory, self.root)
            for name in sorted(files):
                if not name.startswith("."):
                    yield name if relative == "." else f"{relative.replace(os.sep, '/')}/{name}"


def _read_cached(descriptor: int, size: int, offset: int) -> bytearray:
    """Up to `size` bytes if the page cache holds them, else BlockingIOError (Linux `RWF_NOWAIT`).

    A bytearray, not bytes: turning it into bytes would copy every chunk once more.
    """
    if _RWF_NOWAIT is None:
        raise BlockingIOError(errno.EAGAIN, "reads that never wait are not supported here")
    buffer = bytearray(size)
    try:
        count = os.preadv(descriptor, [buffer], offset, _RWF_NOWAIT)
    except BlockingIOError:
        raise
    except OSError as error:
        if error.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise BlockingIOError(errno.EAGAIN, "this file system cannot read without waiting") from error
        raise
    return buffer if count == size else buffer[:count]


def _parents_and_self(full_path: str, root_length: int) -> Iterator[str]:
    separator = full_path.find(os.sep, root_length)
    while separator != -1:
        yield full_path[:separator]
        separator = full_path.find(os.sep, separator + 1)
    yield full_path


def _file_key(full_path: str, result: os.stat_result) -> _FileKey:
    return (full_path, result.st_ino, result.st_size, result.st_mtime_ns)


def _storage_error(action: str, path: str, error: OSError) -> StorageError:
    return StorageError(f"{action} {path!r} in the media directory failed: {error.strerror or error}")


def _raise_walk_error(error: OSError) -> None:
    if not isinstance(error, FileNotFoundError):
        raise StorageError(f"listing the media directory failed: {error.strerror or error}") from error
