"""The web application: NiceGUI admin with the /media proxy and /api/v1 mounted on it."""

from __future__ import annotations

from nicegui import app, ui

from nexus_core.api import router as api_router
from nexus_core.config import get_settings
from nexus_core.media.proxy import router as media_router


def build() -> None:
    """Mount the core routers on NiceGUI's FastAPI app."""
    app.include_router(media_router)
    app.include_router(api_router)


def _start_worker() -> None:
    from nexus_core.media.tasks import start_embedded_consumer

    consumer = start_embedded_consumer()
    app.on_shutdown(lambda: consumer.stop(graceful=True))


def run(*, host: str, port: int, with_worker: bool) -> None:
    """Serve until stopped; with_worker runs the job consumer in this process (the embedded default)."""
    build()
    if with_worker:
        app.on_startup(_start_worker)
    ui.run(
        host=host,
        port=port,
        title="Nexus Media",
        reload=False,
        show=False,
        storage_secret=get_settings().resolved_secret_key(),
        favicon="🖼️",
    )
