"""POST /api/v1/operations: JSON:API atomic operations on media items, all or nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

from nexus_core.models import MediaItem
from tests import images
from tests.conftest import StoredFiles
from tests.core.api.helpers import JSONAPI, Team, checked, upload
from tests.factories import admin_of, page_using
from tests.jsonapi import assert_valid_document

ATOMIC = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"'
MISSING_ID = "0190f0f0-0000-7000-8000-000000000000"


def send(client: TestClient, team: Team, operations: Any, who: str = "admin", content_type: str = ATOMIC):
    return client.post(
        "/api/v1/operations",
        json={"atomic:operations": operations},
        headers={**team.headers(who), "Content-Type": content_type},
    )


def results(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == ATOMIC
    body = response.json()
    assert_valid_document(body)
    return body["atomic:results"]


def new_item(client: TestClient, team: Team, width: int) -> str:
    return checked(upload(client, team, data=images.png(width, 20), name=f"{width}.png"), 201)["data"]["id"]


def update(item_id: str, **attributes: Any) -> dict[str, Any]:
    return {"op": "update", "data": {"type": "media_items", "id": item_id, "attributes": attributes}}


def remove(item_id: str, **meta: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"op": "remove", "ref": {"type": "media_items", "id": item_id}}
    return operation | ({"meta": meta} if meta else {})


def folder_of(client: TestClient, team: Team, name: str) -> str:
    document = {"data": {"type": "folders", "attributes": {"name": name}}}
    response = client.post(
        "/api/v1/folders", json=document, headers={**team.headers("admin"), "Content-Type": JSONAPI}
    )
    return checked(response, 201)["data"]["id"]


def test_updates_tags_folder_and_alt_text_of_several_items_in_one_batch(
    client: TestClient, team: Team
) -> None:
    first, second = new_item(client, team, 30), new_item(client, team, 31)
    trips = folder_of(client, team, "Trips")
    moved = {"relationships": {"folder": {"data": {"type": "folders", "id": trips}}}}
    batch = [
        update(first, tags=["Harbour", "boats"], alt_text="Boats at the quay"),
        {"op": "update", "data": {"type": "media_items", "id": second, **moved}},
    ]
    answered = results(send(client, team, batch, "editor"))
    assert answered[0]["data"]["attributes"]["tags"] == ["boats", "Harbour"]
    assert answered[0]["data"]["attributes"]["alt_text"] == "Boats at the quay"
    assert answered[1]["data"]["relationships"]["folder"]["data"] == {"type": "folders", "id": trips}
    listed = checked(
        client.get("/api/v1/media_items", params={"filter[folder]": trips}, headers=team.headers("viewer")),
        200,
    )
    assert [item["id"] for item in listed["data"]] == [second]


def test_a_failing_operation_undoes_the_whole_batch_and_keeps_every_file(
    client: TestClient, team: Team, session: Session, stored: StoredFiles
) -> None:
    first, second = new_item(client, team, 32), new_item(client, team, 33)
    files_before = stored.paths()
    batch = [update(first, tags=["kept?"]), remove(second), remove(MISSING_ID)]
    response = send(client, team, batch)
    error = checked(response, 404)["errors"][0]
    assert error["source"] == {"pointer": "/atomic:operations/2"}
    assert stored.paths() == files_before
    session.expire_all()
    assert session.get(MediaItem, UUID(second)) is not None
    item = checked(client.get(f"/api/v1/media_items/{first}", headers=team.headers("viewer")), 200)["data"]
    assert item["attributes"]["tags"] == []


def test_removed_items_lose_their_files_after_the_commit(
    client: TestClient, team: Team, stored: StoredFiles
) -> None:
    kept, removed = new_item(client, team, 34), new_item(client, team, 35)
    assert results(send(client, team, [remove(removed)])) == [{}]
    assert [path for path in stored.paths() if removed in path] == []
    assert [path for path in stored.paths() if kept in path] != []


def test_removing_an_item_that_pages_use_needs_force(
    client: TestClient, team: Team, session: Session
) -> None:
    item_id = new_item(client, team, 36)
    page_using(session, admin_of(session, team.project), item_id, "Harbour walk")
    error = checked(send(client, team, [remove(item_id)]), 409)["errors"][0]
    assert "Harbour walk" in error["detail"] and error["source"] == {"pointer": "/atomic:operations/0"}
    assert results(send(client, team, [remove(item_id, force=True)])) == [{}]


def test_bad_batches_are_refused_with_a_reason(client: TestClient, team: Team) -> None:
    item_id = new_item(client, team, 37)
    plain = send(client, team, [update(item_id, tags=["x"])], content_type=JSONAPI)
    assert "ext=" in checked(plain, 415)["errors"][0]["detail"]
    assert checked(send(client, team, [update(item_id, tags=["x"])], "viewer"), 403)
    assert checked(send(client, team, []), 422)
    assert checked(send(client, team, [update(item_id, tags=["x"])] * 1001), 422)
    bad_op = checked(send(client, team, [update(item_id, tags=["x"]), {"op": "add"}]), 422)["errors"][0]
    assert bad_op["source"] == {"pointer": "/atomic:operations/1"}
    too_long = checked(send(client, team, [update(item_id, tags=["x" * 51])]), 422)["errors"][0]
    assert "at most 50 characters" in too_long["detail"]
    unknown = checked(send(client, team, [update(item_id, colour="red")]), 422)["errors"][0]
    assert "Unknown attributes: colour" in unknown["detail"]
    assert checked(send(client, team, [remove(item_id)], "non-member"), 404)
