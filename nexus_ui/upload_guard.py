"""Only the browser session that opened a page may post files to that page's upload URLs.

NiceGUI's per-client upload routes (`/_nicegui/client/<client>/upload/<element>`, and our editor's
`…/tiptap/<element>/upload`) trust whoever knows the URL; the handlers then act as the page's
signed-in member. This middleware closes that gap by comparing browser session ids.
"""

from __future__ import annotations

import re

from nicegui import Client
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

UPLOAD_URL = re.compile(r"^/_nicegui/client/(?P<client>[^/]+)/(?:upload/[^/]+|tiptap/[^/]+/upload)$")


class SameSessionUploads:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            match = UPLOAD_URL.match(scope["path"])
            if match and not _same_session(match["client"], scope):
                await PlainTextResponse("This upload belongs to another session.", status_code=403)(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)


def _same_session(client_id: str, scope: Scope) -> bool:
    client = Client.instances.get(client_id)
    if client is None or client.request is None:
        return False
    owner = client.request.scope.get("session", {}).get("id")
    sender = scope.get("session", {}).get("id")
    return owner is not None and owner == sender
