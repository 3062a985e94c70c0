"""Webhooks as admins manage them, in the admin and through /api/v1/webhooks: add one (its secret is
shown once), change its URL or events, disable and enable it, delete it, send it a ping, read its log."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlmodel import Session, col, select

from nexus_core.config import Settings, get_settings
from nexus_core.errors import Conflict, Forbidden, InvalidInput, NotFound
from nexus_core.ids import parse_id
from nexus_core.media import jobs
from nexus_core.models import Project, Webhook, WebhookDelivery
from nexus_core.models.base import utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import WebhookDeliveryView, WebhookView
from nexus_core.webhooks import receivers, sending
from nexus_core.webhooks.messages import PING, WebhookEvent, new_message

MAX_WEBHOOKS = 20
MISSING_WEBHOOK = "No such webhook in this project."
SECRET_PREFIX = "whsec_"
EVENTS = tuple(WebhookEvent)


@dataclass(frozen=True)
class IssuedWebhook:
    """A new webhook and its signing secret, which is shown this once."""

    webhook: WebhookView
    secret: str


@dataclass(frozen=True)
class WebhookChanges:
    """What to change of a webhook; None leaves that part as it is. Enabling it starts its count of
    failures in a row again."""

    url: str | None = None
    events: Sequence[str] | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class WebhookRow:
    webhook: WebhookView
    deliveries: list[WebhookDeliveryView]


@dataclass(frozen=True)
class WebhooksOverview:
    """What the Webhooks screen shows; `allowed` is False when the person's role does not manage them."""

    allowed: bool
    webhooks: list[WebhookRow] = field(default_factory=list)
    events: tuple[str, ...] = EVENTS
    attempts: int = sending.ATTEMPTS
    disable_after: int = sending.DISABLE_AFTER


def clean_events(events: Any) -> list[str]:
    """The events named, each once and in the order of EVENTS; at least one, none unknown."""
    if not isinstance(events, list | tuple) or not all(isinstance(event, str) for event in events):
        raise InvalidInput("“events” must be a list of event names.")
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise InvalidInput(f"Unknown events: {', '.join(unknown)}; choose from {', '.join(EVENTS)}.")
    if not events:
        raise InvalidInput("Choose at least one event.")
    return [event for event in EVENTS if event in events]


def create_webhook(
    session: Session,
    *,
    actor: Actor,
    url: str,
    events: Sequence[str],
    enabled: bool = True,
    settings: Settings | None = None,
) -> IssuedWebhook:
    authorize(actor, Action.MANAGE_WEBHOOKS)
    settings = settings or get_settings()
    url = receivers.check_url(url.strip(), allow_private=settings.webhook_allow_private)
    chosen = clean_events(events)
    count = session.exec(select(func.count()).where(Webhook.project_id == actor.project_id)).one()
    if count >= MAX_WEBHOOKS:
        raise Conflict(f"A project can have at most {MAX_WEBHOOKS} webhooks; delete one first.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    webhook = Webhook(project_id=actor.project_id, url=url, events=chosen, secret=secret, enabled=enabled)
    session.add(webhook)
    session.commit()
    return IssuedWebhook(WebhookView.of(webhook), secret)


def list_webhooks(session: Session, *, actor: Actor) -> list[WebhookView]:
    """The project's webhooks, oldest first."""
    authorize(actor, Action.MANAGE_WEBHOOKS)
    query = (
        select(Webhook)
        .where(Webhook.project_id == actor.project_id)
        .order_by(col(Webhook.inserted_at), col(Webhook.id))
    )
    return [WebhookView.of(webhook) for webhook in session.exec(query)]


def get_webhook(session: Session, *, actor: Actor, webhook_id: UUID | str) -> WebhookView:
    return WebhookView.of(_load(session, actor, webhook_id))


def update_webhook(
    session: Session,
    *,
    actor: Actor,
    webhook_id: UUID | str,
    changes: WebhookChanges,
    settings: Settings | None = None,
) -> WebhookView:
    webhook = _load(session, actor, webhook_id)
    settings = settings or get_settings()
    if changes.url is not None:
        webhook.url = receivers.check_url(changes.url.strip(), allow_private=settings.webhook_allow_private)
    if changes.events is not None:
        webhook.events = clean_events(changes.events)
    if changes.enabled is not None:
        if changes.enabled and not webhook.enabled:
            webhook.consecutive_failures = 0
        webhook.enabled = changes.enabled
    webhook.updated_at = utcnow()
    session.add(webhook)
    session.commit()
    return WebhookView.of(webhook)


def delete_webhook(session: Session, *, actor: Actor, webhook_id: UUID | str) -> None:
    """The webhook and its log go; deliveries already queued for it find nothing and stop."""
    session.delete(_load(session, actor, webhook_id))
    session.commit()


def ping_webhook(session: Session, *, actor: Actor, webhook_id: UUID | str) -> UUID:
    """Queue a `ping` to the webhook, sent once whether it is enabled or not; the event's id, which its
    entry in the delivery log will carry."""
    webhook = _load(session, actor, webhook_id)
    project = session.get(Project, actor.project_id)
    assert project is not None
    data = {
        "type": "webhooks",
        "id": str(webhook.id),
        "attributes": {"url": webhook.url, "events": list(webhook.events)},
    }
    message = new_message(PING, project_id=project.id, project_slug=project.slug, data=data)
    jobs.request_webhook_delivery(webhook.id, message)
    return UUID(message.event_id)


def list_deliveries(session: Session, *, actor: Actor, webhook_id: UUID | str) -> list[WebhookDeliveryView]:
    """The webhook's logged attempts, newest first (at most sending.KEPT_DELIVERIES)."""
    webhook = _load(session, actor, webhook_id)
    return _deliveries(session, [webhook.id]).get(webhook.id, [])


def webhooks_overview(session: Session, *, actor: Actor) -> WebhooksOverview:
    """The project's webhooks with their logs; for others, only that they may not see them."""
    try:
        webhooks = list_webhooks(session, actor=actor)
    except Forbidden:
        return WebhooksOverview(allowed=False)
    logs = _deliveries(session, [webhook.id for webhook in webhooks])
    return WebhooksOverview(
        allowed=True, webhooks=[WebhookRow(webhook, logs.get(webhook.id, [])) for webhook in webhooks]
    )


def _load(session: Session, actor: Actor, webhook_id: UUID | str) -> Webhook:
    authorize(actor, Action.MANAGE_WEBHOOKS)
    webhook = session.get(Webhook, parse_id(webhook_id, MISSING_WEBHOOK))
    if webhook is None or webhook.project_id != actor.project_id:
        raise NotFound(MISSING_WEBHOOK)
    return webhook


def _deliveries(session: Session, webhook_ids: list[UUID]) -> dict[UUID, list[WebhookDeliveryView]]:
    """Each webhook's logged attempts, newest first, in one query."""
    if not webhook_ids:
        return {}
    rows = session.exec(
        select(WebhookDelivery)
        .where(col(WebhookDelivery.webhook_id).in_(webhook_ids))
        .order_by(col(WebhookDelivery.sent_at).desc(), col(WebhookDelivery.id).desc())
    )
    found: dict[UUID, list[WebhookDeliveryView]] = {}
    for row in rows:
        found.setdefault(row.webhook_id, []).append(WebhookDeliveryView.of(row))
    return found
