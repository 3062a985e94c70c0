"""/api/v1/folders and /api/v1/tags over HTTP: documents, errors and roles."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from nexus_core.media import tags
from nexus_core.policies import Actor
from tests.core.api.helpers import JSONAPI, Team, checked, upload
from tests.factories import admin_of


def folder(name: str | None = None, parent: str | bool | None = False, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "folders", **extra}
    if name is not None:
        data["attributes"] = {"name": name}
    if parent is not False:
        data["relationships"] = {"parent": {"data": {"type": "folders", "id": parent} if parent else None}}
    return {"data": data}


def send(client: TestClient, team: Team, method: str, path: str, document: Any, who: str = "editor"):
    return client.request(
        method, f"/api/v1{path}", json=document, headers={**team.headers(who), "Content-Type": JSONAPI}
    )


def test_create_nest_list_rename_move_and_delete(client: TestClient, team: Team) -> None:
    trips = checked(send(client, team, "POST", "/folders", folder("Trips")), 201)["data"]
    assert trips["attributes"] == {"name": "Trips", "depth": 1}
    assert trips["relationships"]["parent"]["data"] is None
    spring = checked(send(client, team, "POST", "/folders", folder("Spring", trips["id"])), 201)["data"]
    assert spring["relationships"]["parent"]["data"] == {"type": "folders", "id": trips["id"]}
    assert spring["attributes"]["depth"] == 2

    root = checked(client.get("/api/v1/folders", headers=team.headers("viewer")), 200)
    assert [f["attributes"]["name"] for f in root["data"]] == ["Trips"]
    inside = checked(
        client.get(f"/api/v1/folders?filter[parent]={trips['id']}", headers=team.headers("viewer")), 200
    )
    assert [f["id"] for f in inside["data"]] == [spring["id"]]

    renamed = checked(
        send(client, team, "PATCH", f"/folders/{spring['id']}", folder("Spring 2026", id=spring["id"])), 200
    )
    assert renamed["data"]["attributes"]["name"] == "Spring 2026"
    moved = checked(send(client, team, "PATCH", f"/folders/{spring['id']}", folder(parent=None)), 200)
    assert (moved["data"]["attributes"]["depth"], moved["data"]["relationships"]["parent"]["data"]) == (
        1,
        None,
    )

    checked(client.delete(f"/api/v1/folders/{spring['id']}", headers=team.headers("editor")), 204)
    checked(client.delete(f"/api/v1/folders/{spring['id']}", headers=team.headers("editor")), 404)


def test_refusals_say_why(client: TestClient, team: Team) -> None:
    trips = checked(send(client, team, "POST", "/folders", folder("Trips")), 201)["data"]
    inner = checked(send(client, team, "POST", "/folders", folder("Inner", trips["id"])), 201)["data"]
    cases = [
        ("POST", "/folders", folder("trips"), 409, "already there"),
        ("POST", "/folders", folder(""), 422, "needs a name"),
        ("POST", "/folders", folder(), 422, "attributes.name"),
        ("POST", "/folders", folder("X", "01a2b3c4-0000-7000-8000-000000000000"), 404, "No such folder"),
        ("POST", "/folders", {"data": {"type": "media_items", "attributes": {"name": "X"}}}, 409, "type"),
        (
            "POST",
            "/folders",
            {"data": {"type": "folders", "attributes": {"name": "X", "colour": "red"}}},
            422,
            "Unknown attributes",
        ),
        ("PATCH", f"/folders/{trips['id']}", folder(parent=inner["id"]), 422, "cannot move into itself"),
        ("PATCH", f"/folders/{trips['id']}", folder(id=inner["id"]), 409, "does not match"),
        ("DELETE", f"/folders/{trips['id']}", None, 409, "holds 1 folder"),
    ]
    outsider = client.delete(f"/api/v1/folders/{trips['id']}", headers=team.headers("non-member"))
    assert checked(outsider, 404)["errors"][0]["detail"] == "No such folder in this project."
    for method, path, document, status, words in cases:
        answer = checked(send(client, team, method, path, document), status)
        if words:
            assert words in answer["errors"][0]["detail"], (path, answer)


def test_unknown_filters_and_bad_ids_are_400(client: TestClient, team: Team) -> None:
    for query in ("filter[parent]=nope", "filter[name]=x", "sort=name"):
        checked(client.get(f"/api/v1/folders?{query}", headers=team.headers("viewer")), 400)


@pytest.mark.parametrize("who", ["viewer", "no key", "garbage key", "revoked key"])
def test_who_may_not_create(client: TestClient, team: Team, who: str) -> None:
    answer = send(client, team, "POST", "/folders", folder("Mine"), who=who)
    assert answer.status_code == (403 if who == "viewer" else 401)
    checked(answer, answer.status_code)


def test_tags_with_their_counts(client: TestClient, team: Team, session: Session) -> None:
    first = checked(upload(client, team), 201)["data"]["id"]
    second = checked(upload(client, team, name="b.jpg"), 201)["data"]["id"]
    admin: Actor = admin_of(session, team.project)
    tags.set_tags(session, actor=admin, item_id=first, tags=["Harbour", "boats"])
    tags.set_tags(session, actor=admin, item_id=second, tags=["harbour"])
    listed = checked(client.get("/api/v1/tags", headers=team.headers("viewer")), 200)
    assert [(t["attributes"]["name"], t["attributes"]["count"]) for t in listed["data"]] == [
        ("boats", 1),
        ("Harbour", 2),
    ]
    assert listed["meta"] == {"total": 2}
