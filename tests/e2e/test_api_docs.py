"""/api/docs in Chromium: Swagger UI draws every operation of the OpenAPI document from files this server
sends (nothing from another site, no script the page's policy refuses), at desktop and phone sizes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.library import screenshot

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 812)])
def test_the_api_docs_show_every_operation_from_this_server(
    page: Page, base_url: str, screenshots: Path, width: int, height: int
) -> None:
    document = httpx.get(f"{base_url}/api/v1/openapi.json").json()
    operations = sum(len(METHODS & set(path)) for path in document["paths"].values())
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: _keep_errors(message, errors))
    page.set_viewport_size({"width": width, "height": height})

    page.goto("/api/docs")
    expect(page).to_have_title("Nexus Media API")
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/media_items").first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    screenshot(page, screenshots / f"api-docs-{width}.png")

    assert [url for url in requested if not url.startswith(base_url)] == []
    assert errors == []


def _keep_errors(message: ConsoleMessage, errors: list[str]) -> None:
    if message.type == "error":
        errors.append(message.text)
