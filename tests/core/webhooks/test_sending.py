"""Deliveries to a real receiver on loopback (NEXUS_WEBHOOK_ALLOW_PRIVATE=true): signed bodies, retries
after growing pauses on errors and timeouts, webhooks disabled after failing deliveries in a row, a log
of the newest 50 attempts, and TLS checked against the URL's host name though the address is pinned."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from sqlmodel import Session, col, select

from nexus_core.media import jobs as job_queue
from nexus_core.models import Webhook, WebhookDelivery
from nexus_core.policies import Actor
from nexus_core.webhooks import sending, service
from nexus_core.webhooks.messages import Message, WebhookEvent, new_message
from tests.core.webhooks.conftest import ALL_EVENTS, Resolver, verified
from tests.queue import QueuedJobs
from tests.receiver import Answer, Receiver, running_receiver, self_signed

pytestmark = pytest.mark.usefixtures("private_allowed")


def add(session: Session, admin: Actor, url: str, events: list[str] = ALL_EVENTS) -> service.IssuedWebhook:
    return service.create_webhook(session, actor=admin, url=url, events=events)


def an_event(admin: Actor) -> Message:
    data = {"type": "media_items", "id": "0190f0f0-0000-7000-8000-000000000001"}
    return new_message(
        WebhookEvent.MEDIA_DELETED, project_id=admin.project_id, project_slug="blog", data=data
    )


def log(session: Session, webhook_id: UUID) -> list[WebhookDelivery]:
    """The webhook's logged attempts, oldest first."""
    session.expire_all()
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    return list(session.exec(query.order_by(col(WebhookDelivery.sent_at), col(WebhookDelivery.id))))


def stored(session: Session, webhook_id: UUID) -> Webhook:
    session.expire_all()
    webhook = session.get(Webhook, webhook_id)
    assert webhook is not None
    return webhook


def deliver_with_every_attempt(jobs: QueuedJobs, message: Message, webhook_id: UUID) -> int:
    """Queue the message for the webhook and run its attempts, each as soon as it is due; how many ran."""
    job_queue.request_webhook_delivery(webhook_id, message)
    ran = jobs.run_all()
    while jobs.scheduled():
        ran += jobs.run_scheduled()
    return ran


def test_a_delivery_is_signed_with_the_secret_and_says_what_it_is(
    session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs
) -> None:
    issued = add(session, admin, receiver.url)
    message = an_event(admin)
    job_queue.request_webhook_delivery(issued.webhook.id, message)
    assert receiver.received == []  # asked for, not sent: the job does that
    assert jobs.run_all() == 1

    (received,) = receiver.received
    document = verified(received, issued.secret)
    assert document["event"] == "media.deleted"
    assert document["data"] == {"type": "media_items", "id": "0190f0f0-0000-7000-8000-000000000001"}
    assert document["project"] == {"id": str(admin.project_id), "slug": "blog"}
    assert datetime.fromisoformat(document["occurred_at"]).tzinfo is not None
    assert received.path == "/hooks/nexus"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-Nexus-Event"] == "media.deleted"
    assert received.headers["X-Nexus-Delivery"] == document["id"] == message.event_id
    assert received.headers["User-Agent"].startswith("NexusMedia-Webhooks/")
    with pytest.raises(AssertionError, match="bad signature"):
        verified(received, "whsec_another")

    (logged,) = log(session, issued.webhook.id)
    assert (logged.event, logged.attempt, logged.status_code, logged.error) == ("media.deleted", 1, 204, None)
    assert str(logged.event_id) == message.event_id
    assert logged.duration_ms >= 0
    assert jobs.scheduled() == []


