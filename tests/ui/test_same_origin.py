"""The same-origin guard, one behaviour per row: which requests that act are let through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from nexus_core.config import get_settings
from nexus_ui.same_origin import SameOriginOnly


def _ok(_request: object) -> PlainTextResponse:
    return PlainTextResponse("done")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("NEXUS_PUBLIC_URL", "https://cms.example.com")
    get_settings.cache_clear()
    app = SameOriginOnly(Starlette(routes=[Route("/act", _ok, methods=["GET", "POST"])]))
    yield TestClient(app, base_url="http://internal:8080")
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),  # no Origin: not a browser acting for another site
        ({"Origin": "http://internal:8080"}, True),  # the Host the request names
        ({"Origin": "https://cms.example.com"}, True),  # NEXUS_PUBLIC_URL, when a proxy rewrites Host
        ({"Origin": "https://CMS.example.com:443"}, True),  # case and default port do not matter
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "null"}, False),  # sandboxed frames and data: URLs
        ({"Origin": "http://cms.example.com"}, False),  # another scheme is another origin
        ({"Origin": "http://internal:8080", "Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),  # a sibling host is another origin too
        ({"Sec-Fetch-Site": "same-origin"}, True),
    ],
)
def test_a_post_is_let_through_only_from_this_site(
    client: TestClient, headers: dict[str, str], allowed: bool
) -> None:
    response = client.post("/act", headers=headers)
    assert response.status_code == (200 if allowed else 403)


def test_a_plain_get_from_another_site_is_a_navigation_and_allowed(client: TestClient) -> None:
    assert client.get("/act", headers={"Origin": "https://evil.example"}).status_code == 200
