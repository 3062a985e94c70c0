"""The public file proxy: GET and HEAD `/media/{project_id}/{item_id}[_{variant}].{ext}`.

The route takes every method, so that OPTIONS (204) and the others (405) are answered here with
`Allow` rather than falling through to the app mounted after it (the admin's "not found" page).

Local files are answered on the event loop when their ETag and bytes are already in memory (the
ETag cache and the page cache: `nowait` in the Storage protocol), else in one worker thread; files
over 1 MB stream in 1 MB chunks. Several ranges in one request get the whole file (200).

The route is a plain ASGI endpoint on the router, not a FastAPI path operation: dependency solving
and request parsing cost more than serving a small file (see bench/proxy.py). The storage still
comes from the `get_storage` dependency, so `app.dependency_overrides[get_storage]` works as usual.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from dataclasses import dataclass

from anyio.to_thread import run_sync
from fastapi import APIRouter
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from nexus_core.config import get_settings
from nexus_core.errors import InvalidPath, NotFound, StorageError
from nexus_core.media import storage as media_storage
from nexus_core.media.paths import MEDIA_PATH_PATTERN, mime_type_from_path
from nexus_core.media.storage import ByteRange, ByteStream, FileStat, RangeNotSatisfiable, Storage

logger = logging.getLogger(__name__)

WHOLE_BODY_LIMIT = 1024 * 1024
CHUNK_SIZE = 1024 * 1024
_BYTE_RANGE = re.compile(r"bytes=(\d{0,18})-(\d{0,18})", re.IGNORECASE)
_SAFETY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; sandbox"),
]
_FILE_HEADERS = [
    (b"cache-control", b"public, max-age=31536000, immutable"),
    (b"accept-ranges", b"bytes"),
    *_SAFETY_HEADERS,
]
_FILE_METHODS = ("GET", "HEAD")
_ALLOW = [(b"allow", b"GET, HEAD, OPTIONS")]


async def get_storage() -> Storage:
    """The storage the proxy serves from (a FastAPI dependency; tests override it)."""
    return media_storage.get_storage()


@dataclass(frozen=True, slots=True)
class MediaRequest:
    path: str
    head: bool
    if_none_match: str | None = None
    range: str | None = None
    if_range: str | None = None

    @classmethod
    def from_scope(cls, scope: Scope, path: str) -> MediaRequest:
        wanted: dict[bytes, str | None] = {b"if-none-match": None, b"range": None, b"if-range": None}
        for name, value in scope["headers"]:
            if name in wanted:
                wanted[name] = value.decode("latin-1")
        return cls(path, scope["method"] == "HEAD", *wanted.values())

    @property
    def is_conditional(self) -> bool:
        return self.if_none_match is not None or self.if_range is not None


class MediaResponse:
    """A response whose body is in memory (small files) or read from a stream in large chunks."""

    def __init__(
        self,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes | bytearray = b"",
        stream: ByteStream | None = None,
        length: int = 0,
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
        self.length = length

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.stream is None:
            await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
            await send({"type": "http.response.body", "body": self.body})
            return
        try:
            await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
            await _send_stream(self.stream, self.length, receive, send)
        finally:
            self.stream.close()


class MediaEndpoint:
    """The ASGI endpoint: local files are answered on the event loop when nothing would wait on disk.

    Media URLs are canonical (UUIDs, a variant, an extension): one with any percent-encoding in it
    is not one of ours, whatever it decodes to.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path_params"]["path"]
        if MEDIA_PATH_PATTERN.fullmatch(path) is None or b"%" in scope.get("raw_path", b""):
            response = _not_found()
        elif scope["method"] not in _FILE_METHODS:
            response = _other_method(scope["method"])
        else:
            storage = await _resolve_storage(scope)
            request = MediaRequest.from_scope(scope, path)
            accel = _accel_redirect_prefix(storage)
            try:
                response = respond(storage, request, nowait=True, accel_redirect=accel)
            except BlockingIOError:
                response = await run_sync(lambda: respond(storage, request, accel_redirect=accel))
        await response(scope, receive, send)


router = APIRouter()
router.routes.append(Route("/media/{path:path}", MediaEndpoint(), methods=None, include_in_schema=False))


def _accel_redirect_prefix(storage: Storage) -> str | None:
    """With NEXUS_ACCEL_REDIRECT set, nginx sends local files itself; S3 files are always proxied."""
    prefix = get_settings().accel_redirect
    return prefix if prefix and storage.name == "local" else None


def respond(
    storage: Storage, request: MediaRequest, nowait: bool = False, accel_redirect: str | None = None
) -> MediaResponse:
    """Decide the whole response for one file; with `nowait`, BlockingIOError if that would wait on I/O.

    A plain GET, with a Range or without, gets the file's stat together with its bytes (one GetObject
    on S3); HEAD, conditional requests and X-Accel-Redirect answers are decided by the stat first.

    With `accel_redirect`, a found file is answered with an `X-Accel-Redirect` to that nginx
    location instead of its bytes: nginx then sends the file (ranges included) with our headers.
    """
    try:
        if request.head or request.is_conditional or accel_redirect is not None:
            return _respond_after_stat(storage, request, nowait, accel_redirect)
        byte_range = parse_byte_range(request.range) if request.range is not None else None
        opened = storage.open_with_stat(request.path, byte_range=byte_range, nowait=nowait)
        if opened is None:
            return _not_found()
        status, headers = _file_headers(request.path, opened.stat, opened.start, opened.end, byte_range)
        return _with_body(status, headers, opened.stream, opened.end - opened.start, nowait)
    except RangeNotSatisfiable as error:
        return _range_not_satisfiable(error.size)
    except (InvalidPath, NotFound):
        return _not_found()
    except StorageError as error:
        logger.warning("serving %s failed: %s", request.path, error)
        return MediaResponse(503, _text_headers(b"Storage unavailable"), body=b"Storage unavailable")


