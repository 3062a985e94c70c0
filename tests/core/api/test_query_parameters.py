"""Query parameters an operation does not take are refused with a 400 naming them: an unknown filter
must not answer "everything", nor an unknown sort or page key a page in another order or size."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests import images
from tests.core.api.helpers import Team, checked, upload

LIST = "/api/v1/media_items"


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("filter[colour]", "red"),
        ("filter[mime_type]", "image/png"),
        ("filter[status", "ready"),
        ("sort[]", "-inserted_at"),
        ("page[size]", "5"),
        ("page[number]", "2"),
        ("include", "pages"),
        ("fields[media_items]", "filename"),
        ("force", "true"),
        ("", "x"),
    ],
)
def test_unknown_list_parameter_is_400_naming_it(
    client: TestClient, team: Team, parameter: str, value: str
) -> None:
    checked(upload(client, team, data=images.png(10, 10), name="a.png"), 201)
    body = checked(client.get(LIST, params={parameter: value}, headers=team.headers("viewer")), 400)
    error = body["errors"][0]
    assert error["source"] == {"parameter": parameter}
    assert "filter[q], filter[similar_to], filter[status], filter[tag], filter[type]" in error["detail"]
    assert error["detail"].endswith("page[limit], page[offset], sort.")


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_unknown_parameter_on_an_item_is_400_and_changes_nothing(
    client: TestClient, team: Team, method: str
) -> None:
    item_id = checked(upload(client, team, data=images.png(10, 10), name="a.png"), 201)["data"]["id"]
    document = {"data": {"type": "media_items", "id": item_id, "attributes": {"alt_text": "changed"}}}
    response = client.request(
        method,
        f"{LIST}/{item_id}",
        params={"sort": "filename"},
        json=document if method == "PATCH" else None,
        headers=team.headers("admin"),
    )
    assert checked(response, 400)["errors"][0]["source"] == {"parameter": "sort"}
    stored = checked(client.get(f"{LIST}/{item_id}", headers=team.headers("admin")), 200)
    assert stored["data"]["attributes"]["alt_text"] == ""


def test_unknown_parameter_on_upload_is_400_and_stores_nothing(client: TestClient, team: Team) -> None:
    files = {"file": ("a.png", images.png(10, 10), "image/png")}
    response = client.post(f"{LIST}?dry_run=1", files=files, headers=team.headers("admin"))
    assert checked(response, 400)["errors"][0]["source"] == {"parameter": "dry_run"}
    assert checked(client.get(LIST, headers=team.headers("admin")), 200)["meta"]["total"] == 0


def test_declared_parameters_are_still_taken(client: TestClient, team: Team) -> None:
    checked(upload(client, team, data=images.png(10, 10), name="harbour.png"), 201)
    checked(upload(client, team, data=images.png(10, 10), name="beach.png"), 201)
    params = {"filter[q]": "harbour", "filter[status]": "ready", "page[limit]": "5", "page[offset]": "0"}
    body = checked(client.get(LIST, params=params, headers=team.headers("viewer")), 200)
    assert [item["attributes"]["filename"] for item in body["data"]] == ["harbour.png"]
    item_id = checked(client.get(LIST, headers=team.headers("viewer")), 200)["data"][0]["id"]
    checked(client.delete(f"{LIST}/{item_id}", params={"force": "true"}, headers=team.headers("admin")), 204)
