"""/admin/{slug}/api-keys: keys that let sites and scripts use the JSON API as a member of the project."""

from __future__ import annotations

from uuid import UUID

from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core import accounts, projects
from nexus_ui.calls import FAILED, call, load
from nexus_ui.components.clipboard import copy_text
from nexus_ui.components.confirm import confirm
from nexus_ui.components.heading import heading
from nexus_ui.components.notices import admin_only_note
from nexus_ui.format import human_date
from nexus_ui.layout import project_frame
from nexus_ui.redrawn import Redrawn
from nexus_ui.session import ProjectContext, open_project_page

COLUMNS = (
    "grid grid-cols-[minmax(0,1fr)_8.5rem_minmax(0,1.2fr)_11rem_11rem_5.5rem_5.5rem] items-center gap-4 px-5"
)


def masked(prefix: str) -> str:
    return f"{accounts.API_KEY_PREFIX}_{prefix}_…"


class ApiKeysPage(Redrawn[accounts.ApiKeysOverview]):
    """Create, list and revoke keys; a new key's token is shown once, in a dialog, and then forgotten."""

    def __init__(self, context: ProjectContext, view: accounts.ApiKeysOverview) -> None:
        super().__init__(context, view, accounts.api_keys_overview)
        self.new_name = ""
        self.acts_for = str(context.user.id)
        self.token_dialog = ui.dialog().props("persistent")
        self.token_dialog.props["aria-label"] = "Your new API key"
        self.content()

    def draw(self, view: accounts.ApiKeysOverview) -> None:
        with ui.column().classes("w-full gap-4"):
            with ui.column().classes("gap-0"):
                heading("API keys")
                ui.label(
                    "Keys let sites and scripts use the JSON API (/api/v1) with a member's role."
                ).classes("text-sm text-slate-500")
            if not view.allowed:
                admin_only_note(
                    "Only project admins can manage API keys.",
                    "Ask an admin of this project if a site or script needs a key.",
                )
                return
            self._create_form(view.members)
            self._key_list(view.keys)

    def _create_form(self, members: list[projects.MemberRow]) -> None:
        options = {
            str(member.user_id): f"{member.email} · {member.role}"
            + (" (you)" if member.user_id == self.context.user.id else "")
            for member in members
        }
        if self.acts_for not in options:
            self.acts_for = str(self.context.user.id)
        with ui.card().classes("w-full p-5 gap-3 rounded-xl").props("flat bordered").mark("create-key-form"):
            ui.label("Create an API key").classes("text-base font-semibold")
            with ui.row().classes("w-full items-start gap-3"):
                ui.input(
                    "Name (optional)", value=self.new_name, placeholder="e.g. Website build"
                ).bind_value_to(self, "new_name").props(
                    "outlined dense maxlength=100 data-testid=key-name"
                ).classes("grow min-w-[14rem]").mark("key-name")
                ui.select(options, label="Acts for", value=self.acts_for).bind_value_to(
                    self, "acts_for"
                ).props("outlined dense options-dense data-testid=key-owner").classes("w-80").mark(
                    "key-owner"
                )
                ui.button("Create API key", icon="add", on_click=self._create).props(
                    "unelevated no-caps data-testid=create-key"
                ).classes("h-10").mark("create-key")
            ui.label(
                "A key acts with the role its member has in this project, and stops working if they leave."
            ).classes("text-xs text-slate-500")

    def _key_list(self, keys: list[accounts.ApiKeyRow]) -> None:
        if not keys:
            with (
                ui.column()
                .classes("w-full items-center py-12 gap-2 text-center")
                .props("data-testid=no-keys")
                .mark("no-keys")
            ):
                ui.icon("key_off").classes("text-6xl text-slate-300")
                ui.label("No API keys yet.").classes("text-lg text-slate-600")
            return
        with (
            ui.card().classes("w-full p-0 gap-0 rounded-xl overflow-x-auto").props("flat bordered"),
            ui.column().classes("w-full min-w-[62rem] gap-0"),
        ):
            with ui.element("div").classes(
                f"{COLUMNS} w-full py-2 bg-slate-50 border-b border-slate-200 "
                "text-xs font-medium uppercase tracking-wide text-slate-500"
            ):
                for heading in ("Name", "Key", "Acts for", "Created", "Last used", "Status", ""):
                    ui.label(heading)
            for row in keys:
                self._key_row(row)

    def _key_row(self, row: accounts.ApiKeyRow) -> None:
        key = row.key
        active = key.revoked_at is None
        line = ui.element("div").classes(f"{COLUMNS} w-full py-3 border-b border-slate-100 last:border-b-0")
        line.props("data-testid=key-row").mark("key-row", f"key-{key.prefix}")
        line.props["data-prefix"] = key.prefix
        with line.classes("" if active else "bg-slate-50/60"):
            ui.label(key.name or "Untitled").classes(
                "truncate font-medium " + ("text-slate-800" if key.name else "text-slate-500 italic")
            )
            ui.label(masked(key.prefix)).classes("font-mono text-sm text-slate-600")
            ui.label(row.owner_email).classes("truncate text-slate-700")
            ui.label(human_date(key.inserted_at)).classes("text-sm text-slate-500")
            ui.label(human_date(key.last_used_at) if key.last_used_at else "never").classes(
                "text-sm text-slate-500"
            )
            if active:
                ui.badge("Active", color="green-1").props("text-color=green-9").classes(
                    "justify-self-start"
                ).mark(f"status-{key.prefix}")
            else:
                ui.badge("Revoked", color="grey-3").props("text-color=grey-8").classes(
                    "justify-self-start"
                ).mark(f"status-{key.prefix}")
            if active:
                revoke = ui.button("Revoke", on_click=lambda: self._confirm_revoke(row))
                revoke.props("flat dense no-caps color=negative").mark(f"revoke-{key.prefix}")
                revoke.props["data-testid"] = f"revoke-{key.prefix}"

    async def _create(self) -> None:
        issued = await call(
            self.context, accounts.create_api_key, user_id=UUID(self.acts_for), name=self.new_name
        )
        if issued is FAILED:
            await self.reload()
            return
        self.new_name = ""
        await self.reload()
        self._show_token(issued)

    def _show_token(self, issued: accounts.IssuedApiKey) -> None:
        dialog = self.token_dialog
        dialog.clear()
        with dialog, ui.card().classes("w-[40rem] max-w-[95vw] p-6 gap-4 rounded-xl"):
            with ui.row().classes("items-center gap-2"):
                ui.icon("key", color="primary").classes("text-2xl")
                heading("Your new API key", level=2)
            with ui.row().classes(
                "w-full items-start gap-2 no-wrap rounded-lg border border-amber-200 bg-amber-50 "
                "px-3 py-2 text-sm text-amber-900"
            ):
                ui.icon("warning").classes("text-lg text-amber-600")
                ui.label(
                    "Copy it now: it won't be shown again. Only a fingerprint is stored, so a lost key "
                    "cannot be recovered; revoke it and create another."
                )
            with ui.row().classes("w-full items-center gap-2 no-wrap rounded-lg bg-slate-900 px-4 py-3"):
                ui.label(issued.token).classes(
                    "grow min-w-0 break-all font-mono text-sm text-slate-100"
                ).props("data-testid=new-token").style("user-select: all").mark("new-token")
                ui.button(
                    icon="content_copy", on_click=lambda: copy_text(issued.token, what="API key")
                ).props("flat round dense color=white data-testid=copy-token").tooltip("Copy").mark(
                    "copy-token"
                )
            with ui.row().classes("items-center gap-1 text-sm text-slate-500"):
                ui.label("Send it with each request to /api/v1 as the header")
                ui.label("Authorization: Bearer <key>").classes(
                    "font-mono text-slate-700 bg-slate-100 rounded px-1"
                )
            with ui.row().classes("w-full justify-end"):
                ui.button("Done", on_click=self._forget_token).props(
                    "unelevated no-caps data-testid=token-done"
                ).mark("token-done")
        dialog.open()

    def _forget_token(self) -> None:
        self.token_dialog.close()
        self.token_dialog.clear()

    async def _confirm_revoke(self, row: accounts.ApiKeyRow) -> None:
        label = f"“{row.key.name}” ({masked(row.key.prefix)})" if row.key.name else masked(row.key.prefix)
        revoking = await confirm(
            f"Revoke {label}?",
            "Anything still using it is refused from now on (401). This cannot be undone.",
            "Revoke",
            marker="confirm-revoke",
        )
        if not revoking:
            return
        if await call(self.context, accounts.revoke_api_key, key_id=row.key.id) is not FAILED:
            ui.notify(f"Revoked {label}", type="positive")
        await self.reload()


async def api_keys_page(slug: str) -> RedirectResponse | None:
    context = await open_project_page(slug, f"/admin/{slug}/api-keys")
    if isinstance(context, RedirectResponse):
        return context
    view = await load(context, accounts.api_keys_overview)
    with project_frame(context, active="api-keys", title="API keys"):
        ApiKeysPage(context, view)
    return None