def test_a_failing_receiver_is_tried_again_after_growing_pauses(
    session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs
) -> None:
    issued = add(session, admin, receiver.url)
    receiver.answer(500, 503, 200)
    job_queue.request_webhook_delivery(issued.webhook.id, an_event(admin))

    jobs.run_all()
    for attempt, pause in ((2, 15), (3, 60)):
        (retry,) = jobs.scheduled()
        assert retry.args[-1] == attempt
        waits = (retry.eta - datetime.now(UTC).replace(tzinfo=None)).total_seconds()
        assert pause - 5 < waits <= pause, (attempt, waits)
        assert jobs.run_scheduled() == 1
    assert jobs.scheduled() == []

    bodies = {request.body for request in receiver.received}
    assert len(receiver.received) == 3 and len(bodies) == 1  # the same document, signed the same
    assert len({request.headers["X-Nexus-Delivery"] for request in receiver.received}) == 1
    for request in receiver.received:
        verified(request, issued.secret)
    attempts = [(entry.attempt, entry.status_code, entry.error) for entry in log(session, issued.webhook.id)]
    assert attempts == [
        (1, 500, "The receiver answered 500 Internal Server Error."),
        (2, 503, "The receiver answered 503 Service Unavailable."),
        (3, 200, None),
    ]
    assert stored(session, issued.webhook.id).consecutive_failures == 0


def test_a_receiver_that_does_not_answer_in_time_is_tried_again(
    session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "TIMEOUT_SECONDS", 0.5)
    issued = add(session, admin, receiver.url)
    receiver.answer(Answer(204, delay=3))
    job_queue.request_webhook_delivery(issued.webhook.id, an_event(admin))

    started = time.monotonic()
    jobs.run_all()
    assert time.monotonic() - started < 2.5  # given up after the timeout, not when the receiver answered
    assert len(jobs.scheduled()) == 1
    jobs.run_scheduled()

    first, second = log(session, issued.webhook.id)
    assert (first.attempt, first.status_code, first.error) == (1, None, "No answer within 0.5 s.")
    assert 400 <= first.duration_ms < 2500
    assert (second.attempt, second.status_code, second.error) == (2, 204, None)
    assert len(receiver.received) == 2


def test_an_unreachable_receiver_is_tried_again(session: Session, admin: Actor, jobs: QueuedJobs) -> None:
    with running_receiver() as gone:
        url = gone.url
    issued = add(session, admin, url)
    job_queue.request_webhook_delivery(issued.webhook.id, an_event(admin))
    jobs.run_all()
    (logged,) = log(session, issued.webhook.id)
    assert logged.status_code is None
    assert logged.error is not None and logged.error.startswith("Could not connect to 127.0.0.1")
    assert len(jobs.scheduled()) == 1


def test_a_webhook_is_disabled_after_five_deliveries_in_a_row_fail(
    session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs
) -> None:
    receiver.otherwise = Answer(500)
    issued = add(session, admin, receiver.url)
    webhook_id = issued.webhook.id
    for failed in range(1, sending.DISABLE_AFTER + 1):
        assert stored(session, webhook_id).enabled
        assert deliver_with_every_attempt(jobs, an_event(admin), webhook_id) == sending.ATTEMPTS
        assert stored(session, webhook_id).consecutive_failures == failed
    assert not stored(session, webhook_id).enabled
    assert len(receiver.received) == sending.DISABLE_AFTER * sending.ATTEMPTS

    # Disabled: an event already queued stops without a word; no new ones are queued; a ping still goes.
    job_queue.request_webhook_delivery(webhook_id, an_event(admin))
    jobs.run_all()
    assert len(receiver.received) == sending.DISABLE_AFTER * sending.ATTEMPTS
    service.ping_webhook(session, actor=admin, webhook_id=webhook_id)
    jobs.run_all()
    assert receiver.received[-1].headers["X-Nexus-Event"] == "ping"
    assert jobs.scheduled() == []  # a ping is sent once
    assert stored(session, webhook_id).consecutive_failures == sending.DISABLE_AFTER

    enabled = service.update_webhook(
        session, actor=admin, webhook_id=webhook_id, changes=service.WebhookChanges(enabled=True)
    )
    assert (enabled.enabled, enabled.consecutive_failures) == (True, 0)


