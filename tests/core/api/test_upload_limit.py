"""The upload limit holds while a body streams in, over real sockets (uvicorn, as `nexus serve` runs it).

With NEXUS_MAX_UPLOAD_MB=1 and NEXUS_MAX_FILES_PER_UPLOAD=1 an upload request may carry 2 MB (the
file plus 1 MB of multipart framing). Each hostile request offers 256 MB in a chunked body (no
Content-Length) and counts what the server let it send: the loopback socket buffers take a few MB
more than the server reads, so "stopped in time" means well under 256 MB.

With NEXUS_MAX_UPLOAD_MB=2 and NEXUS_MAX_FILES_PER_UPLOAD=10 a request may carry 21 MB, but one file
only 2 MB: an oversized file is refused at 2 MB, not at the request's 21 MB.
"""

from __future__ import annotations

import asyncio
import http.client
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from nexus_core import accounts
from nexus_core.body_limit import UploadBodyLimit, upload_receive
from nexus_core.config import MEGABYTE, get_settings
from tests import images
from tests.factories import admin_of, make_project
from tests.jsonapi import assert_valid_document
from tests.processes import child_environment, free_port, running, wait_until_serving

LIMIT = 2 * MEGABYTE
OFFERED = 256 * MEGABYTE
STOPPED_IN_TIME = LIMIT + 32 * MEGABYTE
SMALL_LIMITS = {"NEXUS_MAX_UPLOAD_MB": "1", "NEXUS_MAX_FILES_PER_UPLOAD": "1"}
FILE_LIMIT = 2 * MEGABYTE
MANY_FILES_LIMITS = {"NEXUS_MAX_UPLOAD_MB": "2", "NEXUS_MAX_FILES_PER_UPLOAD": "10"}
FILE_STOPPED_IN_TIME = FILE_LIMIT + 8 * MEGABYTE
"""Well under the 21 MB such a request may carry: the file, not the request, was the limit."""
BOUNDARY = "limit-test"
CHUNK = 65536
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
FORGED_ADMIN_UPLOADS = ["/_nicegui/client/0000/upload/3", "/_nicegui/client/0000/tiptap/4/upload"]
OTHER_ROUTE = "/_nicegui/client/0000/elsewhere"


class ChunkedUpload:
    """A multipart body of files sent in 64 KB chunks; `sent` counts the file bytes that went out.

    A file is its bytes, or a size: that many 0xFF bytes, made as they are sent.
    """

    def __init__(self, *files: bytes | int) -> None:
        self.files = files
        self.size = sum(file if isinstance(file, int) else len(file) for file in files)
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for number, file in enumerate(self.files):
            name = "big.jpg" if number == 0 else f"big-{number}.jpg"
            head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'
            yield head.encode()
            yield from self._chunks(file)
            yield b"\r\n"
        yield f"--{BOUNDARY}--\r\n".encode()

    def _chunks(self, file: bytes | int) -> Iterator[bytes]:
        size = file if isinstance(file, int) else len(file)
        for start in range(0, size, CHUNK):
            end = min(start + CHUNK, size)
            chunk = b"\xff" * (end - start) if isinstance(file, int) else file[start:end]
            self.sent += len(chunk)
            yield chunk


def post_chunked(url: str, upload: ChunkedUpload, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url, content=upload, headers=MULTIPART | (headers or {}), timeout=60)


def status_for_declared_length(url: str, headers: dict[str, str]) -> tuple[int, str]:
    """Send only the headers of a request that declares a body far over the limit: the answer."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.putrequest("POST", parts.path)
        for name, value in (MULTIPART | headers | {"Content-Length": str(OFFERED)}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def serve(tmp_path_factory: pytest.TempPathFactory, limits: dict[str, str]) -> Iterator[str]:
    """A real `nexus serve` with `limits`; its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("upload-limit") / "serve.log"
    with running(["serve", "--port", str(port)], child_environment(**limits), log) as process:
        wait_until_serving(base_url, process, log)
        yield base_url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory, SMALL_LIMITS)


