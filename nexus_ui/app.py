"""The web application: a FastAPI app serving /media and /api/v1, with the NiceGUI admin mounted on it.

NiceGUI is mounted *inside* our app rather than the other way round so that its session cookie
and middlewares never touch /media or /api responses: an immutable, publicly cached file must not
carry `Set-Cookie` or `Vary: Cookie`, and the proxy's hot path stays free of per-request middleware.
"""

from __future__ import annotations

from pathlib import Path

import uvicorn
from fastapi import FastAPI
from nicegui import app as nicegui_app
from nicegui import ui

from nexus_core.api import router as api_router
from nexus_core.body_limit import UploadBodyLimit
from nexus_core.config import get_settings
from nexus_core.content.public import router as public_pages_router
from nexus_core.errors import NexusError
from nexus_core.media.proxy import router as media_router
from nexus_ui import api_docs, pages
from nexus_ui.same_origin import SameOriginOnly
from nexus_ui.security_headers import AdminSecurityHeaders
from nexus_ui.upload_guard import UPLOAD_URL, SameSessionUploads

# What `./dev` builds from npm packages, and where from.
BUILT = {
    Path(__file__).parent / "static" / "tiptap" / "index.js": "assets/tiptap",
    api_docs.BUNDLE: "assets/api-docs",
}


def create_app(*, with_worker: bool) -> FastAPI:
    """The whole web application; with_worker runs the job consumer in this process (embedded default)."""
    for built, package in BUILT.items():
        if not built.exists():
            raise NexusError(
                f"{built.name} is missing; build it with `./dev start` (or `npm ci && npm run build` in {package})."
            )
    settings = get_settings()
    # /api/v1/openapi.json is served by nexus_core.api: it describes the API's routes and no others.
    web = FastAPI(title="Nexus Media", docs_url=None, redoc_url=None, openapi_url=None)
    web.include_router(media_router)
    web.include_router(api_router)
    web.include_router(public_pages_router)
    api_docs.mount(web)
    pages.register()
    if with_worker:
        nicegui_app.on_startup(_start_worker)
    nicegui_app.add_middleware(SameSessionUploads)  # added first, so NiceGUI's session middleware wraps it
    nicegui_app.add_middleware(UploadBodyLimit, paths=UPLOAD_URL)  # forged upload URLs are counted too
    nicegui_app.add_middleware(SameOriginOnly)  # pages, uploads and the socket: no other site may act
    nicegui_app.add_middleware(AdminSecurityHeaders)  # outermost: refusals carry the headers too
    ui.run_with(
        web,
        title="Nexus Media",
        language="en-US",  # <html lang>, for screen readers and spelling
        favicon="🖼️",
        storage_secret=settings.resolved_secret_key(),
        # Signed (itsdangerous), HttpOnly and SameSite=Lax; Secure when served over HTTPS.
        session_middleware_kwargs={"https_only": settings.secure_cookies, "same_site": "lax"},
        show_welcome_message=False,
    )
    return web


def _start_worker() -> None:
    from nexus_core.media.tasks import start_embedded_consumer

    consumer = start_embedded_consumer()
    nicegui_app.on_shutdown(lambda: consumer.stop(graceful=True))


def run(*, host: str, port: int, with_worker: bool) -> None:
    """Serve until stopped."""
    print(f"Nexus Media on http://{host}:{port}", flush=True)
    uvicorn.run(
        create_app(with_worker=with_worker),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