def test_a_delivery_that_succeeds_starts_the_count_again(
    session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs
) -> None:
    issued = add(session, admin, receiver.url)
    receiver.answer(*[500] * (sending.ATTEMPTS * (sending.DISABLE_AFTER - 1)))
    for _ in range(sending.DISABLE_AFTER - 1):
        deliver_with_every_attempt(jobs, an_event(admin), issued.webhook.id)
    assert stored(session, issued.webhook.id).consecutive_failures == sending.DISABLE_AFTER - 1
    deliver_with_every_attempt(jobs, an_event(admin), issued.webhook.id)
    webhook = stored(session, issued.webhook.id)
    assert (webhook.enabled, webhook.consecutive_failures) == (True, 0)


def test_the_log_keeps_the_newest_fifty_attempts(
    session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs
) -> None:
    issued = add(session, admin, receiver.url)
    other = add(session, admin, receiver.url)
    service.ping_webhook(session, actor=admin, webhook_id=other.webhook.id)
    pings = [service.ping_webhook(session, actor=admin, webhook_id=issued.webhook.id) for _ in range(55)]
    jobs.run_all()
    assert len(receiver.received) == 56

    kept = service.list_deliveries(session, actor=admin, webhook_id=issued.webhook.id)
    assert len(kept) == sending.KEPT_DELIVERIES == 50
    assert [entry.event_id for entry in kept] == pings[:4:-1]  # newest first; the first five are gone
    assert len(service.list_deliveries(session, actor=admin, webhook_id=other.webhook.id)) == 1


def test_a_deleted_webhook_gets_nothing_more(
    session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs
) -> None:
    issued = add(session, admin, receiver.url)
    job_queue.request_webhook_delivery(issued.webhook.id, an_event(admin))
    service.delete_webhook(session, actor=admin, webhook_id=issued.webhook.id)
    jobs.run_all()
    assert receiver.received == []


def test_the_connection_goes_to_the_checked_address_with_the_urls_host_name(
    session: Session, admin: Actor, receiver: Receiver, resolver: Resolver, jobs: QueuedJobs
) -> None:
    resolver({"hooks.example.test": "127.0.0.1"})
    issued = add(session, admin, f"http://hooks.example.test:{receiver.port}/hooks/nexus?site=blog")
    service.ping_webhook(session, actor=admin, webhook_id=issued.webhook.id)
    jobs.run_all()
    (received,) = receiver.received
    assert received.headers["Host"] == f"hooks.example.test:{receiver.port}"
    assert received.path == "/hooks/nexus?site=blog"
    assert verified(received, issued.secret)["event"] == "ping"


def test_tls_is_checked_against_the_urls_host_name(
    session: Session,
    admin: Actor,
    resolver: Resolver,
    jobs: QueuedJobs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The request goes to the address checked, and the certificate must still be the host name's."""
    certificate = self_signed("hooks.example.test", tmp_path)
    monkeypatch.setattr(sending, "TLS_VERIFY", certificate.trusted_by())
    resolver({"hooks.example.test": "127.0.0.1", "impostor.example.test": "127.0.0.1"})
    with running_receiver(tls=certificate) as receiver:
        right = add(session, admin, f"https://hooks.example.test:{receiver.port}/hooks/nexus")
        wrong = add(session, admin, f"https://impostor.example.test:{receiver.port}/hooks/nexus")
        for webhook in (right, wrong):
            service.ping_webhook(session, actor=admin, webhook_id=webhook.webhook.id)
        jobs.run_all()
        (received,) = receiver.received
    assert verified(received, right.secret)["event"] == "ping"
    assert [entry.status_code for entry in log(session, right.webhook.id)] == [204]
    (refused,) = log(session, wrong.webhook.id)
    assert refused.status_code is None
    assert refused.error is not None and "impostor.example.test" in refused.error
