"""The shell of every signed-in screen: a header, and inside a project a sidebar and breadcrumbs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import ui

from nexus_core.read_models import UserView
from nexus_ui.session import ProjectContext, sign_out
from nexus_ui.theme import apply_theme


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    icon: str
    path: str


CONTENT = "w-full max-w-7xl mx-auto px-4 py-5 gap-4"
NAV_ITEMS = (
    NavItem("pages", "Pages", "article", "pages"),
    NavItem("media", "Media", "photo", "media"),
    NavItem("members", "Members", "group", "members"),
    NavItem("api-keys", "API Keys", "key", "api-keys"),
    NavItem("webhooks", "Webhooks", "webhook", "webhooks"),
)


def sign_out_and_leave() -> None:
    """Signing out is a click handled over the page's websocket, never a URL another site can load."""
    sign_out()
    ui.navigate.to("/login")


def account_menu(email: str) -> None:
    with (
        ui.button(icon="account_circle")
        .props("flat round dense color=secondary aria-label='Account'")
        .mark("account-menu")
    ):
        with ui.menu().props("anchor='bottom right' self='top right'"):
            ui.item(email).props("dense").classes("text-slate-500")
            ui.separator()
            ui.menu_item("Sign out", on_click=sign_out_and_leave).mark("sign-out")


def _header(user: UserView, context: ProjectContext | None) -> ui.button | None:
    """The bar across the top; inside a project it names it and holds the sidebar's menu button."""
    with ui.header(elevated=False).classes(
        "bg-white text-slate-900 border-b border-slate-200 px-4 py-2 items-center no-wrap"
    ):
        menu = None
        if context is not None:
            menu = (
                ui.button(icon="menu")
                .props("flat round dense color=secondary aria-label='Menu'")
                .classes("lg:hidden")
            )
        home = ui.link(target="/").classes("flex items-center gap-2 no-underline text-slate-900")
        home.props["aria-label"] = "Nexus: your projects"
        with home:
            ui.icon("perm_media", color="primary").classes("text-2xl")
            ui.label("Nexus").classes("font-semibold" + (" max-sm:hidden" if context else ""))
        if context is not None:  # on a phone the project's name may be cut short, never the account menu
            ui.label("/").classes("text-slate-300 max-sm:hidden")
            ui.label(context.project.name).classes("font-medium truncate min-w-0").mark("project-name")
            ui.badge(context.role_at_open, color="grey-3").props("text-color=grey-8").classes("ml-1 shrink-0")
        ui.space()
        account_menu(user.email)
    return menu


@contextmanager
def frame(user: UserView) -> Iterator[None]:
    """The shell of a screen outside any project (the projects list)."""
    apply_theme()
    _header(user, None)
    with ui.column().classes(CONTENT):
        yield


@contextmanager
def project_frame(
    context: ProjectContext, *, active: str, title: str, parent: tuple[str, str] | None = None
) -> Iterator[None]:
    """Render the shell around a project page; the page's content goes inside the `with` block."""
    apply_theme()
    slug = context.project.slug
    menu = _header(context.user, context)
    with (
        ui.left_drawer(value=None, bordered=True)
        .props("width=232 breakpoint=1024")
        .classes("bg-white p-3") as drawer,
        ui.column().classes("nexus-nav w-full gap-1"),
    ):
        for item in NAV_ITEMS:
            link = ui.link(target=f"/admin/{slug}/{item.path}").classes(
                "flex items-center gap-3 px-3 py-2 rounded-lg w-full"
                + (" active" if item.key == active else "")
            )
            link.mark(f"nav-{item.key}").props["data-testid"] = f"nav-{item.key}"
            with link:
                ui.icon(item.icon).classes("text-xl")
                ui.label(item.label)
    if menu is not None:
        menu.on_click(drawer.toggle)
    with ui.column().classes(CONTENT):
        with ui.row().classes("items-center gap-1 text-sm text-slate-500").mark("breadcrumbs"):
            ui.link("Projects", "/").classes("text-slate-500 no-underline hover:underline")
            ui.icon("chevron_right").classes("text-base")
            ui.link(context.project.name, f"/admin/{slug}/media").classes(
                "text-slate-500 no-underline hover:underline"
            )
            ui.icon("chevron_right").classes("text-base")
            if parent is not None:
                ui.link(parent[0], parent[1]).classes("text-slate-500 no-underline hover:underline")
                ui.icon("chevron_right").classes("text-base")
            ui.label(title).classes("text-slate-800")
        yield


@contextmanager
def centered_card(width: str = "max-w-md") -> Iterator[None]:
    """A single card in the middle of the screen (sign-in, not found)."""
    apply_theme()
    with ui.column().classes("w-full min-h-[calc(100vh-2rem)] items-center justify-center"):
        with ui.card().classes(f"w-full {width} p-8 gap-4 shadow-lg rounded-2xl"):
            yield
