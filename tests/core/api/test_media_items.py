"""/api/v1/media_items over HTTP: documents, errors, paging and the role matrix."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from nexus_core.config import get_settings
from nexus_core.media.upload_slots import upload_slot
from tests import images
from tests.core.api.helpers import JSONAPI, Team, checked, upload


def test_upload_then_ready_with_variant_urls_then_delete(client: TestClient, team: Team) -> None:
    body = checked(upload(client, team, alt_text="Harbour"), 201)
    item = body["data"]
    attributes = item["attributes"]
    assert item["type"] == "media_items"
    assert attributes["filename"] == "photo.jpg"
    assert attributes["alt_text"] == "Harbour"
    assert attributes["status"] == "ready"  # the inline queue processes at once in tests
    assert set(attributes["variants"]) == {"thumb", "medium", "large"}
    assert attributes["url"] == f"http://nexus.test/media/{team.project.id}/{item['id']}.jpg"
    for url in [attributes["url"], *attributes["variants"].values()]:
        served = client.get(url)
        assert served.status_code == 200
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    checked(client.delete(f"/api/v1/media_items/{item['id']}", headers=team.headers("admin")), 204)
    for url in [attributes["url"], *attributes["variants"].values()]:
        assert client.get(url).status_code == 404
    checked(client.get(f"/api/v1/media_items/{item['id']}", headers=team.headers("admin")), 404)


def test_new_upload_is_pending_until_processed(client: TestClient, team: Team, jobs) -> None:
    body = checked(upload(client, team), 201)
    assert body["data"]["attributes"]["status"] == "pending"
    assert body["data"]["attributes"]["variants"] == {}
    jobs.run_all()
    again = checked(
        client.get(f"/api/v1/media_items/{body['data']['id']}", headers=team.headers("admin")), 200
    )
    assert again["data"]["attributes"]["status"] == "ready"
    assert (again["data"]["attributes"]["width"], again["data"]["attributes"]["height"]) == (1800, 1200)


@pytest.mark.parametrize(
    ("data", "name", "status", "detail"),
    [
        (b"", "empty.jpg", 422, "empty"),
        (b"just some text" * 10, "text.jpg", 415, "not a supported image"),
        (b"\xff\xd8\xff" + b"\0" * (21 * 1024 * 1024), "big.jpg", 413, "limit is 20 MB"),
        (images.png_bomb(), "bomb.png", 415, "too large"),
        (
            b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "xxe.svg",
            415,
            "declares XML entities",
        ),
    ],
)
def test_upload_errors(
    client: TestClient, team: Team, data: bytes, name: str, status: int, detail: str
) -> None:
    body = checked(upload(client, team, data=data, name=name), status)
    assert detail in body["errors"][0]["detail"]
    assert name in body["errors"][0]["detail"]
    assert (
        checked(client.get("/api/v1/media_items", headers=team.headers("admin")), 200)["meta"]["total"] == 0
    )


def test_eleven_files_in_one_request_are_refused(client: TestClient, team: Team) -> None:
    files = [("file", (f"p{n}.png", images.png(10, 10), "image/png")) for n in range(11)]
    body = checked(client.post("/api/v1/media_items", headers=team.headers("admin"), files=files), 422)
    assert "at most 10" in body["errors"][0]["detail"]


@pytest.fixture
def one_upload_slot(settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("NEXUS_MAX_CONCURRENT_UPLOADS", "1")
    settings_env.setenv("NEXUS_UPLOAD_WAIT_SECONDS", "0.2")


def test_upload_while_every_slot_stays_taken_is_503_with_retry_after(
    client: TestClient, team: Team, one_upload_slot: None
) -> None:
    with upload_slot(get_settings()):
        response = upload(client, team)
    body = checked(response, 503)
    assert response.headers["retry-after"] == "10"
    assert "try again" in body["errors"][0]["detail"]
    assert checked(upload(client, team), 201)


def test_several_files_in_one_request(client: TestClient, team: Team) -> None:
    files = [("file", (f"p{n}.png", images.png(10, 10), "image/png")) for n in range(3)]
    body = checked(client.post("/api/v1/media_items", headers=team.headers("admin"), files=files), 201)
    assert sorted(resource["attributes"]["filename"] for resource in body["data"]) == [
        "p0.png",
        "p1.png",
        "p2.png",
    ]


def test_svg_upload_is_served_cleaned_and_says_what_was_removed(client: TestClient, team: Team) -> None:
    drawing = '<a href="javascript:alert(1)"><rect width="9" height="9"/></a><use href="#a"/>'
    body = checked(upload(client, team, data=images.svg(body=drawing), name="logo.svg"), 201)
    assert body["meta"] == {
        "warnings": ["\u201clogo.svg\u201d: removed 1 external reference, which SVG uploads may not contain."]
    }
    attributes = body["data"]["attributes"]
    assert (attributes["status"], attributes["variants"]) == ("ready", {})
    served = client.get(attributes["url"]).content
    assert b"javascript" not in served
    assert b'<a><rect width="9" height="9" /></a><use href="#a" />' in served
    assert attributes["file_size"] == len(served)


def test_clean_upload_has_no_meta(client: TestClient, team: Team) -> None:
    assert "meta" not in checked(upload(client, team, data=images.svg(), name="logo.svg"), 201)


def test_upload_without_a_file_field(client: TestClient, team: Team) -> None:
    body = checked(
        client.post("/api/v1/media_items", headers=team.headers("admin"), data={"alt_text": "x"}), 422
    )
    assert "file" in body["errors"][0]["detail"]


def test_list_pages_filters_and_searches(client: TestClient, team: Team) -> None:
    for name in ["a.png", "b.png", "c.png"]:
        checked(upload(client, team, data=images.png(10, 10), name=name), 201)
    admin = team.headers("admin")
    first = checked(client.get("/api/v1/media_items", params={"page[limit]": 2}, headers=admin), 200)
    assert [r["attributes"]["filename"] for r in first["data"]] == ["c.png", "b.png"]
    assert first["meta"]["total"] == 3
    assert first["links"]["prev"] is None
    second = checked(client.get(first["links"]["next"], headers=admin), 200)
    assert [r["attributes"]["filename"] for r in second["data"]] == ["a.png"]
    assert second["links"]["next"] is None
    assert checked(client.get(second["links"]["prev"], headers=admin), 200)["data"] == first["data"]
    found = checked(client.get("/api/v1/media_items", params={"filter[q]": "B.P"}, headers=admin), 200)
    assert [r["attributes"]["filename"] for r in found["data"]] == ["b.png"]
    ready = checked(client.get("/api/v1/media_items", params={"filter[status]": "error"}, headers=admin), 200)
    assert ready["meta"]["total"] == 0
    bad = checked(client.get("/api/v1/media_items", params={"filter[status]": "nope"}, headers=admin), 400)
    assert bad["errors"][0]["source"] == {"parameter": "filter[status]"}
    checked(client.get("/api/v1/media_items", params={"page[limit]": 1000}, headers=admin), 400)


def test_patch_alt_text(client: TestClient, team: Team) -> None:
    item_id = checked(upload(client, team), 201)["data"]["id"]
    url = f"/api/v1/media_items/{item_id}"
    admin = team.headers("admin") | {"Content-Type": JSONAPI}
    document = {"data": {"type": "media_items", "id": item_id, "attributes": {"alt_text": "A boat"}}}
    assert (
        checked(client.patch(url, json=document, headers=admin), 200)["data"]["attributes"]["alt_text"]
        == "A boat"
    )
    assert checked(client.get(url, headers=admin), 200)["data"]["attributes"]["alt_text"] == "A boat"
    for bad, status in [
        ({"data": {"type": "media_items", "attributes": {"filename": "x"}}}, 422),
        ({"data": {"type": "pages", "attributes": {"alt_text": "x"}}}, 409),
        ({"data": {"type": "media_items", "id": "other", "attributes": {"alt_text": "x"}}}, 409),
        ({"data": {"type": "media_items", "attributes": {"alt_text": "x" * 1001}}}, 422),
        ({"data": {"type": "media_items", "attributes": {"alt_text": 5}}}, 422),
        ([], 422),
    ]:
        checked(client.patch(url, json=bad, headers=admin), status)
    checked(client.patch(url, content=b"{not json", headers=admin), 400)


def test_unknown_and_malformed_ids_are_404(client: TestClient, team: Team) -> None:
    for item_id in ["0190f0f0-0000-7000-8000-000000000000", "not-a-uuid"]:
        checked(client.get(f"/api/v1/media_items/{item_id}", headers=team.headers("viewer")), 404)


# who -> expected status for list, get, create, patch, delete (DESIGN.md, "Who may do what")
MATRIX = {
    "admin": (200, 200, 201, 200, 204),
    "editor": (200, 200, 201, 200, 403),
    "viewer": (200, 200, 403, 403, 403),
    "non-member": (200, 404, 201, 404, 404),
    "no key": (401, 401, 401, 401, 401),
    "garbage key": (401, 401, 401, 401, 401),
    "revoked key": (401, 401, 401, 401, 401),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_role_matrix(client: TestClient, team: Team, who: str) -> None:
    """A non-member's key belongs to their own project: they list and create there, never see ours."""
    item_id = checked(upload(client, team, data=images.png(10, 10)), 201)["data"]["id"]
    url = f"/api/v1/media_items/{item_id}"
    headers = team.headers(who)
    document = {"data": {"type": "media_items", "id": item_id, "attributes": {"alt_text": "changed"}}}
    expected = MATRIX[who]
    listed = checked(client.get("/api/v1/media_items", headers=headers), expected[0])
    if expected[0] == 200:
        assert (listed["meta"]["total"] == 1) is (who != "non-member")
    checked(client.get(url, headers=headers), expected[1])
    checked(upload(client, team, who=who, data=images.png(10, 10)), expected[2])
    checked(client.patch(url, json=document, headers=headers), expected[3])
    checked(client.delete(url, headers=headers), expected[4])
    if expected[0] == 401:
        assert client.get(url, headers=headers).headers["www-authenticate"] == "Bearer"


