"""Requests under /api/v1 that no operation takes: a JSON:API 404 or 405, never the admin's page.

The app here mounts an HTML "not found" page at `/`, as the real app mounts NiceGUI there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from nexus_core.api import router as api_router
from tests.core.api.helpers import Team, checked


async def admin_not_found_page(scope: Scope, receive: Receive, send: Send) -> None:
    await HTMLResponse("<!doctype html><title>Nexus admin</title>Not found", status_code=404)(
        scope, receive, send
    )


@pytest.fixture
def mounted() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(api_router)
    app.mount("/", admin_not_found_page)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/api/v1/media_items", "GET, POST, OPTIONS"),
        ("PUT", "/api/v1/media_items", "GET, POST, OPTIONS"),
        ("DELETE", "/api/v1/media_items", "GET, POST, OPTIONS"),
        ("HEAD", "/api/v1/media_items", "GET, POST, OPTIONS"),
        ("POST", "/api/v1/media_items/0190f0f0-0000-7000-8000-000000000000", "GET, PATCH, DELETE, OPTIONS"),
        ("PUT", "/api/v1/media_items/anything", "GET, PATCH, DELETE, OPTIONS"),
        ("POST", "/api/v1/openapi.json", "GET, OPTIONS"),
    ],
)
def test_known_path_with_another_method_is_405_with_allow(
    mounted: TestClient, team: Team, method: str, path: str, allow: str
) -> None:
    response = mounted.request(method, path, headers=team.headers("admin"))
    assert response.headers["allow"] == allow
    if method == "HEAD":
        assert (response.status_code, response.content) == (405, b"")
        return
    body = checked(response, 405)
    assert method in body["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/subscriptions"),
        ("GET", "/api/v1/folders/a/b"),
        ("GET", "/api/v1/nope"),
        ("GET", "/api/v1"),
        ("GET", "/api/v1/"),
        ("GET", "/api/v1/media_items/a/b"),
        ("OPTIONS", "/api/v1/nope"),
        ("TRACE", "/api/v1/nope"),
    ],
)
def test_unknown_path_is_a_jsonapi_404(mounted: TestClient, team: Team, method: str, path: str) -> None:
    checked(mounted.request(method, path, headers=team.headers("admin")), 404)


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/v1/media_items", "GET, POST, OPTIONS"),
        ("/api/v1/media_items/x", "GET, PATCH, DELETE, OPTIONS"),
    ],
)
def test_options_on_a_known_path_is_204_with_allow_and_needs_no_key(
    mounted: TestClient, path: str, allow: str
) -> None:
    response = mounted.options(path)
    assert (response.status_code, response.headers["allow"], response.content) == (204, allow, b"")


def test_paths_outside_the_api_still_reach_the_mount(mounted: TestClient) -> None:
    for path in ["/api/v1x", "/api", "/media-library"]:
        response = mounted.get(path)
        assert (response.status_code, response.headers["content-type"]) == (404, "text/html; charset=utf-8")
