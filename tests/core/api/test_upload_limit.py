"""The upload limit holds while a body streams in, over real sockets (uvicorn, as `nexus serve` runs it).

With NEXUS_MAX_UPLOAD_MB=1 and NEXUS_MAX_FILES_PER_UPLOAD=1 an upload request may carry 2 MB (the
file plus 1 MB of multipart framing). Each hostile request offers 256 MB in a chunked body (no
Content-Length) and counts what the server let it send: the loopback socket buffers take a few MB
more than the server reads, so "stopped in time" means well under 256 MB.
"""

from __future__ import annotations

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
from nexus_core.body_limit import UploadBodyLimit
from nexus_core.config import MEGABYTE, get_settings
from tests.factories import admin_of, make_project
from tests.jsonapi import assert_valid_document
from tests.processes import child_environment, free_port, running, wait_until_serving

LIMIT = 2 * MEGABYTE
OFFERED = 256 * MEGABYTE
STOPPED_IN_TIME = LIMIT + 32 * MEGABYTE
SMALL_LIMITS = {"NEXUS_MAX_UPLOAD_MB": "1", "NEXUS_MAX_FILES_PER_UPLOAD": "1"}
BOUNDARY = "limit-test"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
FORGED_ADMIN_UPLOADS = ["/_nicegui/client/0000/upload/3", "/_nicegui/client/0000/tiptap/4/upload"]
OTHER_ROUTE = "/_nicegui/client/0000/elsewhere"


class ChunkedUpload:
    """A multipart body of `size` bytes of one file, sent in 64 KB chunks; `sent` counts what went out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n'
        yield head.encode()
        chunk = b"\xff" * 65536
        while self.sent < self.size:
            self.sent += len(chunk)
            yield chunk
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `nexus serve` with the small limits; its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("upload-limit") / "serve.log"
    with running(["serve", "--port", str(port)], child_environment(**SMALL_LIMITS), log) as process:
        wait_until_serving(base_url, process, log)
        yield base_url


@pytest.fixture
def api_key(session: Session) -> dict[str, str]:
    actor = admin_of(session, make_project(session))
    token = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id).token
    return {"Authorization": f"Bearer {token}"}


def test_api_stops_reading_a_chunked_upload_at_the_limit(server: str, api_key: dict[str, str]) -> None:
    upload = ChunkedUpload(OFFERED)
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
    """A body just under the limit is read in full: the answer is about the file, not its size."""
    upload = ChunkedUpload(MEGABYTE + 65536)
    answer = post_chunked(f"{server}/api/v1/media_items", upload, api_key)
    assert answer.status_code == 413
    assert "limit is 1 MB" in answer.json()["errors"][0]["detail"]
    assert upload.sent == upload.size


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
        return PlainTextResponse(f"{len(form)} fields")


@pytest.fixture
def reading_server(settings_env: pytest.MonkeyPatch) -> Iterator[str]:
    """uvicorn in a thread serving a form-reading handler behind UploadBodyLimit; its base URL."""
    from nexus_ui.upload_guard import UPLOAD_URL

    for name, value in SMALL_LIMITS.items():
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
    upload = ChunkedUpload(OFFERED)
    answer = post_chunked(reading_server + path, upload)
    assert (answer.status_code, answer.text) == (413, "The request is larger than 2 MB.")
    assert answer.headers["connection"] == "close"
    assert upload.sent < STOPPED_IN_TIME


def test_admin_upload_route_passes_an_upload_within_the_limit(reading_server: str) -> None:
    upload = ChunkedUpload(MEGABYTE)
    answer = post_chunked(reading_server + FORGED_ADMIN_UPLOADS[0], upload)
    assert (answer.status_code, answer.text) == (200, "1 fields")
    assert "connection" not in answer.headers


def test_other_routes_are_not_counted(reading_server: str) -> None:
    upload = ChunkedUpload(2 * LIMIT)
    assert post_chunked(reading_server + OTHER_ROUTE, upload).status_code == 200
    assert upload.sent == upload.size
