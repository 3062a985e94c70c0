"""/api/v1/webhooks over HTTP: JSON:API documents (errors too), admins only, the secret shown once, the
ping and the delivery log, refusals that say why."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.core.api.helpers import JSONAPI, Team, checked
from tests.core.webhooks.conftest import verified
from tests.receiver import Receiver

WEBHOOKS = "/api/v1/webhooks"
MISSING_ID = "0190f0f0-0000-7000-8000-000000000000"


def webhook(id: str | None = None, **attributes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "webhooks", "attributes": attributes}
    if id is not None:
        data["id"] = id
    return {"data": data}


def send(client: TestClient, team: Team, method: str, path: str, document: Any = None, who: str = "admin"):
    headers = {**team.headers(who), "Content-Type": JSONAPI}
    return client.request(method, path, json=document, headers=headers)


@pytest.mark.usefixtures("private_allowed")
def test_add_list_read_change_ping_and_delete(client: TestClient, team: Team, receiver: Receiver) -> None:
    created = send(
        client, team, "POST", WEBHOOKS, webhook(url=receiver.url, events=["media.ready", "media.created"])
    )
    document = checked(created, 201)
    resource, secret = document["data"], document["meta"]["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert created.headers["Location"] == resource["links"]["self"]
    assert resource["attributes"] | {"inserted_at": None, "updated_at": None} == {
        "url": receiver.url,
        "events": ["media.created", "media.ready"],
        "enabled": True,
        "consecutive_failures": 0,
        "inserted_at": None,
        "updated_at": None,
    }
    self_url = f"{WEBHOOKS}/{resource['id']}"
    assert resource["relationships"]["deliveries"]["links"]["related"].endswith(f"{self_url}/deliveries")

    listed = checked(client.get(WEBHOOKS, headers=team.headers("admin")), 200)
    assert [found["id"] for found in listed["data"]] == [resource["id"]]
    assert listed["meta"] == {"total": 1}
    read = checked(client.get(self_url, headers=team.headers("admin")), 200)
    assert read["data"] == resource
    assert secret not in created.text.replace(secret, "", 1) + str(listed) + str(read)  # shown once

    changed = checked(
        send(
            client, team, "PATCH", self_url, webhook(resource["id"], events=["page.published"], enabled=False)
        ),
        200,
    )
    assert (changed["data"]["attributes"]["events"], changed["data"]["attributes"]["enabled"]) == (
        ["page.published"],
        False,
    )

    pinged = checked(client.post(f"{self_url}/ping", headers=team.headers("admin")), 202)
    assert pinged["meta"]["event"] == "ping"
    (received,) = receiver.wait_for(1)  # the tests' queue runs jobs at once
    assert verified(received, secret)["id"] == pinged["meta"]["event_id"]
    log = checked(client.get(f"{self_url}/deliveries", headers=team.headers("admin")), 200)
    (entry,) = log["data"]
    assert entry["type"] == "webhook_deliveries"
    assert entry["attributes"] | {"sent_at": None, "duration_ms": None, "event_id": None} == {
        "event": "ping",
        "event_id": None,
        "attempt": 1,
        "sent_at": None,
        "status_code": 204,
        "duration_ms": None,
        "error": None,
        "succeeded": True,
    }
    assert entry["attributes"]["event_id"] == pinged["meta"]["event_id"]

    checked(client.delete(self_url, headers=team.headers("admin")), 204)
    for method, path in (("GET", self_url), ("DELETE", self_url), ("POST", f"{self_url}/ping")):
        checked(client.request(method, path, headers=team.headers("admin")), 404)


@pytest.mark.usefixtures("private_allowed")
@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_only_admins_see_or_touch_webhooks(
    client: TestClient, team: Team, receiver: Receiver, who: str
) -> None:
    made = checked(
        send(client, team, "POST", WEBHOOKS, webhook(url=receiver.url, events=["media.created"])), 201
    )
    url = f"{WEBHOOKS}/{made['data']['id']}"
    for method, path, document in (
        ("GET", WEBHOOKS, None),
        ("POST", WEBHOOKS, webhook(url=receiver.url, events=["media.created"])),
        ("GET", url, None),
        ("PATCH", url, webhook(enabled=False)),
        ("DELETE", url, None),
        ("POST", f"{url}/ping", None),
        ("GET", f"{url}/deliveries", None),
    ):
        answer = checked(send(client, team, method, path, document, who=who), 403)
        assert "cannot manage webhooks" in answer["errors"][0]["detail"], (method, path)
    assert receiver.received == []


@pytest.mark.parametrize("who", ["no key", "garbage key", "revoked key"])
def test_without_a_working_key_it_is_401(client: TestClient, team: Team, who: str) -> None:
    checked(client.get(WEBHOOKS, headers=team.headers(who)), 401)


@pytest.mark.usefixtures("private_allowed")
def test_another_projects_webhook_is_not_found(client: TestClient, team: Team, receiver: Receiver) -> None:
    made = checked(
        send(client, team, "POST", WEBHOOKS, webhook(url=receiver.url, events=["media.created"])), 201
    )
    url = f"{WEBHOOKS}/{made['data']['id']}"
    for method, path in (
        ("GET", url),
        ("DELETE", url),
        ("POST", f"{url}/ping"),
        ("GET", f"{url}/deliveries"),
    ):
        answer = checked(client.request(method, path, headers=team.headers("non-member")), 404)
        assert answer["errors"][0]["detail"] == "No such webhook in this project."
    assert checked(client.get(WEBHOOKS, headers=team.headers("non-member")), 200)["data"] == []
    for path in (f"{WEBHOOKS}/{MISSING_ID}", f"{WEBHOOKS}/not-an-id"):
        checked(client.get(path, headers=team.headers("admin")), 404)


@pytest.mark.parametrize(
    "query",
    ["page[limit]=10", "filter[url]=x", "sort=url", "include=deliveries"],
)
def test_unknown_query_parameters_are_400(client: TestClient, team: Team, query: str) -> None:
    answer = checked(client.get(f"{WEBHOOKS}?{query}", headers=team.headers("admin")), 400)
    assert answer["errors"][0]["source"]["parameter"] == query.split("=")[0]
    checked(client.get(f"{WEBHOOKS}/{MISSING_ID}/deliveries?{query}", headers=team.headers("admin")), 400)


@pytest.mark.parametrize(
    ("document", "status", "words"),
    [
        (webhook(url="http://127.0.0.1:9/hook", events=["media.created"]), 422, "127.0.0.1 is a loopback"),
        (webhook(url="http://169.254.169.254/", events=["media.created"]), 422, "link-local"),
        (webhook(url="http://localhost/hook", events=["media.created"]), 422, "resolves to 127.0.0.1"),
        (webhook(url="ftp://example.com/hook", events=["media.created"]), 422, "http:// or https://"),
        (
            webhook(url="https://hooks.example.invalid/hook", events=["media.moved"]),
            422,
            "Unknown events: media.moved",
        ),
        (webhook(url="https://hooks.example.invalid/hook", events=[]), 422, "at least one event"),
        (
            webhook(url="https://hooks.example.invalid/hook", events="media.created"),
            422,
            "list of event names",
        ),
        (
            webhook(url="https://hooks.example.invalid/hook"),
            422,
            "needs “attributes.url” and “attributes.events”",
        ),
        (webhook(url=42, events=["media.created"]), 422, "“url” must be text"),
        (
            webhook(url="https://hooks.example.invalid/", events=["media.created"], enabled="yes"),
            422,
            "true or false",
        ),
        (
            webhook(url="https://hooks.example.invalid/", events=["media.created"], secret="mine"),
            422,
            "Unknown attributes",
        ),
        ({"data": {"type": "folders", "attributes": {"name": "x"}}}, 409, "“webhooks”"),
        ({"data": []}, 422, "“data” object"),
    ],
)
def test_refusals_say_why(
    client: TestClient, team: Team, document: dict[str, Any], status: int, words: str
) -> None:
    answer = checked(send(client, team, "POST", WEBHOOKS, document), status)
    assert words in answer["errors"][0]["detail"]


def test_a_project_has_at_most_twenty_webhooks(client: TestClient, team: Team) -> None:
    for number in range(20):
        checked(
            send(
                client,
                team,
                "POST",
                WEBHOOKS,
                webhook(url=f"https://hooks.example.invalid/{number}", events=["media.created"]),
            ),
            201,
        )
    answer = checked(
        send(
            client,
            team,
            "POST",
            WEBHOOKS,
            webhook(url="https://hooks.example.invalid/x", events=["media.created"]),
        ),
        409,
    )
    assert "at most 20 webhooks" in answer["errors"][0]["detail"]
