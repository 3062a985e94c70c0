"""The /media proxy over HTTP, one behaviour per test, against local storage and S3 (moto on loopback)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from botocore.awsrequest import AWSPreparedRequest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

from nexus_core.errors import StorageError
from nexus_core.media.paths import generate_path
from nexus_core.media.proxy import CHUNK_SIZE, get_storage, router
from nexus_core.media.storage import ByteStream, FileStat, LocalStorage, OpenFile, Storage
from nexus_core.media.storage import get_storage as default_storage
from tests import images

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytest_plugins = ("tests.s3server",)

PROJECT = uuid.UUID("0b5e2c3a-8f1d-4c55-9a0e-3f6d2b7c1e90")
ITEM = uuid.UUID("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a")
PATH = generate_path(PROJECT, ITEM, "image/jpeg")
URL = f"/media/{PATH}"
CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    s3_storage: Storage = request.getfixturevalue("s3_storage")
    return s3_storage


@pytest.fixture
def app(storage: Storage) -> FastAPI:
    """The proxy as the real app has it: with an app mounted at / after it (NiceGUI, a 404 page)."""
    app = FastAPI()
    app.include_router(router)
    app.mount("/", PlainTextResponse("the admin's page not found", status_code=404))
    app.dependency_overrides[get_storage] = lambda: storage
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def image() -> bytes:
    return images.jpeg(320, 200)


@pytest.fixture
def stored(storage: Storage, image: bytes) -> bytes:
    storage.store(PATH, image, content_type="image/jpeg")
    return image


def etag_of(data: bytes) -> str:
    return f'"{hashlib.sha256(data).hexdigest()}"'


def test_get_serves_the_file(client: TestClient, stored: bytes) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert response.content == stored


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("content-type", "image/jpeg"),
        ("cache-control", "public, max-age=31536000, immutable"),
        ("accept-ranges", "bytes"),
        ("x-content-type-options", "nosniff"),
        ("content-security-policy", CSP),
    ],
)
def test_get_sets_header(client: TestClient, stored: bytes, header: str, expected: str) -> None:
    assert client.get(URL).headers[header] == expected


def test_get_sets_content_length(client: TestClient, stored: bytes) -> None:
    assert client.get(URL).headers["content-length"] == str(len(stored))


def test_etag_is_the_sha256_of_the_content(client: TestClient, stored: bytes) -> None:
    assert client.get(URL).headers["etag"] == etag_of(stored)


def test_same_content_at_another_path_has_the_same_etag(
    client: TestClient, storage: Storage, stored: bytes
) -> None:
    other = generate_path(PROJECT, uuid.uuid4(), "image/jpeg")
    storage.store(other, stored, content_type="image/jpeg")
    assert client.get(f"/media/{other}").headers["etag"] == client.get(URL).headers["etag"]


def test_head_gives_the_headers_without_a_body(client: TestClient, stored: bytes) -> None:
    response = client.head(URL)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(stored))
    assert response.headers["etag"] == etag_of(stored)


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", '"other", {etag}', "W/{etag}", "*", " {etag} "],
    ids=["exact", "list", "weak", "star", "spaces"],
)
def test_if_none_match_returns_304(client: TestClient, stored: bytes, if_none_match: str) -> None:
    response = client.get(URL, headers={"if-none-match": if_none_match.format(etag=etag_of(stored))})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag_of(stored)
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_if_none_match_with_another_etag_returns_the_file(client: TestClient, stored: bytes) -> None:
    response = client.get(URL, headers={"if-none-match": '"something-else"'})
    assert response.status_code == 200
    assert response.content == stored


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [
        ("bytes=0-9", 0, 10),
        ("bytes=100-", 100, None),
        ("bytes=-50", -50, None),
        ("bytes=10-99999999", 10, None),
        ("bytes=-99999999", 0, None),
        ("BYTES=5-5", 5, 6),
    ],
)
def test_range_returns_206(
    client: TestClient, stored: bytes, range_header: str, start: int, end: int | None
) -> None:
    expected = stored[start:end]
    first = start % len(stored)
    response = client.get(URL, headers={"range": range_header})
    assert response.status_code == 206
    assert response.content == expected
    assert response.headers["content-range"] == f"bytes {first}-{first + len(expected) - 1}/{len(stored)}"
    assert response.headers["content-length"] == str(len(expected))
    assert response.headers["etag"] == etag_of(stored)


@pytest.mark.parametrize(
    "range_header", ["bytes={size}-", "bytes={size}-{size}", "bytes=-0", "bytes=99999999-"]
)
def test_unsatisfiable_range_returns_416(client: TestClient, stored: bytes, range_header: str) -> None:
    response = client.get(URL, headers={"range": range_header.format(size=len(stored))})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(stored)}"


def test_multiple_ranges_are_answered_with_the_whole_file(client: TestClient, stored: bytes) -> None:
    response = client.get(URL, headers={"range": "bytes=0-1,5-9"})
    assert response.status_code == 200
    assert response.content == stored


@pytest.mark.parametrize(
    "range_header", ["bytes=9-5", "items=0-5", "bytes=a-b", "bytes=-", "bytes=1" + "0" * 30 + "-"]
)
def test_malformed_range_is_ignored(client: TestClient, stored: bytes, range_header: str) -> None:
    response = client.get(URL, headers={"range": range_header})
    assert response.status_code == 200
    assert response.content == stored


def test_range_with_matching_if_range_returns_206(client: TestClient, stored: bytes) -> None:
    response = client.get(URL, headers={"range": "bytes=0-9", "if-range": etag_of(stored)})
    assert response.status_code == 206


def test_range_with_stale_if_range_returns_the_whole_file(client: TestClient, stored: bytes) -> None:
    response = client.get(URL, headers={"range": "bytes=0-9", "if-range": '"stale"'})
    assert response.status_code == 200
    assert response.content == stored


def test_head_with_range_gives_206_headers_without_a_body(client: TestClient, stored: bytes) -> None:
    response = client.head(URL, headers={"range": "bytes=0-9"})
    assert response.status_code == 206
    assert response.content == b""
    assert response.headers["content-length"] == "10"


def test_svg_is_served_with_a_csp_that_stops_its_scripts(client: TestClient, storage: Storage) -> None:
    path = generate_path(PROJECT, ITEM, "image/svg+xml")
    storage.store(path, images.svg(body="<script>alert(1)</script>"), content_type="image/svg+xml")
    response = client.get(f"/media/{path}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"


def test_variant_is_served(client: TestClient, storage: Storage) -> None:
    path = generate_path(PROJECT, ITEM, "image/webp", "thumb")
    storage.store(path, b"RIFF....WEBP", content_type="image/webp")
    response = client.get(f"/media/{path}")
    assert (response.status_code, response.headers["content-type"]) == (200, "image/webp")


def test_missing_file_returns_404(client: TestClient) -> None:
    response = client.get(URL)
    assert response.status_code == 404
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("headers", [{}, {"range": "bytes=0-9"}, {"if-none-match": '"other"'}])
def test_deleted_file_returns_404(
    client: TestClient, storage: Storage, stored: bytes, headers: dict[str, str]
) -> None:
    assert client.get(URL, headers=headers).status_code in (200, 206)
    storage.delete(PATH)
    assert client.get(URL, headers=headers).status_code == 404
    assert client.head(URL, headers=headers).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/media/{PROJECT}/{ITEM}.html",
        f"/media/{PROJECT}/{ITEM}.jpeg",
        f"/media/{PROJECT}/{ITEM}_huge.jpg",
        f"/media/{PROJECT}/{ITEM}_thumb_large.jpg",
        f"/media/{str(PROJECT).upper()}/{ITEM}.jpg",
        f"/media/not-a-uuid/{ITEM}.jpg",
        f"/media/{PROJECT}/{ITEM}",
        f"/media/{PROJECT}/x/{ITEM}.jpg",
        f"/media/{PROJECT}%2F{ITEM}.jpg",
        f"/media/%2e%2e/{PROJECT}/{ITEM}.jpg",
        f"/media/{PROJECT}/{ITEM}.jpg%00",
        f"/media/{PROJECT}",
        "/media/",
    ],
)
def test_malformed_path_returns_404(client: TestClient, stored: bytes, url: str) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405_naming_the_allowed_ones(
    client: TestClient, stored: bytes, method: str
) -> None:
    response = client.request(method, URL)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


def test_options_names_the_allowed_methods(client: TestClient, stored: bytes) -> None:
    response = client.options(URL)
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


@pytest.mark.parametrize("method", ["OPTIONS", "POST"])
def test_other_methods_on_a_malformed_path_are_404(client: TestClient, method: str) -> None:
    assert client.request(method, "/media/../etc/passwd").status_code == 404


# Below, the ASGI app is called directly: to send paths no HTTP client would, and to watch each body message.


@dataclass
class Exchange:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    chunk_sizes: list[int] = field(default_factory=list)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    peak_memory: int = 0


def call(app: FastAPI, path: str) -> Exchange:
    """One GET through the ASGI interface; the body is hashed and dropped as it arrives."""
    exchange = Exchange()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    received = False

    async def receive() -> dict[str, object]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            exchange.status = message["status"]  # type: ignore[assignment]
            exchange.headers = {k.decode(): v.decode() for k, v in message["headers"]}  # type: ignore[attr-defined]
        else:
            exchange.chunk_sizes.append(len(message["body"]))  # type: ignore[arg-type]
            exchange.digest.update(message["body"])  # type: ignore[arg-type]

    tracemalloc.start()
    try:
        asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
        exchange.peak_memory = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return exchange


class ReadRecordingStorage:
    """A storage passed through, noting the size of every read asked of the streams it opens."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.read_sizes: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def open(self, path: str, **options: object) -> ByteStream:
        return self._recording(self.inner.open(path, **options))  # type: ignore[arg-type]

    def open_with_stat(self, path: str, **options: object) -> OpenFile | None:
        opened = self.inner.open_with_stat(path, **options)  # type: ignore[arg-type]
        return opened and replace(opened, stream=self._recording(opened.stream))

    def _recording(self, stream: ByteStream) -> ByteStream:
        recorder = self

        class RecordingStream:
            def read(self, size: int = -1, /, *, nowait: bool = False) -> bytes | bytearray:
                recorder.read_sizes.append(size)
                return stream.read(size, nowait=nowait)

            def close(self) -> None:
                stream.close()

        return RecordingStream()


