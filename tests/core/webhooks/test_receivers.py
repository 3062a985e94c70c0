"""Webhooks cannot be turned against internal services: only http(s) URLs, and receivers on loopback,
private, link-local, multicast or reserved addresses are refused when saved (422) and again at each
delivery, after the name is resolved, unless NEXUS_WEBHOOK_ALLOW_PRIVATE=true."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from nexus_core.config import get_settings
from nexus_core.errors import InvalidInput
from nexus_core.models import WebhookDelivery
from nexus_core.policies import Actor
from nexus_core.webhooks import service
from nexus_core.webhooks.receivers import RefusedAddress
from tests.core.webhooks.conftest import ALL_EVENTS, Resolver
from tests.queue import QueuedJobs
from tests.receiver import Receiver

REFUSED_ADDRESSES = [
    ("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback address"),
    ("http://127.1.2.3/hook", "127.1.2.3 is a loopback address"),
    ("http://[::1]:8080/hook", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1 is a loopback address"),
    ("http://[2002:7f00:1::]/hook", "2002:7f00:1:: is a loopback address"),
    ("http://[2002:a00:5::]/hook", "2002:a00:5:: is a private address"),
    ("http://10.0.0.5/hook", "10.0.0.5 is a private address"),
    ("https://172.16.1.1/hook", "172.16.1.1 is a private address"),
    ("http://192.168.1.10/hook", "192.168.1.10 is a private address"),
    ("http://[fd00::1]/hook", "fd00::1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[fe80::1]/hook", "fe80::1 is a link-local address"),
    ("http://224.0.0.251/hook", "224.0.0.251 is a multicast address"),
    ("http://0.0.0.0:8080/hook", "0.0.0.0 is an unspecified address"),
    ("http://240.0.0.1/hook", "240.0.0.1 is a reserved address"),
    ("http://100.64.0.1/hook", "100.64.0.1 is a non-public address"),
    ("http://localhost:8080/hook", "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://2130706433/hook", "2130706433 resolves to 127.0.0.1, a loopback address"),
    ("http://internal.example.test/hook", "internal.example.test resolves to 127.0.0.1, a loopback address"),
    ("http://metadata.example.test/", "metadata.example.test resolves to 169.254.169.254, a link-local"),
]

REFUSED_FORMS = [
    ("ftp://files.example.com/hook", "must start with http:// or https://"),
    ("file:///etc/passwd", "must start with http:// or https://"),
    ("gopher://example.com:70/_hello", "must start with http:// or https://"),
    ("javascript:alert(1)", "must start with http:// or https://"),
    ("data:text/plain,hello", "must start with http:// or https://"),
    ("hooks.example.com/nexus", "must start with http:// or https://"),
    ("https://user:secret@hooks.example.com/", "cannot carry a user name or password"),
    ("https:///nexus", "has no valid host name"),
    ("https://exa mple.com/", "cannot contain spaces"),
    ("https://hooks.example.com/" + "x" * 2000, "at most 2000 characters"),
]


@pytest.fixture(autouse=True)
def made_up_names(resolver: Resolver) -> None:
    resolver({"internal.example.test": "127.0.0.1", "metadata.example.test": "169.254.169.254"})
    resolver({"hooks.example.test": "93.184.216.34"})


@pytest.mark.parametrize(("url", "why"), REFUSED_ADDRESSES, ids=[url for url, _ in REFUSED_ADDRESSES])
def test_receivers_on_non_public_addresses_are_refused(
    session: Session, admin: Actor, url: str, why: str
) -> None:
    with pytest.raises(RefusedAddress, match="NEXUS_WEBHOOK_ALLOW_PRIVATE=true") as refused:
        service.create_webhook(session, actor=admin, url=url, events=ALL_EVENTS)
    assert why in str(refused.value)
    assert refused.value.status_code == 422
    assert service.list_webhooks(session, actor=admin) == []


@pytest.mark.parametrize(("url", "why"), REFUSED_FORMS, ids=[url[:40] for url, _ in REFUSED_FORMS])
def test_only_plain_http_and_https_urls_are_taken(session: Session, admin: Actor, url: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        service.create_webhook(session, actor=admin, url=url, events=ALL_EVENTS)


@pytest.mark.usefixtures("private_allowed")
@pytest.mark.parametrize("url", ["ftp://files.example.com/hook", "https://user:secret@example.com/"])
def test_the_setting_allows_addresses_not_other_schemes(session: Session, admin: Actor, url: str) -> None:
    with pytest.raises(InvalidInput):
        service.create_webhook(session, actor=admin, url=url, events=ALL_EVENTS)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.test/nexus",  # resolves to a public address
        "https://93.184.216.34:8443/nexus?site=blog",
        "https://nowhere.invalid/nexus",  # resolves to nothing yet: each delivery looks again
        "https://bücher.example/nexus",
    ],
)
def test_public_receivers_are_taken(session: Session, admin: Actor, url: str) -> None:
    issued = service.create_webhook(session, actor=admin, url=url, events=ALL_EVENTS)
    assert issued.webhook.url == url


@pytest.mark.usefixtures("private_allowed")
@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://10.0.0.5/"])
def test_the_setting_lets_webhooks_reach_private_addresses(session: Session, admin: Actor, url: str) -> None:
    assert service.create_webhook(session, actor=admin, url=url, events=ALL_EVENTS).webhook.url == url


def test_a_change_of_url_is_checked_too(session: Session, admin: Actor) -> None:
    issued = service.create_webhook(
        session, actor=admin, url="https://hooks.example.test/", events=ALL_EVENTS
    )
    changes = service.WebhookChanges(url="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(RefusedAddress, match="link-local"):
        service.update_webhook(session, actor=admin, webhook_id=issued.webhook.id, changes=changes)
    assert service.get_webhook(session, actor=admin, webhook_id=issued.webhook.id).url == issued.webhook.url


def deliveries(session: Session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.exec(select(WebhookDelivery)))


def test_a_name_that_resolves_privately_by_delivery_time_is_refused_then(
    session: Session, admin: Actor, receiver: Receiver, resolver: Resolver, jobs: QueuedJobs
) -> None:
    """DNS rebinding: public when saved, 127.0.0.1 when the event goes out. Nothing reaches loopback."""
    url = f"http://rebinding.example.test:{receiver.port}/hooks/nexus"
    resolver({"rebinding.example.test": "93.184.216.34"})
    issued = service.create_webhook(session, actor=admin, url=url, events=ALL_EVENTS)
    resolver({"rebinding.example.test": "127.0.0.1"})

    service.ping_webhook(session, actor=admin, webhook_id=issued.webhook.id)
    jobs.run_all()
    (logged,) = deliveries(session)
    assert (logged.status_code, logged.attempt) == (None, 1)
    assert logged.error is not None
    assert "rebinding.example.test resolves to 127.0.0.1, a loopback address" in logged.error
    assert receiver.received == []


def test_a_webhook_saved_while_private_addresses_were_allowed_is_refused_once_they_are_not(
    session: Session,
    admin: Actor,
    receiver: Receiver,
    settings_env: pytest.MonkeyPatch,
    jobs: QueuedJobs,
) -> None:
    settings_env.setenv("NEXUS_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    issued = service.create_webhook(session, actor=admin, url=receiver.url, events=ALL_EVENTS)
    settings_env.setenv("NEXUS_WEBHOOK_ALLOW_PRIVATE", "false")
    get_settings.cache_clear()

    service.ping_webhook(session, actor=admin, webhook_id=issued.webhook.id)
    jobs.run_all()
    (logged,) = deliveries(session)
    assert logged.error is not None and "127.0.0.1 is a loopback address" in logged.error
    assert receiver.received == []
