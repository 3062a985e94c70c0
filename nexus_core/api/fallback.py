"""What /api/v1 answers when none of its routes does: a JSON:API 404 or 405, never the admin's page.

Starlette's router treats a known path with another method as a partial match and keeps looking,
so without these routes the NiceGUI app mounted at `/` would answer both. They go last in the API
router and decide by asking the API's own routes: a path one of them matches with another method
is a 405 listing the methods it takes in `Allow`; OPTIONS on such a path is a 204 with that
`Allow` (as on /media); anything else is a 404.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from nexus_core.api.documents import error_response

PREFIX = "/api/v1"
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class Fallback:
    """The ASGI endpoint of the last routes under /api/v1; `routes` are the API's, read per request."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = self.allowed_methods(scope)
        method = scope["method"]
        response: Response
        if not allowed:
            response = error_response(404, "Not found", f"There is nothing at {scope['path']}.")
        elif method == "OPTIONS":
            response = Response(status_code=204, headers={"Allow": allowed})
        else:
            detail = f"{method} is not allowed on {scope['path']}; it takes {allowed}."
            response = error_response(405, "Method not allowed", detail, headers={"Allow": allowed})
        await response(scope, receive, send)

    def allowed_methods(self, scope: Scope) -> str:
        """The `Allow` value for the request's path ("" when no API route has that path).

        Each method is tried on the routes as the router would (`matches`), so routes of included
        routers count too, whatever shape the router gives them."""
        routes = [route for route in self.routes if getattr(route, "endpoint", None) is not self]
        methods = [
            method
            for method in _METHODS
            if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in routes)
        ]
        return ", ".join([*methods, "OPTIONS"]) if methods else ""


def fallback_routes(routes: Sequence[BaseRoute]) -> list[Route]:
    """Routes for `/api/v1` itself and everything under it, to append after every other API route."""
    endpoint = Fallback(routes)
    return [
        Route(path, endpoint, methods=None, include_in_schema=False)
        for path in (PREFIX, PREFIX + "/{path:path}")
    ]
