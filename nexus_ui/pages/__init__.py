"""One module per screen; `register` adds them all to the NiceGUI app (again after a test resets it)."""

from __future__ import annotations

from nicegui import app, ui

from nexus_ui.pages import (
    api_keys,
    login,
    media_library,
    members,
    not_found,
    page_editor,
    pages_list,
    projects,
    webhooks,
)


def register() -> None:
    ui.page("/login", title="Sign in · Nexus Media")(login.login_page)
    ui.page("/logout")(login.logout_page)
    ui.page("/", title="Projects · Nexus Media")(projects.projects_page)
    ui.page("/admin/{slug}/media", title="Media · Nexus Media")(media_library.media_library_page)
    ui.page("/admin/{slug}/members", title="Members · Nexus Media")(members.members_page)
    ui.page("/admin/{slug}/api-keys", title="API keys · Nexus Media")(api_keys.api_keys_page)
    ui.page("/admin/{slug}/webhooks", title="Webhooks · Nexus Media")(webhooks.webhooks_page)
    ui.page("/admin/{slug}/pages", title="Pages · Nexus Media")(pages_list.pages_list_page)
    ui.page("/admin/{slug}/pages/{page_id}", title="Edit page · Nexus Media")(page_editor.page_editor_page)
    app.exception_handler(404)(not_found.not_found)
