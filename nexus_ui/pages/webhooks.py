"""/admin/{slug}/webhooks: the receivers other programs give us to hear about media and pages (admins)."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core.webhooks import service
from nexus_ui.calls import FAILED, call, load
from nexus_ui.components.clipboard import copy_text
from nexus_ui.components.focus import focus_selector
from nexus_ui.components.heading import heading
from nexus_ui.components.notices import admin_only_note
from nexus_ui.components.webhook_card import WebhookCard
from nexus_ui.layout import project_frame
from nexus_ui.redrawn import Redrawn
from nexus_ui.session import ProjectContext, open_project_page

WHEN = {
    "media.created": "an image is uploaded",
    "media.ready": "an image's variants are made",
    "media.updated": "alt text, tags or folder change",
    "media.deleted": "an image is deleted",
    "page.published": "a page is published",
}


URL_INPUT = "input[data-testid=webhook-url-input], [data-testid=webhook-url-input] input"


class WebhooksPage(Redrawn[service.WebhooksOverview]):
    """Add a webhook (its secret is shown once, in a dialog, then forgotten), and each webhook's card."""

    def __init__(self, context: ProjectContext, view: service.WebhooksOverview) -> None:
        super().__init__(context, view, service.webhooks_overview)
        self.new_url = ""
        self.chosen = {event: True for event in view.events}
        self.secret_dialog = ui.dialog().props("persistent")
        self.secret_dialog.props["aria-label"] = "Your webhook's signing secret"
        self.secret_dialog.on("hide", self._after_secret)
        self.shown_webhook: str | None = None
        self.content()

    def draw(self, view: service.WebhooksOverview) -> None:
        with ui.column().classes("w-full gap-4"):
            with ui.column().classes("gap-0"):
                heading("Webhooks")
                ui.label(
                    "Tell other programs (a site build, a search index) when media changes or a page is "
                    "published: each event is POSTed to their URL as JSON, signed with the webhook's secret."
                ).classes("text-sm text-slate-500")
            if not view.allowed:
                admin_only_note(
                    "Only project admins can manage webhooks.",
                    "Ask an admin of this project if a site or service needs to hear about changes.",
                )
                return
            self._add_form(view)
            if not view.webhooks:
                with ui.column().classes("w-full items-center py-10 gap-2 text-center").mark("no-webhooks"):
                    ui.icon("webhook").classes("text-6xl text-slate-300")
                    ui.label("No webhooks yet.").classes("text-lg text-slate-600")
            for row in view.webhooks:
                WebhookCard(self.context, row, disable_after=view.disable_after, on_deleted=self._deleted)

    def _add_form(self, view: service.WebhooksOverview) -> None:
        with ui.card().classes("w-full p-5 gap-3 rounded-xl").props("flat bordered").mark("add-webhook-form"):
            heading("Add a webhook", level=2)
            url = (
                ui.input("Payload URL", value=self.new_url, placeholder="https://example.com/hooks/nexus")
                .bind_value_to(self, "new_url")
                .props("outlined dense type=url maxlength=2000 data-testid=webhook-url-input")
                .classes("w-full")
                .mark("webhook-url-input")
            )
            url.on("keydown.enter", self._add)
            with ui.element("fieldset").classes("border-0 p-0 m-0 min-w-0"):
                with ui.element("legend").classes("text-sm font-medium text-slate-700 mb-1"):
                    ui.label("Events to send")
                with ui.element("div").classes("grid grid-cols-1 sm:grid-cols-2 gap-x-6"):
                    for event in view.events:
                        box = ui.checkbox(f"{event} — {WHEN.get(event, '')}", value=self.chosen[event])
                        box.bind_value_to(self.chosen, event).mark(f"event-{event}")
            with ui.row().classes("w-full items-center gap-3"):
                ui.button("Add webhook", icon="add", on_click=self._add).props(
                    "unelevated no-caps data-testid=add-webhook"
                ).mark("add-webhook")
                ui.label(
                    f"After {view.disable_after} deliveries in a row fail (each tried {view.attempts} times "
                    "over about 20 minutes), a webhook is disabled until you enable it again."
                ).classes("text-xs text-slate-500 grow min-w-[14rem]")

    async def _add(self) -> None:
        chosen = [event for event, wanted in self.chosen.items() if wanted]
        issued = await call(self.context, service.create_webhook, url=self.new_url, events=chosen)
        if issued is FAILED:
            return
        self.new_url = ""
        await self.reload()
        self._show_secret(issued)

    def _show_secret(self, issued: service.IssuedWebhook) -> None:
        dialog = self.secret_dialog
        dialog.clear()
        with dialog, ui.card().classes("w-[40rem] max-w-[95vw] p-6 gap-4 rounded-xl"):
            with ui.row().classes("items-center gap-2 no-wrap"):
                ui.icon("key", color="primary").classes("text-2xl")
                heading("Your webhook's signing secret", level=2)
            with ui.row().classes(
                "w-full items-start gap-2 no-wrap rounded-lg border border-amber-200 bg-amber-50 "
                "px-3 py-2 text-sm text-amber-900"
            ):
                ui.icon("warning").classes("text-lg text-amber-600")
                ui.label(
                    "Copy it now: it won't be shown again. Give it to the receiver, which checks with it "
                    "that each delivery comes from Nexus."
                )
            with ui.row().classes("w-full items-center gap-2 no-wrap rounded-lg bg-slate-900 px-4 py-3"):
                ui.label(issued.secret).classes(
                    "grow min-w-0 break-all font-mono text-sm text-slate-100"
                ).props("data-testid=webhook-secret").style("user-select: all").mark("webhook-secret")
                copy = ui.button(
                    icon="content_copy", on_click=lambda: copy_text(issued.secret, what="Secret")
                )
                copy.props("flat round dense color=white data-testid=copy-secret").tooltip("Copy").mark(
                    "copy-secret"
                )
                copy.props["aria-label"] = "Copy the secret"
            with ui.column().classes("gap-1 text-sm text-slate-600"):
                ui.label("Each delivery carries the header")
                ui.label("X-Nexus-Signature: sha256=<hex HMAC-SHA256 of the body with this secret>").classes(
                    "font-mono text-xs text-slate-700 bg-slate-100 rounded px-1 break-all"
                )
            with ui.row().classes("w-full justify-end"):
                ui.button("Done", on_click=lambda: self._forget_secret(issued)).props(
                    "unelevated no-caps data-testid=secret-done"
                ).mark("secret-done")
        dialog.open()

    def _forget_secret(self, issued: service.IssuedWebhook) -> None:
        self.shown_webhook = str(issued.webhook.id)
        self.secret_dialog.close()
        self.secret_dialog.clear()

    def _after_secret(self) -> None:
        """The focus goes to the new webhook's ping, the next thing to do (the form it came from was redrawn)."""
        if self.shown_webhook is not None:
            selector = f'[data-webhook="{self.shown_webhook}"] [data-testid=ping]'
            focus_selector(selector, on=self.secret_dialog, if_lost=True)
            self.shown_webhook = None

    async def _deleted(self) -> None:
        await self.reload()
        focus_selector(URL_INPUT, on=self.secret_dialog, if_lost=True)


async def webhooks_page(slug: str) -> RedirectResponse | None:
    context = await open_project_page(slug, f"/admin/{slug}/webhooks")
    if isinstance(context, RedirectResponse):
        return context
    view = await load(context, service.webhooks_overview)
    with project_frame(context, active="webhooks", title="Webhooks"):
        WebhooksPage(context, view)
    return None
