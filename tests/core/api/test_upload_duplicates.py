"""POST /api/v1/media_items with files already in the library: 200 or 201, `meta.duplicates`, and
`?duplicates=allow`."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from nexus_core.media import duplicates
from nexus_core.models import MediaItem
from tests import images
from tests.conftest import StoredFiles
from tests.core.api.helpers import Team, checked

LIST = "/api/v1/media_items"


def post(client: TestClient, team: Team, *files: tuple[str, bytes], query: str = ""):
    parts = [("file", (name, data, "application/octet-stream")) for name, data in files]
    return client.post(LIST + query, headers=team.headers("admin"), files=parts)


def test_a_file_already_there_is_200_with_the_item_there(
    client: TestClient, team: Team, stored: StoredFiles
) -> None:
    data = images.png(32, 24)
    first = checked(post(client, team, ("harbour.png", data)), 201)["data"]
    files_before = stored.paths()
    response = post(client, team, ("copy.png", data))
    body = checked(response, 200)
    assert "location" not in response.headers
    assert body["data"]["id"] == first["id"]
    assert body["meta"] == {"duplicates": [{"index": 0, "id": first["id"], "filename": "harbour.png"}]}
    assert stored.paths() == files_before


def test_new_and_existing_files_together_are_201_in_upload_order(client: TestClient, team: Team) -> None:
    there = images.png(20, 20)
    existing = checked(post(client, team, ("there.png", there)), 201)["data"]["id"]
    body = checked(
        post(
            client,
            team,
            ("new.png", images.png(21, 21)),
            ("there.png", there),
            ("new.png", images.png(22, 22)),
        ),
        201,
    )
    assert [resource["attributes"]["filename"] for resource in body["data"]] == [
        "new.png",
        "there.png",
        "new.png",
    ]
    assert body["data"][1]["id"] == existing
    assert body["meta"]["duplicates"] == [{"index": 1, "id": existing, "filename": "there.png"}]


def test_two_identical_files_in_one_upload_make_one_item(
    client: TestClient, team: Team, session: Session
) -> None:
    data = images.jpeg(90, 60)
    body = checked(post(client, team, ("a.jpg", data), ("b.jpg", data)), 201)
    (first,) = body["data"]  # a list, as for any upload of several files, naming the item once
    assert body["meta"]["duplicates"] == [{"index": 1, "id": first["id"], "filename": "a.jpg"}]
    assert len(session.exec(select(MediaItem)).all()) == 1


def test_duplicates_allow_stores_a_copy_and_both_count_as_duplicates(
    client: TestClient, team: Team, session: Session
) -> None:
    data = images.png(40, 30)
    first = checked(post(client, team, ("logo.png", data)), 201)["data"]["id"]
    response = post(client, team, ("logo.png", data), query="?duplicates=allow")
    copy = checked(response, 201)["data"]["id"]
    assert copy != first and "meta" not in response.json()
    assert response.headers["location"].endswith(f"/api/v1/media_items/{copy}")
    marked = session.exec(select(MediaItem.id).where(duplicates.has_duplicates())).all()
    assert {str(item_id) for item_id in marked} == {first, copy}


def test_only_allow_is_a_duplicates_value(client: TestClient, team: Team, session: Session) -> None:
    for value in ("yes", "ALLOW", "", "refuse"):
        body = checked(post(client, team, ("a.png", images.png(10, 10)), query=f"?duplicates={value}"), 400)
        assert body["errors"][0]["source"] == {"parameter": "duplicates"}
    assert session.exec(select(MediaItem)).all() == []
