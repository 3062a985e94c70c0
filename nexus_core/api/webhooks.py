"""/api/v1/webhooks: list, add (the secret is in the answer's `meta`, this once), read, change (URL,
events, enabled), delete, send a ping, and read the delivery log; for admins only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from nexus_core.api.base_url import base_url
from nexus_core.api.deps import ActorDep, SessionDep
from nexus_core.api.documents import JsonApiResponse
from nexus_core.api.request_documents import members, read_document, resource_object
from nexus_core.api.request_schemas import webhook_body
from nexus_core.api.routing import JsonApiRoute
from nexus_core.api.schemas import (
    NewWebhookDocument,
    PingDocument,
    WebhookDeliveryListDocument,
    WebhookDocument,
    WebhookListDocument,
    answers,
)
from nexus_core.config import get_settings
from nexus_core.errors import InvalidInput
from nexus_core.models.base import as_utc
from nexus_core.read_models import WebhookDeliveryView, WebhookView
from nexus_core.webhooks import service
from nexus_core.webhooks.messages import PING

router = APIRouter(
    prefix="/webhooks", route_class=JsonApiRoute, default_response_class=JsonApiResponse, tags=["webhooks"]
)
ATTRIBUTES = {"url", "events", "enabled"}


def webhook_resource(webhook: WebhookView, *, base: str) -> dict[str, Any]:
    link = f"{base}/api/v1/webhooks/{webhook.id}"
    return {
        "type": "webhooks",
        "id": str(webhook.id),
        "attributes": {
            "url": webhook.url,
            "events": list(webhook.events),
            "enabled": webhook.enabled,
            "consecutive_failures": webhook.consecutive_failures,
            "inserted_at": as_utc(webhook.inserted_at).isoformat(),
            "updated_at": as_utc(webhook.updated_at).isoformat(),
        },
        "relationships": {"deliveries": {"links": {"related": f"{link}/deliveries"}}},
        "links": {"self": link},
    }


def delivery_resource(delivery: WebhookDeliveryView) -> dict[str, Any]:
    return {
        "type": "webhook_deliveries",
        "id": str(delivery.id),
        "attributes": {
            "event": delivery.event,
            "event_id": str(delivery.event_id),
            "attempt": delivery.attempt,
            "sent_at": as_utc(delivery.sent_at).isoformat(),
            "status_code": delivery.status_code,
            "duration_ms": delivery.duration_ms,
            "error": delivery.error,
            "succeeded": delivery.succeeded,
        },
    }


def _base(request: Request) -> str:
    return base_url(request, get_settings())


def _changes(data: dict[str, Any]) -> service.WebhookChanges:
    """The attributes of a webhook's resource object, `url` and `enabled` checked for their types (the use
    case checks the rest, the list of events included)."""
    if data.get("relationships"):
        raise InvalidInput("A webhook has no relationships to set.")
    attributes = members(data, "attributes", ATTRIBUTES)
    url, events, enabled = (attributes.get(name) for name in ("url", "events", "enabled"))
    if url is not None and not isinstance(url, str):
        raise InvalidInput("“url” must be text.")
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidInput("“enabled” must be true or false.")
    return service.WebhookChanges(url=url, events=events, enabled=enabled)


@router.get("", responses=answers(200, WebhookListDocument, 400, 401, 403, 503))
def list_webhooks(request: Request, session: SessionDep, actor: ActorDep) -> JsonApiResponse:
    """The project's webhooks, oldest first (their secrets are never shown again)."""
    found = service.list_webhooks(session, actor=actor)
    base = _base(request)
    return JsonApiResponse(
        {"data": [webhook_resource(webhook, base=base) for webhook in found], "meta": {"total": len(found)}}
    )


@router.post(
    "",
    status_code=201,
    responses=answers(201, NewWebhookDocument, 400, 401, 403, 409, 413, 422, 503),
    openapi_extra=webhook_body(creating=True),
)
async def create_webhook(request: Request, session: SessionDep, actor: ActorDep) -> JsonApiResponse:
    """`meta.secret` signs every delivery: it is in this answer and never again."""
    data = resource_object(await read_document(request), "webhooks")
    if "id" in data:
        raise InvalidInput("The server chooses a new webhook's id; leave “id” out.")
    changes = _changes(data)
    if changes.url is None or changes.events is None:
        raise InvalidInput("A webhook needs “attributes.url” and “attributes.events”.")
    issued = await run_in_threadpool(
        service.create_webhook,
        session,
        actor=actor,
        url=changes.url,
        events=changes.events,
        enabled=True if changes.enabled is None else changes.enabled,
    )
    resource = webhook_resource(issued.webhook, base=_base(request))
    return JsonApiResponse(
        {"data": resource, "meta": {"secret": issued.secret}},
        status_code=201,
        headers={"Location": resource["links"]["self"]},
    )


@router.get("/{webhook_id}", responses=answers(200, WebhookDocument, 400, 401, 403, 404, 503))
def get_webhook(request: Request, webhook_id: str, session: SessionDep, actor: ActorDep) -> JsonApiResponse:
    webhook = service.get_webhook(session, actor=actor, webhook_id=webhook_id)
    return JsonApiResponse({"data": webhook_resource(webhook, base=_base(request))})


@router.patch(
    "/{webhook_id}",
    responses=answers(200, WebhookDocument, 400, 401, 403, 404, 409, 413, 422, 503),
    openapi_extra=webhook_body(creating=False),
)
async def update_webhook(
    request: Request, webhook_id: str, session: SessionDep, actor: ActorDep
) -> JsonApiResponse:
    """Changes `url`, `events` (the whole list) and `enabled`; enabling starts the count of failures again."""
    changes = _changes(resource_object(await read_document(request), "webhooks", webhook_id))
    webhook = await run_in_threadpool(
        service.update_webhook, session, actor=actor, webhook_id=webhook_id, changes=changes
    )
    return JsonApiResponse({"data": webhook_resource(webhook, base=_base(request))})


@router.delete("/{webhook_id}", status_code=204, responses=answers(204, None, 400, 401, 403, 404, 503))
def delete_webhook(webhook_id: str, session: SessionDep, actor: ActorDep) -> Response:
    """The webhook and its delivery log; deliveries still queued for it are not sent."""
    service.delete_webhook(session, actor=actor, webhook_id=webhook_id)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/ping", status_code=202, responses=answers(202, PingDocument, 400, 401, 403, 404, 503)
)
def ping_webhook(webhook_id: str, session: SessionDep, actor: ActorDep) -> JsonApiResponse:
    """Queue a `ping` event, sent once even to a disabled webhook; its result shows in the delivery log."""
    event_id = service.ping_webhook(session, actor=actor, webhook_id=webhook_id)
    return JsonApiResponse({"meta": {"event": PING, "event_id": str(event_id)}}, status_code=202)


@router.get(
    "/{webhook_id}/deliveries", responses=answers(200, WebhookDeliveryListDocument, 400, 401, 403, 404, 503)
)
def list_deliveries(webhook_id: str, session: SessionDep, actor: ActorDep) -> JsonApiResponse:
    """Every attempt at every event, newest first: the newest 50 are kept."""
    found = service.list_deliveries(session, actor=actor, webhook_id=webhook_id)
    return JsonApiResponse(
        {"data": [delivery_resource(delivery) for delivery in found], "meta": {"total": len(found)}}
    )
