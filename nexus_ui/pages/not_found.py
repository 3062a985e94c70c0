"""A readable 404 for the admin (missing project, or one the person is not a member of)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from nicegui import Client, ui
from nicegui.page import page

from nexus_ui.components.heading import heading
from nexus_ui.layout import centered_card


async def not_found(request: Request, _exception: Exception) -> Response:
    with Client(page(""), request=request) as client, centered_card():
        ui.icon("search_off").classes("text-5xl text-slate-300 self-center")
        heading("Page not found").classes("self-center").mark("not-found")
        ui.label("This page does not exist, or you are not a member of its project.").classes(
            "text-slate-500 text-center"
        )
        ui.button("Back to your projects", on_click=lambda: ui.navigate.to("/")).props("unelevated")
    return client.build_response(request, 404)
