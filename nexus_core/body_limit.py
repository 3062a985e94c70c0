"""Request bodies counted as they arrive, so an oversized one is refused without being read.

A limit checked after parsing comes too late for a chunked upload (no Content-Length): the server
would first spool all of it to disk. Here the body is counted message by message and refused the
moment it passes the limit; a declared Content-Length over the limit is refused before any byte.
"""

from __future__ import annotations

import re

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nexus_core.config import MEGABYTE, Settings, get_settings
from nexus_core.errors import RequestTooLarge

MULTIPART_OVERHEAD = MEGABYTE
"""Room for the multipart framing and the small fields (alt text) next to the files."""

CLOSE = {"Connection": "close"}
"""Sent with a refusal while the body is still arriving: the server then stops reading it."""


def upload_request_limit(settings: Settings) -> int:
    """The most one upload request may send: every file at its limit, plus the multipart framing."""
    return settings.max_upload_bytes * settings.max_files_per_upload + MULTIPART_OVERHEAD


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
        limit = upload_request_limit(get_settings())
        try:
            refuse_declared_excess(scope, limit)
        except RequestTooLarge as error:
            await _refusal(error)(scope, receive, send)
            return
        await _LimitedExchange(within_limit(receive, limit), send).run(self.app, scope)


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
