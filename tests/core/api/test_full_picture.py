"""An item's `url` is its picture: after a crop, rotation or flip and the job, the edited picture at its
full size (the `full` rendition), in the item's own type; the original otherwise, which `renditions`
always lists as `original`."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests import images
from tests.core.api.helpers import Team, checked, upload
from tests.core.api.test_edits import patch, replace
from tests.images import colour_at, is_red, size_of


def named(attributes: dict, name: str) -> dict | None:
    return next((rendition for rendition in attributes["renditions"] if rendition["name"] == name), None)


def uploaded(client: TestClient, team: Team, kind: str = "jpeg") -> dict:
    data = images.marked_corner(1800, 1200, kind=kind)
    return checked(upload(client, team, data=data, name=f"corner.{kind}"), 201)["data"]


def shown(client: TestClient, url: str, mime_type: str) -> bytes:
    """The picture the URL serves, through the /media proxy, checked to be of the item's type."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == mime_type
    return response.content


@pytest.mark.parametrize(("kind", "mime_type"), [("jpeg", "image/jpeg"), ("png", "image/png")])
def test_after_a_crop_url_is_the_cropped_picture_in_the_items_type(
    client: TestClient, team: Team, kind: str, mime_type: str
) -> None:
    item = uploaded(client, team, kind)
    original_url = item["attributes"]["url"]
    crop = {"left": 0, "top": 0, "width": 450, "height": 300}  # the red corner, exactly
    attributes = checked(patch(client, team, item["id"], crop=crop), 200)["data"]["attributes"]
    assert attributes["status"] == "ready" and attributes["url"] != original_url
    assert attributes["url"].endswith(f"{item['id']}-v2_full.{'jpg' if kind == 'jpeg' else kind}")
    picture = shown(client, attributes["url"], mime_type)
    assert size_of(picture) == (450, 300)
    assert all(is_red(colour_at(picture, x, y)) for x in (0.05, 0.95) for y in (0.05, 0.95))
    full = named(attributes, "full")
    assert full == {
        "name": "full",
        "format": mime_type,
        "width": 450,
        "height": 300,
        "file_size": len(picture),
        "url": attributes["url"],
    }
    original = named(attributes, "original")
    assert original is not None and original["url"] == original_url  # kept, for editing again
    assert (original["width"], original["height"]) == (1800, 1200)
    assert size_of(shown(client, original_url, mime_type)) == (1800, 1200)
    again = checked(client.get(f"/api/v1/media_items/{item['id']}", headers=team.headers("viewer")), 200)
    assert again["data"]["attributes"]["url"] == attributes["url"]


def test_after_a_quarter_turn_url_is_the_turned_picture(client: TestClient, team: Team) -> None:
    item = uploaded(client, team)
    attributes = checked(patch(client, team, item["id"], rotate=90), 200)["data"]["attributes"]
    picture = shown(client, attributes["url"], "image/jpeg")
    assert size_of(picture) == (1200, 1800)
    assert is_red(colour_at(picture, 0.95, 0.05))  # the stored top-left corner, turned to the top right
    assert named(attributes, "full")["width"] == 1200  # type: ignore[index]


def test_a_focal_point_alone_leaves_url_the_original(client: TestClient, team: Team) -> None:
    item = uploaded(client, team)
    attributes = checked(patch(client, team, item["id"], focal_point={"x": 0.2, "y": 0.3}), 200)["data"][
        "attributes"
    ]
    assert attributes["version"] == 2
    assert attributes["url"] == item["attributes"]["url"]
    assert named(attributes, "full") is None


def test_a_revert_brings_url_back_to_the_original(client: TestClient, team: Team) -> None:
    item = uploaded(client, team)
    flipped = checked(patch(client, team, item["id"], flip={"horizontal": True}), 200)["data"]["attributes"]
    assert flipped["url"] != item["attributes"]["url"]
    assert is_red(colour_at(shown(client, flipped["url"], "image/jpeg"), 0.95, 0.05))
    reverted = checked(patch(client, team, item["id"], flip=None), 200)["data"]["attributes"]
    assert reverted["version"] == 3
    assert reverted["url"] == item["attributes"]["url"]
    assert named(reverted, "full") is None
    assert client.get(flipped["url"]).status_code == 200  # the old version's, for the grace period


def test_a_replaced_file_is_url_at_once(client: TestClient, team: Team) -> None:
    item = uploaded(client, team)
    checked(patch(client, team, item["id"], rotate=180), 200)
    attributes = checked(replace(client, team, item["id"], images.jpeg(900, 600), "new.jpg"), 200)["data"][
        "attributes"
    ]
    assert attributes["url"].endswith(f"{item['id']}-v3.jpg")
    assert named(attributes, "full") is None
    assert size_of(shown(client, attributes["url"], "image/jpeg")) == (900, 600)
