"""One webhook on the Webhooks page: its URL, state and events, a switch to disable it, a ping, delete,
and its delivery log. A change redraws only the part it touches, so the keyboard focus stays put."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from uuid import UUID

from nicegui import events, ui

from nexus_core.read_models import WebhookDeliveryView, WebhookView
from nexus_core.webhooks import service
from nexus_ui.calls import FAILED, call
from nexus_ui.components.confirm import confirm
from nexus_ui.components.delivery_log import delivery_log
from nexus_ui.session import ProjectContext

PING_WAIT_SECONDS = 30
"""How long the page waits for a ping's result: the queue's delay plus the receiver's 10 s timeout."""


class WebhookCard:
    def __init__(
        self,
        context: ProjectContext,
        row: service.WebhookRow,
        *,
        disable_after: int,
        on_deleted: Callable[[], Awaitable[None]],
    ) -> None:
        self.context = context
        self.webhook = row.webhook
        self.deliveries = row.deliveries
        self.disable_after = disable_after
        self.on_deleted = on_deleted
        card = ui.card().classes("w-full p-0 gap-0 rounded-xl").props("flat bordered")
        card.mark("webhook-card").props["data-webhook"] = str(self.webhook.id)
        card.props["data-testid"] = "webhook-card"
        with card:
            with ui.column().classes("w-full p-5 gap-3"):
                self._summary()
                self._controls()
            self.log_panel = (
                ui.expansion(self._log_title(), icon="history")
                .classes("w-full border-t border-slate-200")
                .mark("delivery-log-toggle")
            )
            with self.log_panel:
                self.log()

    def _summary(self) -> None:
        with ui.row().classes("w-full items-start justify-between gap-3 no-wrap max-sm:flex-wrap"):
            with ui.column().classes("gap-1 min-w-0"):
                ui.label("Payload URL").classes("text-xs font-medium uppercase tracking-wide text-slate-500")
                ui.label(self.webhook.url).classes("font-mono text-sm text-slate-800 break-all").mark(
                    "webhook-url"
                )
            self.state()
        with ui.row().classes("items-center gap-1"):
            ui.label("Events:").classes("text-sm text-slate-500 mr-1")
            for event in self.webhook.events:
                ui.badge(event, color="indigo-1").props("text-color=indigo-9").classes("font-mono")

    @ui.refreshable_method
    def state(self) -> None:
        webhook = self.webhook
        state = ui.column().classes("items-end gap-1 shrink-0 max-sm:items-start").mark("webhook-state")
        state.props["data-testid"] = "webhook-state"
        with state:
            if webhook.enabled:
                ui.badge("Active", color="green-1").props("text-color=green-9")
            elif webhook.consecutive_failures >= self.disable_after:
                ui.badge("Disabled after failures", color="red-1").props("text-color=red-9")
            else:
                ui.badge("Disabled", color="grey-3").props("text-color=grey-8")
            if webhook.consecutive_failures:
                failed = webhook.consecutive_failures
                note = f"{failed} {'delivery' if failed == 1 else 'deliveries'} in a row failed"
                if webhook.enabled:
                    note += f"; disabled at {self.disable_after}"
                ui.label(note + ".").classes("text-xs text-amber-800")

    def _controls(self) -> None:
        with ui.row().classes("w-full items-center justify-between gap-2"):
            self.switch = ui.switch("Enabled", value=self.webhook.enabled, on_change=self._switched)
            self.switch.props("color=primary").mark("webhook-enabled")
            self.switch.props["data-testid"] = "webhook-enabled"
            self.switch.props["aria-label"] = f"Enabled: the webhook to {self.webhook.url}"
            with ui.row().classes("items-center gap-2 no-wrap"):
                self._buttons()

    def _buttons(self) -> None:
        # Not the primary colour: on its own focus tint it falls just short of 4.5:1.
        ping = ui.button("Send ping", icon="send", on_click=self._ping, color=None)
        ping.props("outline no-caps").classes("text-indigo-700")
        ping.mark("ping").props["data-testid"] = "ping"
        ping.props["aria-label"] = f"Send ping to {self.webhook.url}"
        delete = ui.button("Delete", icon="delete", on_click=self._delete)
        delete.props("flat no-caps color=negative").mark("delete-webhook")
        delete.props["data-testid"] = "delete-webhook"
        delete.props["aria-label"] = f"Delete the webhook to {self.webhook.url}"

    def _log_title(self) -> str:
        count = len(self.deliveries)
        if not count:
            return "Delivery log (nothing sent yet)"
        return f"Delivery log ({count} attempt{'s' if count != 1 else ''}, newest first)"

    @ui.refreshable_method
    def log(self) -> None:
        with ui.column().classes("w-full gap-2 px-4 pb-4"):
            delivery_log(self.deliveries, label=f"Delivery log of {self.webhook.url}")
            refresh = ui.button("Refresh", icon="refresh", on_click=self.reload_log)
            refresh.props("flat dense no-caps color=secondary").mark("refresh-log")

    async def reload_log(self) -> list[WebhookDeliveryView] | None:
        found = await call(self.context, service.list_deliveries, webhook_id=self.webhook.id)
        if found is FAILED:
            return None
        self.deliveries = found
        self.log_panel.set_text(self._log_title())
        self.log.refresh()
        return found

    async def _switched(self, event: events.ValueChangeEventArguments) -> None:
        if event.value == self.webhook.enabled:
            return
        changes = service.WebhookChanges(enabled=bool(event.value))
        changed = await call(
            self.context, service.update_webhook, webhook_id=self.webhook.id, changes=changes
        )
        if changed is FAILED:
            self.switch.set_value(self.webhook.enabled)
            return
        self._show(changed)
        ui.notify(
            "Webhook enabled" if changed.enabled else "Webhook disabled: nothing is sent to it", timeout=2500
        )

    def _show(self, webhook: WebhookView) -> None:
        self.webhook = webhook
        self.state.refresh()

    async def _ping(self) -> None:
        event_id = await call(self.context, service.ping_webhook, webhook_id=self.webhook.id)
        if event_id is FAILED:
            return
        ui.notify("Ping sent; waiting for the receiver's answer…", timeout=2000)
        entry = await self._result_of(event_id)
        if entry is None:
            ui.notify("No answer yet: the ping is still queued. Refresh the log in a moment.", type="warning")
        elif entry.succeeded:
            ui.notify(f"Ping delivered: {entry.status_code} in {entry.duration_ms} ms", type="positive")
        else:
            ui.notify(f"Ping failed: {entry.error}", type="negative", multi_line=True, close_button=True)

    async def _result_of(self, event_id: UUID) -> WebhookDeliveryView | None:
        """The log's entry for the event once a worker has written it (the log is shown open then)."""
        deadline = time.monotonic() + PING_WAIT_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            found = await self.reload_log()
            if found is None:
                return None
            entry = next((delivery for delivery in found if delivery.event_id == event_id), None)
            if entry is not None:
                self.log_panel.open()
                return entry
        return None

    async def _delete(self) -> None:
        deleting = await confirm(
            "Delete this webhook?",
            f"Nothing more is sent to {self.webhook.url}, and its delivery log is deleted with it.",
            "Delete",
            marker="confirm-delete-webhook",
        )
        if not deleting:
            return
        if await call(self.context, service.delete_webhook, webhook_id=self.webhook.id) is not FAILED:
            ui.notify("Webhook deleted", type="positive")
        await self.on_deleted()
