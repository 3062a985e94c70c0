"""What a webhook receives: the events, the JSON document of one event, and its signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from nexus_core.models.base import new_id, utcnow

SIGNATURE_HEADER = "X-Nexus-Signature"


class WebhookEvent(StrEnum):
    """The events a webhook may subscribe to."""

    MEDIA_CREATED = "media.created"
    MEDIA_READY = "media.ready"
    MEDIA_UPDATED = "media.updated"
    MEDIA_DELETED = "media.deleted"
    PAGE_PUBLISHED = "page.published"


PING = "ping"
"""The test event an admin sends by hand; no webhook subscribes to it, every webhook can receive it."""


@dataclass(frozen=True)
class Message:
    """One event as sent: `body` is the exact JSON text that is signed, the same on every attempt."""

    event_id: str
    event: str
    body: str


def new_message(event: str, *, project_id: UUID, project_slug: str, data: Any) -> Message:
    """The document of an event that happens now: `{id, event, occurred_at, project: {id, slug}, data}`."""
    event_id = str(new_id())
    document = {
        "id": event_id,
        "event": event,
        "occurred_at": utcnow().isoformat(),
        "project": {"id": str(project_id), "slug": project_slug},
        "data": data,
    }
    return Message(event_id, event, json.dumps(document, separators=(",", ":"), ensure_ascii=False))


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body with the secret>`, the value of X-Nexus-Signature."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
