"""Odd input a fuzzer sends the API: each is a JSON:API error naming the problem, never a 500."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from tests import images
from tests.core.api.helpers import JSONAPI, Team, checked, upload

LIST = "/api/v1/media_items"


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page[offset]", str(2**63)),  # one past SQLite's (and PostgreSQL's bigint) largest integer
        ("page[offset]", str(2**64)),
        ("page[offset]", "1" + "0" * 400),
        ("page[offset]", str(10**9 + 1)),
        ("page[offset]", "-1"),
        ("page[offset]", "1e3"),
        ("page[limit]", "0"),
        ("page[limit]", "101"),
        ("page[limit]", str(2**63)),
        ("page[limit]", "ten"),
        ("filter[status]", "nope"),
        ("filter[q]", "harbour\x00"),  # PostgreSQL cannot even compare text holding NUL
    ],
)
def test_query_parameter_out_of_range_is_400_naming_it(
    client: TestClient, team: Team, parameter: str, value: str
) -> None:
    body = checked(client.get(LIST, params={parameter: value}, headers=team.headers("viewer")), 400)
    error = body["errors"][0]
    assert error["source"] == {"parameter": parameter}
    assert error["detail"].startswith(f"{parameter}: ")


def test_largest_page_offset_is_an_empty_page(client: TestClient, team: Team) -> None:
    checked(upload(client, team), 201)
    body = checked(client.get(LIST, params={"page[offset]": 10**9}, headers=team.headers("viewer")), 200)
    assert (body["data"], body["meta"]["total"], body["links"]["next"]) == ([], 1, None)


def patch_new_item(client: TestClient, team: Team, body: bytes) -> tuple[str, httpx.Response]:
    """Upload an item, then PATCH it with a raw body: the item's id and the answer."""
    item_id = checked(upload(client, team, data=images.png(10, 10), name="a.png"), 201)["data"]["id"]
    headers = team.headers("editor") | {"Content-Type": JSONAPI}
    return item_id, client.patch(f"{LIST}/{item_id}", content=body, headers=headers)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_body_is_400(client: TestClient, team: Team, depth: int) -> None:
    nested = (
        b'{"data": {"type": "media_items", "attributes": {"alt_text": ' + b"[" * depth + b"]" * depth + b"}}}"
    )
    body = checked(patch_new_item(client, team, nested)[1], 400)
    assert "nested too deeply" in body["errors"][0]["detail"]


def test_body_that_is_not_json_is_400(client: TestClient, team: Team) -> None:
    body = checked(patch_new_item(client, team, b"{not json")[1], 400)
    assert "JSON" in body["errors"][0]["detail"]


@pytest.mark.parametrize("escape", [rb"\ud800", rb"\udfff", rb"A\udc00B", rb"\udbff\u0041", rb"\u0000"])
def test_lone_surrogate_or_nul_in_alt_text_is_422_and_changes_nothing(
    client: TestClient, team: Team, escape: bytes
) -> None:
    document = b'{"data": {"type": "media_items", "attributes": {"alt_text": "Harbour ' + escape + b'"}}}'
    item_id, response = patch_new_item(client, team, document)
    body = checked(response, 422)
    assert "alt text" in body["errors"][0]["detail"].lower()
    stored = checked(client.get(f"{LIST}/{item_id}", headers=team.headers("viewer")), 200)
    assert stored["data"]["attributes"]["alt_text"] == ""


def test_surrogate_pair_is_an_ordinary_character(client: TestClient, team: Team) -> None:
    document = b'{"data": {"type": "media_items", "attributes": {"alt_text": "Harbour \\ud83c\\udf05"}}}'
    body = checked(patch_new_item(client, team, document)[1], 200)
    assert body["data"]["attributes"]["alt_text"] == "Harbour \N{SUNRISE}"


def test_json_body_over_a_megabyte_is_413(client: TestClient, team: Team) -> None:
    document = b'{"data": {"type": "media_items", "attributes": {"alt_text": "' + b"x" * (1 << 20) + b'"}}}'
    body = checked(patch_new_item(client, team, document)[1], 413)
    assert body["errors"][0]["detail"] == "The request is larger than 1 MB."