def test_large_file_is_streamed_in_chunks(app: FastAPI, storage: Storage) -> None:
    data = os.urandom(5 * 1024 * 1024 + 123)
    storage.store(PATH, data, content_type="image/jpeg")
    recorder = ReadRecordingStorage(storage)
    app.dependency_overrides[get_storage] = lambda: recorder
    exchange = call(app, URL)
    assert exchange.status == 200
    assert exchange.headers["content-length"] == str(len(data))
    assert exchange.digest.hexdigest() == hashlib.sha256(data).hexdigest()
    assert len(exchange.chunk_sizes) >= 6
    assert max(exchange.chunk_sizes) <= CHUNK_SIZE
    assert 0 < max(recorder.read_sizes) <= CHUNK_SIZE


def test_large_local_file_is_served_in_bounded_memory(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.store(PATH, os.urandom(5 * 1024 * 1024), content_type="image/jpeg")
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_storage] = lambda: storage
    exchange = call(app, URL)
    assert sum(exchange.chunk_sizes) == 5 * 1024 * 1024
    assert exchange.peak_memory < 2.5 * CHUNK_SIZE


@pytest.mark.parametrize(
    "path",
    [
        f"/media/../{PROJECT}/{ITEM}.jpg",
        f"/media/{PROJECT}/../../etc/passwd",
        f"/media/{PROJECT}/{ITEM}.jpg\x00",
    ],
)
def test_traversal_in_the_raw_path_returns_404(app: FastAPI, stored: bytes, path: str) -> None:
    assert call(app, path).status == 404


