"""Editing over the API: PATCH the edit attributes (each refusal a 422 pointing at the attribute), and
PUT …/file to replace the file, keeping the item."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from nexus_core import accounts
from nexus_core.media import library
from tests import images
from tests.core.api.helpers import JSONAPI, Team, checked, upload
from tests.factories import page_using


def patch(client: TestClient, team: Team, item_id: str, who: str = "editor", **attributes: object):
    document = {"data": {"type": "media_items", "id": item_id, "attributes": attributes}}
    return client.patch(
        f"/api/v1/media_items/{item_id}", headers=team.headers(who) | {"Content-Type": JSONAPI}, json=document
    )


def replace(
    client: TestClient, team: Team, item_id: str, data: bytes, name: str, who: str = "editor", **params
):
    files = {"file": (name, data, "application/octet-stream")}
    return client.put(
        f"/api/v1/media_items/{item_id}/file", headers=team.headers(who), files=files, params=params
    )


@pytest.fixture
def item(client: TestClient, team: Team) -> dict:
    return checked(upload(client, team, data=images.marked_corner(1800, 1200), name="corner.jpg"), 201)[
        "data"
    ]


def every_url(attributes: dict) -> set[str]:
    return {
        rendition["url"] for rendition in attributes["renditions"] if rendition["name"] != "original"
    } | set(attributes["variants"].values())


def test_a_new_item_has_no_edits_and_version_one(item: dict) -> None:
    attributes = item["attributes"]
    assert attributes["version"] == 1
    assert (attributes["focal_point"], attributes["crop"], attributes["rotate"]) == (None, None, 0)
    assert attributes["flip"] == {"horizontal": False, "vertical": False}
    assert (attributes["original_width"], attributes["original_height"]) == (1800, 1200)
    names = {rendition["name"] for rendition in attributes["renditions"]}
    assert {"original", "thumb", "16x9_large"} <= names


def test_patch_edits_makes_a_new_version_with_new_urls(client: TestClient, team: Team, item: dict) -> None:
    before = every_url(item["attributes"])
    body = checked(
        patch(
            client,
            team,
            item["id"],
            crop={"left": 100, "top": 50, "width": 1200, "height": 900},
            rotate=90,
            flip={"horizontal": True},
            focal_point={"x": 0.25, "y": 0.75},
        ),
        200,
    )
    attributes = body["data"]["attributes"]
    assert attributes["version"] == 2
    assert attributes["crop"] == {"left": 100, "top": 50, "width": 1200, "height": 900}
    assert (attributes["rotate"], attributes["flip"]) == (90, {"horizontal": True, "vertical": False})
    assert attributes["focal_point"] == {"x": 0.25, "y": 0.75}
    assert (attributes["width"], attributes["height"]) == (900, 1200)
    after = every_url(attributes)
    assert after and not after & before and all("-v2_" in url for url in after)
    for url in after:
        assert client.get(url).status_code == 200
    for url in before:  # the old version stays served for the grace period
        assert client.get(url).status_code == 200
    reverted = checked(patch(client, team, item["id"], crop=None, rotate=0, flip=None, focal_point=None), 200)
    assert reverted["data"]["attributes"]["version"] == 3
    assert (reverted["data"]["attributes"]["width"], reverted["data"]["attributes"]["height"]) == (1800, 1200)


@pytest.mark.parametrize(
    ("attributes", "pointer", "detail"),
    [
        (
            {"crop": {"left": 1000, "top": 0, "width": 900, "height": 100}},
            "crop/width",
            "past its right edge",
        ),
        (
            {"crop": {"left": 0, "top": 1100, "width": 10, "height": 101}},
            "crop/height",
            "past its bottom edge",
        ),
        ({"crop": {"left": 0, "top": 0, "width": 0, "height": 10}}, "crop/width", "at least 1"),
        ({"crop": {"left": -1, "top": 0, "width": 10, "height": 10}}, "crop/left", "at least 0"),
        ({"crop": {"left": 0.5, "top": 0, "width": 10, "height": 10}}, "crop/left", "whole number"),
        ({"crop": {"left": 0, "top": 0, "width": 10}}, "crop", "“height” is missing"),
        ({"crop": {"left": 0, "top": 0, "width": 10, "height": 10, "depth": 1}}, "crop/depth", "not one"),
        ({"crop": [0, 0, 10, 10]}, "crop", "null or an object"),
        ({"focal_point": {"x": 1.5, "y": 0.5}}, "focal_point/x", "from 0"),
        ({"focal_point": {"x": 0.5, "y": "top"}}, "focal_point/y", "a number"),
        ({"rotate": 45}, "rotate", "0, 90, 180 or 270"),
        ({"rotate": 360}, "rotate", "0, 90, 180 or 270"),
        ({"rotate": "90"}, "rotate", "0, 90, 180 or 270"),
        ({"flip": {"horizontal": "yes"}}, "flip/horizontal", "true or false"),
        ({"version": 7}, "version", "read-only"),
    ],
)
def test_invalid_edits_are_refused_with_a_pointer(
    client: TestClient, team: Team, item: dict, attributes: dict, pointer: str, detail: str
) -> None:
    body = checked(patch(client, team, item["id"], **attributes), 422)
    error = body["errors"][0]
    assert error["source"] == {"pointer": f"/data/attributes/{pointer}"}
    assert detail in error["detail"]
    again = checked(client.get(f"/api/v1/media_items/{item['id']}", headers=team.headers("viewer")), 200)
    assert again["data"]["attributes"]["version"] == 1  # nothing changed


def test_viewers_cannot_edit(client: TestClient, team: Team, item: dict) -> None:
    checked(patch(client, team, item["id"], "viewer", rotate=90), 403)


def test_an_svg_cannot_be_edited(client: TestClient, team: Team) -> None:
    drawing = checked(upload(client, team, data=images.svg(), name="logo.svg"), 201)["data"]
    body = checked(patch(client, team, drawing["id"], rotate=90), 422)
    assert body["errors"][0]["source"] == {"pointer": "/data/attributes/rotate"}
    assert "SVG" in body["errors"][0]["detail"]


def test_atomic_operations_do_not_take_edits(client: TestClient, team: Team, item: dict) -> None:
    document = {
        "atomic:operations": [
            {"op": "update", "data": {"type": "media_items", "id": item["id"], "attributes": {"rotate": 90}}}
        ]
    }
    headers = team.headers("editor") | {
        "Content-Type": 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"'
    }
    body = checked(client.post("/api/v1/operations", headers=headers, json=document), 422)
    assert "rotate" in body["errors"][0]["detail"]


def test_replacing_keeps_the_item_and_changes_its_type(
    client: TestClient, team: Team, session: Session, item: dict
) -> None:
    item_id = item["id"]
    folder = checked(
        client.post(
            "/api/v1/folders",
            headers=team.headers("editor") | {"Content-Type": JSONAPI},
            json={"data": {"type": "folders", "attributes": {"name": "Harbour"}}},
        ),
        201,
    )["data"]["id"]
    checked(
        client.patch(
            f"/api/v1/media_items/{item_id}",
            headers=team.headers("editor") | {"Content-Type": JSONAPI},
            json={
                "data": {
                    "type": "media_items",
                    "attributes": {"alt_text": "The pier", "tags": ["sea"], "rotate": 180},
                    "relationships": {"folder": {"data": {"type": "folders", "id": folder}}},
                }
            },
        ),
        200,
    )
    admin = accounts.actor_for_api_token(session, team.tokens["admin"] or "")
    page = page_using(session, admin, item_id)
    old_url = item["attributes"]["url"]
    body = checked(replace(client, team, item_id, images.png(900, 600), "new.png"), 200)
    attributes = body["data"]["attributes"]
    assert body["data"]["id"] == item_id
    assert (attributes["alt_text"], attributes["tags"]) == ("The pier", ["sea"])
    assert body["data"]["relationships"]["folder"]["data"]["id"] == folder
    assert (attributes["version"], attributes["rotate"], attributes["mime_type"]) == (3, 0, "image/png")
    assert (attributes["filename"], attributes["width"], attributes["height"]) == ("new.png", 900, 600)
    assert attributes["url"].endswith(f"{item_id}-v3.png") and attributes["url"] != old_url
    assert all(url.endswith(".png") and "-v3_" in url for url in attributes["variants"].values())
    assert client.get(attributes["url"]).headers["content-type"] == "image/png"
    assert client.get(old_url).status_code == 200  # the old original, for the grace period
    assert [page_id for page_id, _ in library.pages_using(session, UUID(item_id))] == [str(page.id)]
    assert "meta" not in body


def test_replacing_with_another_items_bytes_stores_it_and_names_that_item(
    client: TestClient, team: Team, item: dict
) -> None:
    data = images.png(64, 48)
    other = checked(upload(client, team, data=data, name="other.png"), 201)["data"]
    body = checked(replace(client, team, item["id"], data, "same.png"), 200)
    assert body["meta"]["same_as"] == [{"id": other["id"], "filename": "other.png"}]
    assert body["data"]["attributes"]["sha256"] == other["attributes"]["sha256"]
    listed = checked(
        client.get(
            "/api/v1/media_items", headers=team.headers("viewer"), params={"filter[duplicates]": "true"}
        ),
        200,
    )
    assert {resource["id"] for resource in listed["data"]} == {item["id"], other["id"]}
    again = checked(replace(client, team, item["id"], data, "same.png"), 200)  # its own bytes again
    assert again["data"]["attributes"]["version"] == 3


def test_replacing_refuses_what_an_upload_refuses(client: TestClient, team: Team, item: dict) -> None:
    assert (
        "not a supported image"
        in checked(replace(client, team, item["id"], b"hello", "a.txt"), 415)["errors"][0]["detail"]
    )
    assert (
        "too large"
        in checked(replace(client, team, item["id"], images.png_bomb(), "b.png"), 415)["errors"][0]["detail"]
    )
    checked(replace(client, team, item["id"], images.png(9, 9), "c.png", who="viewer"), 403)
    missing = "0190f0f0-0000-7000-8000-000000000000"
    checked(replace(client, team, missing, images.png(9, 9), "d.png"), 404)
    after = checked(client.get(f"/api/v1/media_items/{item['id']}", headers=team.headers("viewer")), 200)
    assert after["data"]["attributes"]["version"] == 1


def test_replacing_strips_private_metadata(client: TestClient, team: Team, item: dict) -> None:
    body = checked(replace(client, team, item["id"], images.jpeg_with_camera_exif(), "camera.jpg"), 200)
    assert images.CAMERA not in client.get(body["data"]["attributes"]["url"]).content


def test_the_openapi_document_describes_edits_and_replacing(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    put = document["paths"]["/api/v1/media_items/{item_id}/file"]["put"]
    assert {"200", "413", "415", "422"} <= set(put["responses"])
    assert "multipart/form-data" in put["requestBody"]["content"]
    patch_schema = document["paths"]["/api/v1/media_items/{item_id}"]["patch"]["requestBody"]["content"][
        JSONAPI
    ]
    attributes = patch_schema["schema"]["properties"]["data"]["properties"]["attributes"]["properties"]
    assert {"crop", "focal_point", "rotate", "flip"} <= set(attributes)
