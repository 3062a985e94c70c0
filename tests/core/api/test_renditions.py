"""The `renditions` and `placeholder` attributes of media_items: what exists, with sizes, valid JSON:API and
as the OpenAPI document describes them."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from nexus_core.api.schemas import MediaItemDocument, MediaItemListDocument
from tests import images
from tests.core.api.helpers import Team, checked, upload


def test_a_processed_item_lists_the_original_and_every_rendition_with_its_size(
    client: TestClient, team: Team, modern_formats: Callable[[str], None]
) -> None:
    modern_formats("webp,avif")
    body = checked(upload(client, team, data=images.jpeg(700, 350)), 201)
    item_url = f"/api/v1/media_items/{body['data']['id']}"

    document = checked(client.get(item_url, headers=team.headers("viewer")), 200)

    MediaItemDocument.model_validate(document)
    attributes = document["data"]["attributes"]
    listed = [(r["name"], r["format"], r["width"], r["height"]) for r in attributes["renditions"]]
    assert listed == [
        ("original", "image/jpeg", 700, 350),
        ("thumb", "image/jpeg", 300, 150),
        ("16x9_thumb", "image/jpeg", 300, 169),  # the 16:9 box, 622 × 350, for fields of that shape
        ("16x9_medium", "image/jpeg", 622, 350),
        ("thumb", "image/avif", 300, 150),
        ("16x9_thumb", "image/avif", 300, 169),
        ("16x9_medium", "image/avif", 622, 350),
        ("thumb", "image/webp", 300, 150),
        ("16x9_thumb", "image/webp", 300, 169),
        ("16x9_medium", "image/webp", 622, 350),
    ]
    for rendition in attributes["renditions"]:
        served = client.get(rendition["url"])
        assert served.status_code == 200
        assert served.headers["content-type"] == rendition["format"]
        assert len(served.content) == rendition["file_size"]
    placeholder = attributes["placeholder"]
    assert set(placeholder) == {"color", "thumbhash", "lqip"}
    assert re.fullmatch(r"#[0-9a-f]{6}", placeholder["color"])
    assert placeholder["lqip"].startswith("data:image/webp;base64,") and len(placeholder["lqip"]) <= 1024
    MediaItemListDocument.model_validate(
        checked(client.get("/api/v1/media_items", headers=team.headers("viewer")), 200)
    )


def test_before_processing_only_the_original_is_listed_and_there_is_no_placeholder(
    client: TestClient, team: Team, jobs
) -> None:
    body = checked(upload(client, team, data=images.jpeg(700, 350)), 201)

    MediaItemDocument.model_validate(body)
    attributes = body["data"]["attributes"]
    assert attributes["placeholder"] is None
    assert [(r["name"], r["width"]) for r in attributes["renditions"]] == [
        ("original", 700)
    ]  # probed at upload