def test_patch_tags_and_folder_then_filter_and_sort_by_them(client: TestClient, team: Team) -> None:
    editor = team.headers("editor") | {"Content-Type": JSONAPI}
    ids = [
        checked(upload(client, team, data=images.png(10 + size, 10), name=name), 201)["data"]["id"]
        for size, name in enumerate(["b.png", "a.png", "c.png"])
    ]
    folder = {"data": {"type": "folders", "attributes": {"name": "Harbour"}}}
    harbour = checked(client.post("/api/v1/folders", json=folder, headers=editor), 201)["data"]["id"]
    for item_id in ids[:2]:
        change = {
            "data": {
                "type": "media_items",
                "id": item_id,
                "attributes": {"tags": [" boats ", "Dusk", "boats"]},
                "relationships": {"folder": {"data": {"type": "folders", "id": harbour}}},
            }
        }
        changed = checked(client.patch(f"/api/v1/media_items/{item_id}", json=change, headers=editor), 200)[
            "data"
        ]
        assert changed["attributes"]["tags"] == ["boats", "Dusk"]
        assert changed["relationships"]["folder"]["data"] == {"type": "folders", "id": harbour}
        assert len(changed["attributes"]["sha256"]) == 64
    params = {"filter[folder]": harbour, "filter[tag]": "dusk", "sort": "filename", "page[limit]": 1}
    first = checked(client.get("/api/v1/media_items", params=params, headers=editor), 200)
    assert [item["attributes"]["filename"] for item in first["data"]] == ["a.png"]
    assert first["meta"]["total"] == 2
    second = checked(client.get(first["links"]["next"], headers=editor), 200)
    assert [item["attributes"]["filename"] for item in second["data"]] == ["b.png"]
    at_root = checked(
        client.get("/api/v1/media_items", params={"filter[folder]": "root"}, headers=editor), 200
    )
    assert [item["id"] for item in at_root["data"]] == [ids[2]]
    back = {"data": {"type": "media_items", "id": ids[0], "relationships": {"folder": {"data": None}}}}
    moved = checked(client.patch(f"/api/v1/media_items/{ids[0]}", json=back, headers=editor), 200)["data"]
    assert moved["relationships"]["folder"]["data"] is None and moved["attributes"]["tags"] == [
        "boats",
        "Dusk",
    ]
    bad_folder = {
        "data": {"type": "media_items", "relationships": {"folder": {"data": {"type": "tags", "id": "x"}}}}
    }
    checked(client.patch(f"/api/v1/media_items/{ids[0]}", json=bad_folder, headers=editor), 422)
