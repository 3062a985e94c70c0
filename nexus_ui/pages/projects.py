"""/ : the projects of the signed-in user."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core import projects
from nexus_core.db import session_scope
from nexus_ui.layout import account_menu
from nexus_ui.session import login_redirect, signed_in_user
from nexus_ui.theme import apply_theme


def projects_page() -> RedirectResponse | None:
    user = signed_in_user()
    if user is None:
        return login_redirect("/")
    with session_scope() as session:
        memberships = projects.projects_of(session, user.id)
    apply_theme()
    with ui.header().classes("bg-white text-slate-900 border-b border-slate-200 px-4 py-2 items-center"):
        ui.icon("perm_media", color="primary").classes("text-2xl")
        ui.label("Nexus").classes("font-semibold")
        ui.space()
        account_menu(user.email)
    with ui.column().classes("w-full max-w-5xl mx-auto px-4 py-8 gap-6"):
        ui.label("Your projects").classes("text-2xl font-semibold")
        if not memberships:
            with ui.card().classes("w-full p-8 items-center text-center"):
                ui.icon("folder_off").classes("text-5xl text-slate-300")
                ui.label("You are not a member of any project yet.").classes("text-slate-600")
                ui.label(
                    "Ask a project admin to add you, or create one with `nexus project create`."
                ).classes("text-sm text-slate-400")
        with ui.element("div").classes("grid gap-4 w-full sm:grid-cols-2 lg:grid-cols-3"):
            for project, role in memberships:
                with (
                    ui.link(target=f"/admin/{project.slug}/media")
                    .classes("no-underline")
                    .mark("project-card")
                ):
                    with ui.card().classes("nexus-tile p-5 gap-1 w-full rounded-xl"):
                        with ui.row().classes("items-center gap-2"):
                            ui.icon("folder", color="primary").classes("text-2xl")
                            ui.label(project.name).classes("text-lg font-medium text-slate-900")
                        ui.label(f"/{project.slug} · {role}").classes("text-sm text-slate-500")
    return None