def _respond_after_stat(
    storage: Storage, request: MediaRequest, nowait: bool, accel_redirect: str | None
) -> MediaResponse:
    stat = storage.stat(request.path, nowait=nowait)
    if stat is None:
        return _not_found()
    if request.if_none_match is not None and etag_matches(request.if_none_match, stat.etag):
        return MediaResponse(304, [(b"etag", stat.etag.encode()), *_FILE_HEADERS])
    if accel_redirect is not None:
        # An explicit empty length (not chunked) lets nginx keep the upstream connection open.
        location = (accel_redirect + request.path).encode()
        headers = [
            *_entity_headers(request.path, stat),
            (b"x-accel-redirect", location),
            (b"content-length", b"0"),
        ]
        return MediaResponse(200, headers)
    byte_range = None
    if request.range is not None and (request.if_range is None or request.if_range.strip() == stat.etag):
        byte_range = parse_byte_range(request.range)
    start, end = byte_range.resolve(stat.size) if byte_range else (0, stat.size)
    status, headers = _file_headers(request.path, stat, start, end, byte_range)
    if request.head or start == end:
        return MediaResponse(status, headers)
    stream = storage.open(request.path, start=start, end=end, nowait=nowait)
    return _with_body(status, headers, stream, end - start, nowait)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as If-None-Match asks for: `*` or any listed tag, `W/` or not."""
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def parse_byte_range(header: str) -> ByteRange | None:
    """The single range `bytes=a-b`, `a-` or `-n`; None to send the whole file.

    Malformed, multiple or non-byte ranges are ignored (RFC 9110 lets a server do so) and get a 200.
    """
    match = _BYTE_RANGE.fullmatch(header.strip())
    if match is None or match.group(1, 2) == ("", ""):
        return None
    first, last = (int(value) if value else None for value in match.group(1, 2))
    if first is not None and last is not None and last < first:
        return None
    return ByteRange(first, last)


def _entity_headers(path: str, stat: FileStat) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", mime_type_from_path(path).encode()),
        (b"etag", stat.etag.encode()),
        *_FILE_HEADERS,
    ]


def _file_headers(
    path: str, stat: FileStat, start: int, end: int, byte_range: ByteRange | None
) -> tuple[int, list[tuple[bytes, bytes]]]:
    """The status and headers for bytes `start` to `end` of the file: 206 when a range was asked."""
    headers = _entity_headers(path, stat)
    if byte_range is not None:
        headers.append((b"content-range", f"bytes {start}-{end - 1}/{stat.size}".encode()))
    headers.append((b"content-length", str(end - start).encode()))
    return (200 if byte_range is None else 206), headers


def _with_body(
    status: int, headers: list[tuple[bytes, bytes]], stream: ByteStream, length: int, nowait: bool
) -> MediaResponse:
    if length > WHOLE_BODY_LIMIT:
        return MediaResponse(status, headers, stream=stream, length=length)
    return MediaResponse(status, headers, body=_read_whole(stream, length, nowait))


def _read_whole(stream: ByteStream, length: int, nowait: bool) -> bytes | bytearray:
    try:
        body = stream.read(length, nowait=nowait)
    finally:
        stream.close()
    if len(body) != length:
        if nowait:
            raise BlockingIOError("only part of the file is in the page cache")
        raise StorageError("the stored file changed while it was being served")
    return body


async def _send_stream(stream: ByteStream, length: int, receive: Receive, send: Send) -> None:
    disconnected = asyncio.ensure_future(_wait_for_disconnect(receive))
    try:
        remaining = length
        while remaining > 0 and not disconnected.done():
            size = min(CHUNK_SIZE, remaining)
            try:
                chunk = stream.read(size, nowait=True)
            except BlockingIOError:
                chunk = await run_sync(stream.read, size)
            else:
                await asyncio.sleep(0)
            if not chunk:
                raise StorageError("a stored file ended before its announced length")
            remaining -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})
    finally:
        disconnected.cancel()


async def _wait_for_disconnect(receive: Receive) -> None:
    message: Message = {"type": ""}
    while message["type"] != "http.disconnect":
        message = await receive()


async def _resolve_storage(scope: Scope) -> Storage:
    """`get_storage`, or what the app's `dependency_overrides` puts in its place."""
    overrides = getattr(scope.get("app"), "dependency_overrides", None) or {}
    storage = overrides.get(get_storage, get_storage)()
    return await storage if inspect.isawaitable(storage) else storage


def _text_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *_SAFETY_HEADERS,
    ]


def _not_found() -> MediaResponse:
    return MediaResponse(404, _text_headers(b"Not Found"), body=b"Not Found")


def _other_method(method: str) -> MediaResponse:
    if method == "OPTIONS":
        return MediaResponse(204, [*_ALLOW, *_SAFETY_HEADERS])
    return MediaResponse(405, [*_text_headers(b"Method Not Allowed"), *_ALLOW], body=b"Method Not Allowed")


def _range_not_satisfiable(size: int) -> MediaResponse:
    return MediaResponse(416, [*_text_headers(b""), (b"content-range", f"bytes */{size}".encode())])