def test_symlink_out_of_the_media_directory_returns_404(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / f"{ITEM}.jpg").write_bytes(b"secret")
    storage.root.mkdir()
    (storage.root / str(PROJECT)).symlink_to(outside)
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_storage] = lambda: storage
    assert TestClient(app).get(URL).status_code == 404


class FailingStorage(LocalStorage):
    def _stat(self, path: str, nowait: bool) -> FileStat | None:
        raise StorageError("the disk is gone")


def test_storage_failure_returns_503(tmp_path: Path) -> None:
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_storage] = lambda: FailingStorage(tmp_path)
    assert TestClient(app).get(URL).status_code == 503


def test_file_not_yet_hashed_is_served_with_its_content_etag(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    (tmp_path / str(PROJECT)).mkdir()
    (tmp_path / PATH).write_bytes(b"written by another process")
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_storage] = lambda: storage
    response = TestClient(app).get(URL)
    assert (response.status_code, response.content) == (200, b"written by another process")
    assert response.headers["etag"] == etag_of(b"written by another process")


@pytest.mark.skipif(not hasattr(os, "POSIX_FADV_DONTNEED"), reason="needs posix_fadvise")
def test_file_outside_the_page_cache_is_served(tmp_path: Path, image: bytes) -> None:
    storage = LocalStorage(tmp_path)
    storage.store(PATH, image, content_type="image/jpeg")
    descriptor = os.open(tmp_path / PATH, os.O_RDONLY)
    os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(descriptor)
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_storage] = lambda: storage
    response = TestClient(app).get(URL)
    assert (response.status_code, response.content) == (200, image)


