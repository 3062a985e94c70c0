"""/ : the projects of the signed-in user."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core import projects
from nexus_ui.calls import FAILED, call_unscoped
from nexus_ui.components.heading import heading
from nexus_ui.layout import frame
from nexus_ui.session import login_redirect, signed_in_user


async def projects_page() -> RedirectResponse | None:
    user = await signed_in_user()
    if user is None:
        return login_redirect("/")
    memberships = await call_unscoped(projects.projects_of, user.id)
    if memberships is FAILED:
        raise HTTPException(status_code=503)
    with frame(user):
        heading("Your projects")
        if not memberships:
            with ui.card().classes("w-full p-8 items-center text-center"):
                ui.icon("folder_off").classes("text-5xl text-slate-300")
                ui.label("You are not a member of any project yet.").classes("text-slate-600")
                ui.label(
                    "Ask a project admin to add you, or create one with `nexus project create`."
                ).classes("text-sm text-slate-500")
        with ui.element("div").classes("grid gap-4 w-full sm:grid-cols-2 lg:grid-cols-3"):
            for membership in memberships:
                project = membership.project
                with (
                    ui.link(target=f"/admin/{project.slug}/media")
                    .classes("no-underline")
                    .mark("project-card")
                ):
                    with ui.card().classes("nexus-tile p-5 gap-1 w-full rounded-xl"):
                        with ui.row().classes("items-center gap-2"):
                            ui.icon("folder", color="primary").classes("text-2xl")
                            ui.label(project.name).classes("text-lg font-medium text-slate-900")
                        ui.label(f"/{project.slug} · {membership.role}").classes("text-sm text-slate-500")
    return None
