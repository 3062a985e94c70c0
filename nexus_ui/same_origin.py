"""Requests that act must come from the admin's own pages, never from another site.

A browser attaches the session cookie to what another site makes it send: a form post, a fetch, a
WebSocket (cross-site WebSocket hijacking). NiceGUI's socket.io server accepts any origin
(`cors_allowed_origins='*'`), and every click, sign-in and sign-out travels over that connection; the
upload routes are plain POSTs. So every request that is not a plain GET — and every request to the
socket — must carry this server's own `Origin` (browsers send one with all of these) and must not say
`Sec-Fetch-Site: cross-site` or `same-site` (a sibling host is another origin too).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from nexus_core.config import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SOCKET_PATH = "/_nicegui_ws/"
OTHER_SITES = frozenset({"cross-site", "same-site"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_HTTP_SCHEME = {"ws": "http", "wss": "https"}


class SameOriginOnly:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _acts(scope) and not _from_this_origin(scope):
            if scope["type"] == "websocket":
                await WebSocketClose(code=1008, reason="Cross-site connection refused.")(scope, receive, send)
            else:
                await PlainTextResponse("Cross-site request refused.", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _acts(scope: Scope) -> bool:
    return (
        scope["type"] == "websocket"
        or scope["method"] not in SAFE_METHODS
        or scope["path"].startswith(SOCKET_PATH)
    )


def _from_this_origin(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    if headers.get("sec-fetch-site", "").lower() in OTHER_SITES:
        return False
    origin = headers.get("origin")
    return origin is None or _normalized(origin) in (_own_origin(scope, headers), _public_origin())


def _public_origin() -> str:
    """NEXUS_PUBLIC_URL's origin: where people reach us even when a proxy passes another Host."""
    scheme, _, rest = get_settings().resolved_public_url.partition("://")
    return _normalized(f"{scheme}://{rest.split('/', 1)[0]}")


def _own_origin(scope: Scope, headers: Headers) -> str:
    """scheme://host[:port] as the browser addressed us (behind a proxy, uvicorn's proxy headers apply)."""
    scheme = _HTTP_SCHEME.get(scope["scheme"], scope["scheme"])
    return _normalized(f"{scheme}://{headers.get('host', '')}")


def _normalized(origin: str) -> str:
    origin = origin.strip().lower()
    scheme, _, authority = origin.partition("://")
    default_port = _DEFAULT_PORTS.get(scheme)
    if default_port and authority.endswith(f":{default_port}"):
        authority = authority.removesuffix(f":{default_port}")
    return f"{scheme}://{authority}"
