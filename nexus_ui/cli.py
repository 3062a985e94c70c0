"""The `nexus` entry point: the core's command group, plus `nexus serve`, which only the UI can add."""

from __future__ import annotations

import click

from nexus_core.cli import main, prepare_to_serve, reports_errors
from nexus_core.config import get_settings

__all__ = ["main"]


@main.command()
@click.option("--host", default=None, help="Interface to listen on (NEXUS_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (NEXUS_PORT, default 8080).")
@click.option("--no-worker", is_flag=True, help="Do not process jobs in this process (run `nexus worker`).")
@reports_errors
def serve(host: str | None, port: int | None, no_worker: bool) -> None:
    """Migrate, then serve the admin UI, /media and /api."""
    from nexus_ui.app import run  # NiceGUI takes a while to import: only `serve` needs it

    settings = get_settings()
    prepare_to_serve()
    run(host=host or settings.host, port=port or settings.port, with_worker=not no_worker)