def test_without_override_the_storage_comes_from_the_settings(image: bytes) -> None:
    default_storage().store(PATH, image, content_type="image/jpeg")
    app = FastAPI()
    app.include_router(router)
    response = TestClient(app).get(URL)
    assert (response.status_code, response.content) == (200, image)


@pytest.fixture
def s3_requests(s3_client: S3Client) -> Iterator[list[str]]:
    """The method of every HTTP request the S3 client sends (retries included) while the test runs."""
    sent: list[str] = []

    def record(request: AWSPreparedRequest, **_: object) -> None:
        sent.append(request.method)

    s3_client.meta.events.register("before-send.s3", record, unique_id="count-s3-requests")
    yield sent
    s3_client.meta.events.unregister("before-send.s3", unique_id="count-s3-requests")


S3_ROUND_TRIPS = [
    ("GET", {}, 200, ["GET"]),
    ("GET", {"range": "bytes=0-9"}, 206, ["GET"]),
    ("GET", {"range": "bytes=-50"}, 206, ["GET"]),
    ("GET", {"range": "bytes=10-99999999"}, 206, ["GET"]),
    ("HEAD", {}, 200, ["HEAD"]),
    ("GET", {"if-none-match": "{etag}"}, 304, ["HEAD"]),
    ("GET", {"if-none-match": '"other"'}, 200, ["HEAD", "GET"]),
]


@pytest.mark.parametrize(
    ("method", "headers", "status", "expected"),
    S3_ROUND_TRIPS,
    ids=["get", "range", "suffix", "open-range", "head", "not-modified", "modified"],
)
def test_s3_round_trips_per_request(
    s3_storage: Storage,
    s3_requests: list[str],
    image: bytes,
    method: str,
    headers: dict[str, str],
    status: int,
    expected: list[str],
) -> None:
    """A GET costs one GetObject: the stat comes with the bytes; only conditional requests and HEAD ask first."""
    s3_storage.store(PATH, image, content_type="image/jpeg")
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_storage] = lambda: s3_storage
    s3_requests.clear()
    headers = {name: value.format(etag=etag_of(image)) for name, value in headers.items()}
    response = TestClient(app).request(method, URL, headers=headers)
    assert response.status_code == status
    assert s3_requests == expected