@pytest.fixture(scope="module")
def many_files_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory, MANY_FILES_LIMITS)


@pytest.fixture
def api_key(session: Session) -> dict[str, str]:
    actor = admin_of(session, make_project(session))
    token = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id).token
    return {"Authorization": f"Bearer {token}"}


def test_api_stops_reading_a_chunked_upload_at_the_limit(server: str, api_key: dict[str, str]) -> None:
    """Files each at their limit, so that only the request's limit stops them."""
    upload = ChunkedUpload(*[MEGABYTE] * (OFFERED // MEGABYTE))
    answer = post_chunked(f"{server}/api/v1/media_items", upload, api_key)
    assert answer.status_code == 413
    assert answer.headers["connection"] == "close"
    assert_valid_document(answer.json())
    assert answer.json()["errors"][0]["detail"] == "The request is larger than 2 MB."
    assert upload.sent < STOPPED_IN_TIME


def test_api_refuses_a_declared_length_over_the_limit_before_reading(
    server: str, api_key: dict[str, str]
) -> None:
    status, body = status_for_declared_length(f"{server}/api/v1/media_items", api_key)
    assert status == 413
    assert "larger than 2 MB" in body


def test_api_takes_an_upload_within_the_limit(server: str, api_key: dict[str, str]) -> None:
    """A file of just the limit is read in full: the answer is about its content, not its size."""
    upload = ChunkedUpload(MEGABYTE)
    answer = post_chunked(f"{server}/api/v1/media_items", upload, api_key)
    assert answer.status_code == 415, answer.text
    assert upload.sent == upload.size


def test_api_stops_reading_a_chunked_file_at_the_file_limit(
    many_files_server: str, api_key: dict[str, str]
) -> None:
    upload = ChunkedUpload(60 * MEGABYTE)
    answer = post_chunked(f"{many_files_server}/api/v1/media_items", upload, api_key)
    assert answer.status_code == 413
    assert answer.headers["connection"] == "close"
    assert_valid_document(answer.json())
    assert answer.json()["errors"][0]["detail"] == "“big.jpg” is too large; the limit is 2 MB."
    assert upload.sent < FILE_STOPPED_IN_TIME


def test_api_takes_files_each_within_the_file_limit(many_files_server: str, api_key: dict[str, str]) -> None:
    """Two photos of nearly 2 MB each: together over one file's limit, each one within it."""
    photos = [
        images.jpeg(1400, 800, quality=95) for _ in range(2)
    ]  # two pictures: a copy would not be stored
    upload = ChunkedUpload(*photos)
    assert max(map(len, photos)) <= FILE_LIMIT < upload.size
    answer = post_chunked(f"{many_files_server}/api/v1/media_items", upload, api_key)
    assert answer.status_code == 201, answer.text
    assert len(answer.json()["data"]) == 2


@pytest.mark.parametrize("path", FORGED_ADMIN_UPLOADS)
def test_admin_upload_route_refuses_a_declared_length_over_the_limit(server: str, path: str) -> None:
    assert status_for_declared_length(server + path, {}) == (413, "The request is larger than 2 MB.")


@pytest.mark.parametrize("path", FORGED_ADMIN_UPLOADS)
def test_admin_upload_route_answering_early_stops_reading(server: str, path: str) -> None:
    upload = ChunkedUpload(OFFERED)
    answer = post_chunked(server + path, upload)
    assert answer.status_code == 403  # another session's URL: refused without reading the body
    assert answer.headers["connection"] == "close"
    assert upload.sent < STOPPED_IN_TIME


# NiceGUI's upload handlers read the body only for a signed-in browser's own page; the middleware is
# shown around a handler that reads the whole form, as theirs does, on the same URL patterns.


async def read_form(request: Request) -> PlainTextResponse:
    async with request.form() as form:
        return PlainTextResponse(f"{len(form.multi_items())} parts")


@pytest.fixture
def reading_server(settings_env: pytest.MonkeyPatch) -> Iterator[str]:
    yield from serve_reading(settings_env, SMALL_LIMITS)


@pytest.fixture
def many_files_reading_server(settings_env: pytest.MonkeyPatch) -> Iterator[str]:
    yield from serve_reading(settings_env, MANY_FILES_LIMITS)


def serve_reading(settings_env: pytest.MonkeyPatch, limits: dict[str, str]) -> Iterator[str]:
    """uvicorn in a thread serving a form-reading handler behind UploadBodyLimit; its base URL."""
    from nexus_ui.upload_guard import UPLOAD_URL

    for name, value in limits.items():
        settings_env.setenv(name, value)
    get_settings.cache_clear()
    routes = [Route(path, read_form, methods=["POST"]) for path in [*FORGED_ADMIN_UPLOADS, OTHER_ROUTE]]
    app = UploadBodyLimit(Starlette(routes=routes), paths=UPLOAD_URL)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("path", FORGED_ADMIN_UPLOADS)
def test_admin_upload_route_stops_reading_a_chunked_upload_at_the_limit(
    reading_server: str, path: str
) -> None:
    upload = ChunkedUpload(*[MEGABYTE] * (OFFERED // MEGABYTE))
    answer = post_chunked(reading_server + path, upload)
    assert (answer.status_code, answer.text) == (413, "The request is larger than 2 MB.")
    assert answer.headers["connection"] == "close"
    assert upload.sent < STOPPED_IN_TIME


@pytest.mark.parametrize("path", FORGED_ADMIN_UPLOADS)
def test_admin_upload_route_stops_reading_a_chunked_file_at_the_file_limit(
    many_files_reading_server: str, path: str
) -> None:
    upload = ChunkedUpload(60 * MEGABYTE)
    answer = post_chunked(many_files_reading_server + path, upload)
    assert (answer.status_code, answer.text) == (413, "“big.jpg” is too large; the limit is 2 MB.")
    assert answer.headers["connection"] == "close"
    assert upload.sent < FILE_STOPPED_IN_TIME


def test_admin_upload_route_passes_an_upload_within_the_limit(reading_server: str) -> None:
    upload = ChunkedUpload(MEGABYTE)
    answer = post_chunked(reading_server + FORGED_ADMIN_UPLOADS[0], upload)
    assert (answer.status_code, answer.text) == (200, "1 parts")
    assert "connection" not in answer.headers


def test_admin_upload_route_passes_files_each_at_the_file_limit(many_files_reading_server: str) -> None:
    upload = ChunkedUpload(FILE_LIMIT, FILE_LIMIT)
    answer = post_chunked(many_files_reading_server + FORGED_ADMIN_UPLOADS[0], upload)
    assert (answer.status_code, answer.text) == (200, "2 parts")
    assert upload.sent == upload.size


def test_other_routes_are_not_counted(reading_server: str) -> None:
    upload = ChunkedUpload(2 * LIMIT)
    assert post_chunked(reading_server + OTHER_ROUTE, upload).status_code == 200
    assert upload.sent == upload.size


def test_an_upload_reaches_the_form_parser_in_megabyte_pieces_unchanged() -> None:
    """The server's small body messages are joined (fewer disk writes through threads), byte for byte."""
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
    body += bytes(range(256)) * 12_000 + b"\r\n--b--\r\n"  # 3 MB
    sent = [body[start : start + 65536] for start in range(0, len(body), 65536)]

    async def server_receive() -> dict[str, object]:
        chunk = sent.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(sent)}

    scope = {"type": "http", "headers": [(b"content-type", b"multipart/form-data; boundary=b")]}
    receive = upload_receive(scope, server_receive, get_settings())

    async def read_all() -> list[bytes]:
        pieces = []
        while True:
            message = await receive()
            pieces.append(message["body"])
            if not message["more_body"]:
                return pieces

    pieces = asyncio.run(read_all())
    assert b"".join(pieces) == body
    assert len(pieces) == 3
    assert all(len(piece) >= MEGABYTE for piece in pieces[:-1])
