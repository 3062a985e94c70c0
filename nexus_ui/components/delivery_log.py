"""A webhook's delivery log: the newest attempts first, as a table that scrolls sideways on a phone."""

from __future__ import annotations

from nicegui import ui

from nexus_core.read_models import WebhookDeliveryView
from nexus_ui.format import exact_time

HEADINGS = ("Time", "Event", "Attempt", "Status", "Duration", "Result")


def delivery_log(deliveries: list[WebhookDeliveryView], *, label: str) -> None:
    """`label` names the table for screen readers (which webhook's log it is)."""
    if not deliveries:
        ui.label("Nothing sent yet. Send a ping to try the receiver.").classes(
            "text-sm text-slate-500 px-1 py-2"
        ).mark("no-deliveries")
        return
    scroller = ui.element("div").classes("w-full overflow-x-auto rounded-lg border border-slate-200")
    scroller.props["tabindex"] = "0"  # a region that scrolls must be reachable by keyboard
    scroller.props["role"] = "region"
    scroller.props["aria-label"] = label
    with scroller:
        table = ui.element("table").classes("nexus-list w-full text-sm").mark("delivery-log")
    table.props["data-testid"] = "delivery-log"
    with table:
        with ui.element("thead"), ui.element("tr"):
            for heading in HEADINGS:
                with ui.element("th").props("scope=col"):
                    ui.label(heading)
        with ui.element("tbody"):
            for delivery in deliveries:
                _row(delivery)


def _row(delivery: WebhookDeliveryView) -> None:
    with ui.element("tr").mark("delivery-row") as row:
        row.props["data-testid"] = "delivery-row"
        row.props["data-event"] = delivery.event
        with ui.element("td"):
            ui.label(exact_time(delivery.sent_at))
        with ui.element("td"):
            ui.label(delivery.event).classes("font-mono text-xs")
        with ui.element("td"):
            ui.label(str(delivery.attempt))
        with ui.element("td"):
            status = ui.label(str(delivery.status_code) if delivery.status_code is not None else "—")
            status.mark("delivery-status").props["data-testid"] = "delivery-status"
        with ui.element("td"):
            ui.label(f"{delivery.duration_ms} ms")
        with ui.element("td").style("white-space: normal; min-width: 16rem"):
            with ui.row().classes("items-center gap-1 no-wrap"):
                if delivery.succeeded:
                    ui.icon("check_circle", color="positive").classes("text-base")
                    ui.label("Delivered").classes("text-green-800")
                else:
                    ui.icon("error", color="negative").classes("text-base")
                    ui.label(delivery.error or "Failed").classes("text-red-800").mark("delivery-error")
