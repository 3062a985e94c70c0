"""Sending one event to one webhook: one attempt, its record in the delivery log, and what follows it
(another attempt after a pause that grows fourfold each time, or, after the last, one more failure in a
row, which disables the webhook at DISABLE_AFTER)."""

from __future__ import annotations

import logging
import ssl
import time
from dataclasses import dataclass
from importlib.metadata import version
from uuid import UUID

import httpx
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from nexus_core.config import Settings, get_settings
from nexus_core.errors import InvalidInput
from nexus_core.ids import parse_id
from nexus_core.models import Webhook, WebhookDelivery
from nexus_core.models.base import utcnow
from nexus_core.webhooks import receivers
from nexus_core.webhooks.messages import PING, SIGNATURE_HEADER, Message, signature

logger = logging.getLogger(__name__)

ATTEMPTS = 5
RETRY_DELAYS = (15, 60, 240, 960)
"""Seconds before attempts 2 to 5 (about 21 minutes from the first to the last)."""
DISABLE_AFTER = 5
"""Deliveries in a row that fail every attempt before the webhook is disabled."""
TIMEOUT_SECONDS = 10.0
"""For connecting, sending and receiving the answer's headers, each."""
KEPT_DELIVERIES = 50
TLS_VERIFY: ssl.SSLContext | bool = True
"""How receivers' certificates are verified (the tests trust their own authority here)."""
USER_AGENT = f"NexusMedia-Webhooks/{version('nexus-media')}"


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to: the receiver's status (None when no answer came) or why it failed."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.error is None


def deliver(
    session: Session,
    *,
    webhook_id: UUID | str,
    message: Message,
    attempt: int,
    settings: Settings | None = None,
) -> float | None:
    """Make attempt number `attempt` (from 1) at delivering `message` and record it; the seconds after
    which to make the next, or None when there is none to make. Nothing is sent to a webhook deleted
    meanwhile, nor to one disabled meanwhile (except a ping, which is sent once whatever the state and
    counts toward nothing)."""
    settings = settings or get_settings()
    webhook = session.get(Webhook, parse_id(webhook_id, "No such webhook."))
    ping = message.event == PING
    if webhook is None or not (webhook.enabled or ping):
        return None
    hook_id, url, secret = webhook.id, webhook.url, webhook.secret
    session.rollback()  # no transaction stays open while the receiver takes its time
    result = send(url, secret, message, allow_private=settings.webhook_allow_private)
    try:
        record(session, webhook_id=hook_id, message=message, attempt=attempt, result=result)
    except IntegrityError:  # the webhook was deleted while the receiver answered
        session.rollback()
        return None
    if ping:
        return None
    if result.succeeded:
        _reset_failures(session, hook_id)
        return None
    if attempt < ATTEMPTS:
        return float(RETRY_DELAYS[attempt - 1])
    _count_failed_delivery(session, hook_id, url)
    return None


def send(url: str, secret: str, message: Message, *, allow_private: bool) -> Attempt:
    """POST the message's body, signed, to the URL: to an address its host resolves to now, after
    checking it (receivers.py), with the URL's host name as Host and for TLS."""
    started = time.monotonic()

    def outcome(error: str | None, status_code: int | None = None) -> Attempt:
        return Attempt(
            status_code, error[:1000] if error else None, round((time.monotonic() - started) * 1000)
        )

    try:
        receiver = receivers.parse_receiver(url)
        addresses = receivers.resolve(receiver)
        if not allow_private:
            receivers.refuse_private(receiver, addresses)
    except (receivers.UnresolvedHost, InvalidInput) as error:
        return outcome(str(error))
    body = message.body.encode()
    headers = {
        "Host": receiver.url.netloc.decode("ascii"),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Nexus-Event": message.event,
        "X-Nexus-Delivery": message.event_id,
        SIGNATURE_HEADER: signature(secret, body),
    }
    extensions = {"sni_hostname": receiver.host} if receiver.url.scheme == "https" else {}
    last_error = "No address to connect to."
    with httpx.Client(trust_env=False, verify=TLS_VERIFY, timeout=TIMEOUT_SECONDS) as client:
        for address in addresses:  # the next one only when this one refuses the connection
            request = client.build_request(
                "POST", receiver.at(address), content=body, headers=headers, extensions=extensions
            )
            try:
                response = client.send(request, stream=True)  # the answer's body is never read
            except httpx.ConnectError as error:
                last_error = f"Could not connect to {receiver.host} ({address}): {error or 'refused'}."
                continue
            except httpx.TimeoutException:
                return outcome(f"No answer within {TIMEOUT_SECONDS:g} s.")
            except httpx.HTTPError as error:
                return outcome(f"The exchange with {receiver.host} failed: {error or type(error).__name__}.")
            response.close()
            reason = f"{response.status_code} {response.reason_phrase}".strip()
            return outcome(
                None if response.is_success else f"The receiver answered {reason}.", response.status_code
            )
    return outcome(last_error)


def record(session: Session, *, webhook_id: UUID, message: Message, attempt: int, result: Attempt) -> None:
    """Log the attempt, and keep only the webhook's newest KEPT_DELIVERIES."""
    session.add(
        WebhookDelivery(
            webhook_id=webhook_id,
            event_id=UUID(message.event_id),
            event=message.event,
            attempt=attempt,
            sent_at=utcnow(),
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            error=result.error,
        )
    )
    session.flush()
    newest = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.webhook_id == webhook_id)
        .order_by(col(WebhookDelivery.sent_at).desc(), col(WebhookDelivery.id).desc())
        .limit(KEPT_DELIVERIES)
    )
    session.exec(
        delete(WebhookDelivery).where(
            col(WebhookDelivery.webhook_id) == webhook_id, col(WebhookDelivery.id).not_in(newest)
        )
    )
    session.commit()


def _reset_failures(session: Session, webhook_id: UUID) -> None:
    failures = col(Webhook.consecutive_failures)
    session.exec(
        update(Webhook).where(col(Webhook.id) == webhook_id, failures > 0).values(consecutive_failures=0)
    )
    session.commit()


def _count_failed_delivery(session: Session, webhook_id: UUID, url: str) -> None:
    """One more delivery failed every attempt; at DISABLE_AFTER in a row the webhook is disabled. Done in
    the database, so two workers counting at once both count."""
    failures = col(Webhook.consecutive_failures)
    session.exec(
        update(Webhook).where(col(Webhook.id) == webhook_id).values(consecutive_failures=failures + 1)
    )
    disabled = session.exec(
        update(Webhook)
        .where(col(Webhook.id) == webhook_id, col(Webhook.enabled), failures >= DISABLE_AFTER)
        .values(enabled=False)
    )
    session.commit()
    if disabled.rowcount:
        logger.warning(
            "Webhook %s (%s) disabled after %d failed deliveries in a row", webhook_id, url, DISABLE_AFTER
        )
