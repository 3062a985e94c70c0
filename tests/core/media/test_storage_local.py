"""The storage contract, run against the local backend here and the S3 backend in test_storage_s3.py."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from nexus_core.config import Settings
from nexus_core.errors import InvalidPath, NotFound, StorageError
from nexus_core.media.storage import (
    ByteRange,
    ByteStream,
    LocalStorage,
    RangeNotSatisfiable,
    Storage,
    get_storage,
)

PAYLOAD = os.urandom(3000)
PATH = "0b5e2c3a-8f1d-4c55-9a0e-3f6d2b7c1e90/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a.jpg"

HOSTILE_PATHS = [
    "../x",
    "a/../../x",
    "..",
    ".",
    "/etc/passwd",
    "a\\..\\x",
    "..\\x",
    "%2e%2e/x",
    "a%2fb",
    "..%5c",
    "%2e%2e%2fx",
    "a\x00b",
    "a\nb",
    "a\x7fb",
    "a//b",
    "a/",
    "a/./b",
    ".hidden",
    "a/.tmp",
    "\uff0e\uff0e/x",
    "x" * 600,
    "",
]

OPERATIONS: dict[str, Callable[[Storage, str], object]] = {
    "store": lambda storage, path: storage.store(path, b"x", content_type="image/jpeg"),
    "read_bytes": lambda storage, path: storage.read_bytes(path),
    "open": lambda storage, path: storage.open(path),
    "stat": lambda storage, path: storage.stat(path),
    "open_with_stat": lambda storage, path: storage.open_with_stat(path),
    "delete": lambda storage, path: storage.delete(path),
    "exists": lambda storage, path: storage.exists(path),
}


def sha256_etag(data: bytes) -> str:
    return f'"{hashlib.sha256(data).hexdigest()}"'


def read_all(
    storage: Storage, path: str, *, start: int = 0, end: int | None = None, size: int = 1000
) -> bytes:
    return drain(storage.open(path, start=start, end=end), size)


def drain(stream: ByteStream, size: int = 1000) -> bytes:
    try:
        return b"".join(iter(lambda: bytes(stream.read(size)), b""))
    finally:
        stream.close()


def read_now(storage: Storage, path: str) -> bytes | bytearray:
    stream = storage.open(path)
    try:
        return stream.read(nowait=True)
    finally:
        stream.close()


class StorageContract:
    """What every backend does; a subclass provides the `storage` fixture."""

    def test_store_then_read_bytes(self, storage: Storage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert storage.read_bytes(PATH) == PAYLOAD

    def test_store_in_nested_directories(self, storage: Storage) -> None:
        storage.store("a/b/c/d.png", PAYLOAD, content_type="image/png")
        assert storage.read_bytes("a/b/c/d.png") == PAYLOAD

    def test_store_replaces_an_existing_file(self, storage: Storage) -> None:
        storage.store(PATH, b"old", content_type="image/jpeg")
        storage.store(PATH, b"new", content_type="image/jpeg")
        assert storage.read_bytes(PATH) == b"new"

    def test_exists(self, storage: Storage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert storage.exists(PATH)
        assert not storage.exists("p/missing.jpg")

    def test_stat_gives_size_type_and_content_etag(self, storage: Storage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        stat = storage.stat(PATH)
        assert stat is not None
        assert (stat.size, stat.content_type, stat.etag) == (len(PAYLOAD), "image/jpeg", sha256_etag(PAYLOAD))

    def test_stat_of_a_missing_file_is_none(self, storage: Storage) -> None:
        assert storage.stat("p/missing.jpg") is None

    def test_read_bytes_of_a_missing_file_raises_not_found(self, storage: Storage) -> None:
        with pytest.raises(NotFound):
            storage.read_bytes("p/missing.jpg")

    def test_open_of_a_missing_file_raises_not_found(self, storage: Storage) -> None:
        with pytest.raises(NotFound):
            storage.open("p/missing.jpg")

    def test_open_streams_the_whole_file(self, storage: Storage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert read_all(storage, PATH, size=1000) == PAYLOAD

    @pytest.mark.parametrize(("start", "end"), [(0, 10), (10, 2000), (2999, 3000), (5, None), (0, None)])
    def test_open_streams_a_byte_range(self, storage: Storage, start: int, end: int | None) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert read_all(storage, PATH, start=start, end=end) == PAYLOAD[start:end]

    def test_open_an_empty_range(self, storage: Storage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert read_all(storage, PATH, start=7, end=7) == b""

    @pytest.mark.parametrize(
        ("byte_range", "start", "end"),
        [
            (None, 0, 3000),
            (ByteRange(0, 9), 0, 10),
            (ByteRange(10, None), 10, 3000),
            (ByteRange(None, 50), 2950, 3000),
            (ByteRange(10, 99999), 10, 3000),
            (ByteRange(None, 99999), 0, 3000),
            (ByteRange(2999, 2999), 2999, 3000),
        ],
    )
    def test_open_with_stat_gives_the_stat_and_the_range(
        self, storage: Storage, byte_range: ByteRange | None, start: int, end: int
    ) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        opened = storage.open_with_stat(PATH, byte_range=byte_range)
        assert opened is not None
        assert (opened.stat, opened.start, opened.end) == (storage.stat(PATH), start, end)
        assert drain(opened.stream) == PAYLOAD[start:end]

    @pytest.mark.parametrize("byte_range", [ByteRange(3000, None), ByteRange(5000, 6000), ByteRange(None, 0)])
    def test_open_with_stat_of_a_range_outside_the_file(
        self, storage: Storage, byte_range: ByteRange
    ) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        with pytest.raises(RangeNotSatisfiable) as raised:
            storage.open_with_stat(PATH, byte_range=byte_range)
        assert raised.value.size == 3000

    def test_open_with_stat_of_a_missing_file_is_none(self, storage: Storage) -> None:
        assert storage.open_with_stat("p/missing.jpg") is None

    def test_delete_an_existing_file(self, storage: Storage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        storage.delete(PATH)
        assert not storage.exists(PATH)
        assert storage.stat(PATH) is None

    def test_delete_a_missing_file_is_not_an_error(self, storage: Storage) -> None:
        storage.delete("p/missing.jpg")

    def test_delete_many_removes_those_files_only(self, storage: Storage) -> None:
        for path in ["p/a.jpg", "p/a_thumb.jpg", "p/b.jpg"]:
            storage.store(path, PAYLOAD, content_type="image/jpeg")
        assert storage.delete_many(["p/a.jpg", "p/a_thumb.jpg", "p/a_large.jpg"]) == {}
        assert sorted(storage.iter_paths()) == ["p/b.jpg"]

    def test_iter_paths_lists_every_stored_file(self, storage: Storage) -> None:
        for path in ["p1/a.jpg", "p1/a_thumb.jpg", "p2/b.png"]:
            storage.store(path, PAYLOAD, content_type="image/jpeg")
        assert sorted(storage.iter_paths()) == ["p1/a.jpg", "p1/a_thumb.jpg", "p2/b.png"]

    def test_iter_paths_of_an_empty_storage(self, storage: Storage) -> None:
        assert list(storage.iter_paths()) == []

    @pytest.mark.parametrize("operation", OPERATIONS)
    @pytest.mark.parametrize("path", HOSTILE_PATHS, ids=lambda path: repr(path)[:30])
    def test_hostile_path_is_rejected(self, storage: Storage, operation: str, path: str) -> None:
        with pytest.raises(InvalidPath):
            OPERATIONS[operation](storage, path)


class TestLocalStorage(StorageContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> LocalStorage:
        return LocalStorage(tmp_path / "media")

    def test_files_land_under_the_root(self, storage: LocalStorage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert (storage.root / PATH).read_bytes() == PAYLOAD

    def test_store_leaves_no_temporary_file(self, storage: LocalStorage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert os.listdir(storage.root / PATH.split("/")[0]) == [PATH.split("/")[1]]

    def test_failed_store_leaves_neither_file_nor_temporary_file(self, storage: LocalStorage) -> None:
        (storage.root / "p" / "i.jpg").mkdir(parents=True)
        with pytest.raises(StorageError, match=r"storing 'p/i\.jpg'"):
            storage.store("p/i.jpg", PAYLOAD, content_type="image/jpeg")
        assert os.listdir(storage.root / "p") == ["i.jpg"]
        assert (storage.root / "p" / "i.jpg").is_dir()

    def test_a_reader_keeps_the_old_content_while_a_file_is_replaced(self, storage: LocalStorage) -> None:
        storage.store(PATH, b"old content", content_type="image/jpeg")
        stream = storage.open(PATH)
        storage.store(PATH, b"new content", content_type="image/jpeg")
        try:
            assert stream.read() == b"old content"
        finally:
            stream.close()

    def test_stored_files_are_readable_by_others(self, storage: LocalStorage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert (storage.root / PATH).stat().st_mode & 0o777 == 0o644

    def test_symlink_out_of_the_root_is_rejected(self, storage: LocalStorage, tmp_path: Path) -> None:
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "secret.jpg").write_bytes(b"secret")
        storage.root.mkdir()
        (storage.root / "p").symlink_to(outside)
        for operation in OPERATIONS.values():
            with pytest.raises(InvalidPath):
                operation(storage, "p/secret.jpg")

    def test_symlink_within_the_root_is_followed(self, storage: LocalStorage) -> None:
        storage.store("real/i.jpg", PAYLOAD, content_type="image/jpeg")
        (storage.root / "alias").symlink_to(storage.root / "real")
        assert storage.read_bytes("alias/i.jpg") == PAYLOAD

    def test_directory_is_not_a_file(self, storage: LocalStorage) -> None:
        storage.store("p/i.jpg", PAYLOAD, content_type="image/jpeg")
        assert storage.stat("p") is None
        assert not storage.exists("p")
        with pytest.raises(NotFound):
            storage.open("p")

    def test_delete_many_names_what_it_could_not_delete(self, storage: LocalStorage) -> None:
        storage.store("p/a.jpg", PAYLOAD, content_type="image/jpeg")
        (storage.root / "p" / "b.jpg").mkdir()  # something the disk refuses to unlink as a file
        failed = storage.delete_many(["p/a.jpg", "p/b.jpg"])
        assert list(failed) == ["p/b.jpg"]
        assert "p/b.jpg" in str(failed["p/b.jpg"])
        assert not storage.exists("p/a.jpg")

    def test_etag_of_a_file_written_by_another_process_is_its_content_hash(
        self, storage: LocalStorage
    ) -> None:
        (storage.root / "p").mkdir(parents=True)
        (storage.root / "p" / "i.jpg").write_bytes(PAYLOAD)
        stat = storage.stat("p/i.jpg")
        assert stat is not None and stat.etag == sha256_etag(PAYLOAD)

    def test_etag_follows_the_content_when_a_file_is_rewritten_in_place(self, storage: LocalStorage) -> None:
        storage.store(PATH, b"one", content_type="image/jpeg")
        (storage.root / PATH).write_bytes(b"other content")
        stat = storage.stat(PATH)
        assert stat is not None and stat.etag == sha256_etag(b"other content")

    def test_stat_nowait_waits_for_nothing_once_the_hash_is_known(self, storage: LocalStorage) -> None:
        (storage.root / "p").mkdir(parents=True)
        (storage.root / "p" / "i.jpg").write_bytes(PAYLOAD)
        with pytest.raises(BlockingIOError):
            storage.stat("p/i.jpg", nowait=True)
        assert storage.stat("p/i.jpg") == storage.stat("p/i.jpg", nowait=True)

    def test_store_makes_the_hash_known(self, storage: LocalStorage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        stat = storage.stat(PATH, nowait=True)
        assert stat is not None and stat.etag == sha256_etag(PAYLOAD)

    @pytest.mark.skipif(not hasattr(os, "RWF_NOWAIT"), reason="needs Linux preadv2 RWF_NOWAIT")
    def test_read_nowait_refuses_data_that_is_not_in_the_page_cache(self, storage: LocalStorage) -> None:
        storage.store(PATH, PAYLOAD, content_type="image/jpeg")
        assert storage.read_bytes(PATH) == bytes(read_now(storage, PATH)) == PAYLOAD
        for _ in range(5):  # dropping cached pages is only advice to the kernel
            descriptor = os.open(storage.root / PATH, os.O_RDONLY)
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(descriptor)
            try:
                read_now(storage, PATH)
            except BlockingIOError:
                break
        else:
            pytest.skip("the kernel kept the file in memory (tmpfs, or it ignored the advice)")
        assert storage.read_bytes(PATH) == PAYLOAD

    def test_iter_paths_skips_temporary_files(self, storage: LocalStorage) -> None:
        storage.store("p/i.jpg", PAYLOAD, content_type="image/jpeg")
        (storage.root / "p" / ".abc.tmp").write_bytes(b"half")
        assert list(storage.iter_paths()) == ["p/i.jpg"]

    def test_get_storage_builds_the_local_backend_from_settings(self, tmp_path: Path) -> None:
        settings = Settings(storage_backend="local", media_dir=tmp_path / "files")
        storage = get_storage(settings)
        assert isinstance(storage, LocalStorage)
        assert (storage.name, storage.root) == ("local", (tmp_path / "files").resolve())
        assert get_storage(settings) is storage
