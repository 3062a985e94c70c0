"""Request bodies counted as they arrive, so an oversized one is refused without being read.

A limit checked after parsing comes too late for a chunked upload (no Content-Length): the server
would first spool all of it to disk. Here the body is counted message by message and refused the
moment it passes the limit; a declared Content-Length over the limit is refused before any byte.
An upload's multipart body is also followed part by part, so that one file over the file limit is
refused when it passes that limit, not when the whole request passes its own (every file at its limit).
"""

from __future__ import annotations

import re
from typing import Protocol

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nexus_core.config import MEGABYTE, Settings, get_settings
from nexus_core.errors import RequestTooLarge
from nexus_core.media.validation import file_label

MULTIPART_OVERHEAD = MEGABYTE
"""Room for the multipart framing and the small fields (alt text) next to the files."""

COALESCE = MEGABYTE
"""An upload's body reaches the form parser in pieces of about this size: the parser spools each piece
to disk through a worker thread, and the server's 64 KB messages made that 250 thread hops for a 16 MB
photo (38 ms of parsing where 1 MB pieces take 16)."""

CLOSE = {"Connection": "close"}
"""Sent with a refusal while the body is still arriving: the server then stops reading it."""


def upload_request_limit(settings: Settings) -> int:
    """The most one upload request may send: every file at its limit, plus the multipart framing."""
    return settings.max_upload_bytes * settings.max_files_per_upload + MULTIPART_OVERHEAD


class FileWatcher(Protocol):
    """Is handed the first `file` part's bytes as they arrive (media/head_start.py's EarlyStart)."""

    def receive(self, chunk: bytes) -> None: ...

    def end(self) -> None: ...


def upload_receive(
    scope: Scope, receive: Receive, settings: Settings, *, first_file: FileWatcher | None = None
) -> Receive:
    """`receive` for an upload: RequestTooLarge once the body, or one file in it, passes its limit; the
    first file part named `file` is also handed to `first_file` as it arrives.

    A declared Content-Length over the request's limit is refused at once, before any byte is read.
    """
    limit = upload_request_limit(settings)
    refuse_declared_excess(scope, limit)
    counted = within_limit(receive, limit)
    _, options = parse_options_header(Headers(scope=scope).get("content-type"))
    boundary = options.get(b"boundary")
    if not boundary:
        return counted  # not multipart: the handler refuses it
    counter = _FilePartCounter(boundary, settings.max_upload_bytes, first_file)
    return _coalesced(_files_within_limit(counted, counter))


def refuse_declared_excess(scope: Scope, limit: int) -> None:
    """RequestTooLarge when the request's Content-Length is over `limit`."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise _too_large(limit)


def within_limit(receive: Receive, limit: int) -> Receive:
    """`receive`, raising RequestTooLarge once more than `limit` body bytes have arrived."""
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
        return message

    return receive_within_limit


def _too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(f"The request is larger than {limit // MEGABYTE} MB.")


def _coalesced(receive: Receive, size: int = COALESCE) -> Receive:
    """`receive` that joins body messages until about `size` bytes (or the body's end) have arrived."""

    async def receive_coalesced() -> Message:
        message = await receive()
        pieces, joined = [message.get("body", b"")], len(message.get("body", b""))
        while message["type"] == "http.request" and message.get("more_body") and joined < size:
            message = await receive()
            if message["type"] != "http.request":
                return message  # the client went away: the request ends here
            pieces.append(message.get("body", b""))
            joined += len(pieces[-1])
        if message["type"] != "http.request":
            return message
        return {
            "type": "http.request",
            "body": b"".join(pieces),
            "more_body": message.get("more_body", False),
        }

    return receive_coalesced


def _files_within_limit(receive: Receive, counter: _FilePartCounter) -> Receive:
    async def receive_files_within_limit() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            counter.feed(message.get("body", b""))
        return message

    return receive_files_within_limit


class _FilePartCounter:
    """Follows a multipart body as it arrives; RequestTooLarge once one file part passes `limit`.

    It only counts: the handler's own parser reads the form, and refuses a body that is no valid
    multipart (this counter then stops following it).
    """

    def __init__(self, boundary: bytes, limit: int, first_file: FileWatcher | None = None) -> None:
        self.limit = limit
        self._watcher = first_file
        self._watched = False  # whether the current part is the one handed to the watcher
        self._parser: MultipartParser | None = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
            },
        )
        self._header_name = self._header_value = b""
        self._disposition = b""
        self._filename: bytes | None = None
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        if self._parser is None:
            return
        try:
            self._parser.write(chunk)
        except FormParserError:
            self._parser = None

    def _on_part_begin(self) -> None:
        self._disposition, self._filename, self._size = b"", None, 0

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _on_headers_finished(self) -> None:
        options = parse_options_header(self._disposition)[1]
        self._filename = options.get(b"filename")
        self._watched = (
            self._watcher is not None and self._filename is not None and options.get(b"name") == b"file"
        )

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._filename is None:
            return  # a plain field: the handler's parser limits those
        self._size += end - start
        if self._size > self.limit:
            name = file_label(self._filename.decode("utf-8", errors="replace"))
            raise RequestTooLarge(f"{name} is too large; the limit is {self.limit // MEGABYTE} MB.")
        if self._watched and self._watcher is not None:
            self._watcher.receive(data[start:end])

    def _on_part_end(self) -> None:
        if self._watched and self._watcher is not None:
            self._watcher.end()
            self._watcher = None  # the first file only
        self._watched = False


class UploadBodyLimit:
    """ASGI middleware: the upload limit on POSTs to `paths`, enforced while the body arrives.

    Made for routes whose handlers are not ours (NiceGUI's upload routes): when the body passes the
    limit, whatever the handler then sends or raises is dropped and the client gets a plain 413. An
    answer sent before the whole body came (a refused session, say) closes the connection, so the
    server does not read, to throw away, the rest of it.
    """

    def __init__(self, app: ASGIApp, *, paths: re.Pattern[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not self.paths.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            limited = upload_receive(scope, receive, get_settings())
        except RequestTooLarge as error:
            await _refusal(error)(scope, receive, send)
            return
        await _LimitedExchange(limited, send).run(self.app, scope)


class _LimitedExchange:
    """One request through the app, with its body counted and its answer watched."""

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive = receive
        self._send = send
        self.refused: RequestTooLarge | None = None
        self.body_complete = False
        self.started = False

    async def run(self, app: ASGIApp, scope: Scope) -> None:
        try:
            await app(scope, self.receive, self.send)
        except Exception:
            if self.refused is None:
                raise
        if self.refused is not None and not self.started:
            await _refusal(self.refused)(scope, self._receive, self._send)

    async def receive(self) -> Message:
        try:
            message = await self._receive()
        except RequestTooLarge as error:
            self.refused = error
            raise
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.body_complete = True
        return message

    async def send(self, message: Message) -> None:
        if self.refused is not None:
            return
        if message["type"] == "http.response.start":
            self.started = True
            if not self.body_complete:
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
        await self._send(message)


def _refusal(error: RequestTooLarge) -> PlainTextResponse:
    return PlainTextResponse(str(error), status_code=error.status_code, headers=CLOSE)
