"""/p/{project_slug}/{page_slug}: published pages, public."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from nexus_core.content import pages
from nexus_core.db import session_scope
from nexus_core.errors import NotFound

router = APIRouter()

NOT_FOUND_HTML = "<!doctype html><title>Not found</title><p>This page does not exist or is not published.</p>"
# No script at all; images from anywhere a page may show them, and data: images for the placeholders
# painted behind pictures (a data: image runs nothing; inline style attributes carry them). base-uri and form-action are not covered
# by default-src: without them an injected <base> or <form> could send readers' clicks elsewhere.
# Framing stays allowed (a front end may show a page in a preview): with no script and no forms
# there is nothing to trick a reader into clicking.
HEADERS = {
    "Cache-Control": "public, max-age=0, must-revalidate",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data: https: http:; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'"
    ),
}


def _render(project_slug: str, page_slug: str) -> str:
    with session_scope() as session:
        return pages.published_document(session, project_slug=project_slug, page_slug=page_slug)


@router.get("/p/{project_slug}/{page_slug}", response_class=HTMLResponse)
async def published_page(project_slug: str, page_slug: str) -> HTMLResponse:
    try:
        html = await run_in_threadpool(_render, project_slug, page_slug)
    except NotFound:
        return HTMLResponse(NOT_FOUND_HTML, status_code=404, headers=HEADERS)
    return HTMLResponse(html, headers=HEADERS)
