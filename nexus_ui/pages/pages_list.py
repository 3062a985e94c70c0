"""/admin/{slug}/pages: the project's pages, and a new one."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core.content import pages
from nexus_core.content.templates import DEFAULT_TEMPLATE, TEMPLATES
from nexus_core.models import PageStatus
from nexus_core.policies import Action, can
from nexus_ui.calls import FAILED, call, load
from nexus_ui.components.heading import heading
from nexus_ui.format import human_date
from nexus_ui.layout import project_frame
from nexus_ui.session import ProjectContext, open_project_page


def status_badge(status: str) -> None:
    published = status == PageStatus.PUBLISHED
    badge = ui.badge("Published" if published else "Draft", color="green-1" if published else "grey-3")
    badge.props("data-testid=page-status")
    badge.props["text-color"] = "green-9" if published else "grey-8"


async def pages_list_page(slug: str) -> RedirectResponse | None:
    context = await open_project_page(slug, f"/admin/{slug}/pages")
    if isinstance(context, RedirectResponse):
        return context
    rows = await load(context, pages.list_pages)
    with project_frame(context, active="pages", title="Pages"):
        with ui.row().classes("w-full items-center"):
            heading("Pages")
            ui.space()
            if can(context.role_at_open, Action.EDIT_PAGES):
                ui.button("New page", icon="add", on_click=lambda: new_page_dialog(context)).props(
                    "unelevated no-caps data-testid=new-page"
                ).mark("new-page")
        if not rows:
            with ui.column().classes("w-full items-center py-16 gap-2"):
                ui.icon("article").classes("text-6xl text-slate-300")
                ui.label("No pages yet.").classes("text-lg text-slate-600")
            return None
        with ui.card().classes("w-full p-0 gap-0 rounded-xl").props("flat bordered"):
            for page in rows:
                with (
                    ui.link(target=f"/admin/{slug}/pages/{page.id}")
                    .classes(
                        "w-full flex items-center gap-4 px-5 py-3 border-b border-slate-100 no-underline "
                        "text-slate-800 hover:bg-slate-50"
                    )
                    .props("data-testid=page-row")
                ):
                    ui.icon("article", color="primary").classes("text-xl")
                    with ui.column().classes("gap-0 grow"):
                        ui.label(page.title).classes("font-medium")
                        ui.label(f"/{page.slug} · {TEMPLATES[page.template].name}").classes(
                            "text-xs text-slate-500"
                        )
                    status_badge(page.status)
                    ui.label(human_date(page.updated_at)).classes("text-xs text-slate-500 w-44 text-right")
    return None


def new_page_dialog(context: ProjectContext) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-[28rem] max-w-[95vw] p-6 gap-4"):
        dialog.props["aria-label"] = "New page"
        heading("New page", level=2)
        title = (
            ui.input("Title")
            .props("outlined autofocus data-testid=new-page-title")
            .classes("w-full")
            .mark("new-page-title")
        )
        template = ui.select(
            {key: t.name for key, t in TEMPLATES.items()}, value=DEFAULT_TEMPLATE, label="Template"
        )
        template.props("outlined").classes("w-full")

        async def create() -> None:
            page = await call(context, pages.create_page, title=title.value or "", template=template.value)
            if page is not FAILED:
                dialog.close()
                ui.navigate.to(f"/admin/{context.project.slug}/pages/{page.id}")

        title.on("keydown.enter", create)
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat no-caps")
            ui.button("Create", on_click=create).props("unelevated no-caps data-testid=create-page").mark(
                "create-page"
            )
    dialog.open()
