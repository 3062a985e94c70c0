"""/api/docs: Swagger UI on /api/v1/openapi.json, from files installed with the product.

The files come from npm's swagger-ui-dist (assets/api-docs copies them into static/swagger-ui when
`./dev` builds), so the page loads nothing from another site. Its start-up is a script file of ours
rather than an inline one, so the page's Content-Security-Policy allows scripts from this server only.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "swagger-ui"
PATH = "/api/docs"
BUNDLE = ASSETS / "swagger-ui-bundle.js"

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nexus Media API</title>
<link rel="icon" type="image/png" href="{PATH}/assets/favicon-32x32.png">
<link rel="stylesheet" href="{PATH}/assets/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="{PATH}/assets/swagger-ui-bundle.js"></script>
<script src="{PATH}/start.js"></script>
</body>
</html>
"""
_START = """window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  defaultModelsExpandDepth: 0,
});
"""
_HEADERS = {
    "Content-Security-Policy": "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # Swagger UI sets style attributes as it draws
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get(PATH)
def api_docs() -> HTMLResponse:
    return HTMLResponse(_PAGE, headers=_HEADERS)


@router.get(f"{PATH}/start.js")
def api_docs_start() -> Response:
    return Response(_START, media_type="text/javascript", headers=_HEADERS)


def mount(web: FastAPI) -> None:
    """Serve the docs page and its files on `web`."""
    web.include_router(router)
    web.mount(f"{PATH}/assets", StaticFiles(directory=ASSETS), name="api-docs-assets")
