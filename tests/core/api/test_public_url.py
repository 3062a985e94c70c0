"""Absolute URLs in API answers start at the configured public URL, whatever Host a request names."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from nexus_core.config import Settings, get_settings
from tests import images
from tests.core.api.helpers import Team, checked, upload

UNSET = None


def urls_in_answers(client: TestClient, team: Team, host: str) -> list[str]:
    """Every absolute URL of an upload's answer, its Location, a read and a list, asked with `host`."""
    headers = team.headers("admin") | {"Host": host}
    files = {"file": ("a.png", images.png(10, 10), "image/png")}
    created = client.post("/api/v1/media_items", headers=headers, files=files)
    resource = checked(created, 201)["data"]
    read = checked(client.get(resource["links"]["self"], headers=headers), 200)["data"]
    listed = checked(client.get("/api/v1/media_items", params={"page[limit]": 1}, headers=headers), 200)
    links = [link for link in listed["links"].values() if link]
    return [
        created.headers["location"],
        *(document["attributes"]["url"] for document in (resource, read, listed["data"][0])),
        *(document["links"]["self"] for document in (resource, read, listed["data"][0])),
        *links,
    ]


@pytest.mark.parametrize(
    ("public_url", "trusted_hosts", "host", "expected"),
    [
        ("http://nexus.test", UNSET, "evil.example", "http://nexus.test"),
        ("https://cms.example.com", UNSET, "evil.example", "https://cms.example.com"),
        ("https://cms.example.com/", UNSET, "cms.example.com:6666", "https://cms.example.com"),
        ("https://cms.example.com", UNSET, "127.0.0.1:8080", "https://cms.example.com"),
        ("https://cms.example.com", "cdn.example.com", "cdn.example.com:8443", "http://cdn.example.com:8443"),
        ("https://cms.example.com", "cdn.example.com:443", "cdn.example.com:8443", "https://cms.example.com"),
        ("https://cms.example.com", "*.example.org", "a.example.org", "http://a.example.org"),
        ("https://cms.example.com", "*.example.org", "example.org", "https://cms.example.com"),
        ("https://cms.example.com", "*.example.org", "evil.example/.example.org", "https://cms.example.com"),
        ("https://cms.example.com", "*", "evil.example/x?", "https://cms.example.com"),
        ("https://cms.example.com", "*", "user@evil.example", "https://cms.example.com"),
        (UNSET, UNSET, "127.0.0.1:54321", "http://127.0.0.1:54321"),
        (UNSET, UNSET, "localhost:3000", "http://localhost:3000"),
        (UNSET, UNSET, "[::1]:8000", "http://[::1]:8000"),
        (UNSET, UNSET, "evil.example", "http://127.0.0.1:8080"),
        (UNSET, UNSET, "127.0.0.1.evil.example", "http://127.0.0.1:8080"),
    ],
)
def test_absolute_urls_start_at_the_public_url_unless_the_host_is_trusted(
    client: TestClient,
    team: Team,
    settings_env: pytest.MonkeyPatch,
    public_url: str | None,
    trusted_hosts: str | None,
    host: str,
    expected: str,
) -> None:
    for name, value in {"NEXUS_PUBLIC_URL": public_url, "NEXUS_TRUSTED_HOSTS": trusted_hosts}.items():
        if value is UNSET:
            settings_env.delenv(name, raising=False)
        else:
            settings_env.setenv(name, value)
    get_settings.cache_clear()
    for url in urls_in_answers(client, team, host):
        assert url.startswith(expected + "/"), (url, expected)


def test_a_listed_host_keeps_the_scheme_the_request_came_with(
    client: TestClient, team: Team, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("NEXUS_TRUSTED_HOSTS", "nexus.test")
    get_settings.cache_clear()
    item = checked(upload(client, team, data=images.png(10, 10), name="a.png"), 201)["data"]
    secure = TestClient(client.app, base_url="https://nexus.test")
    answer = checked(secure.get(f"/api/v1/media_items/{item['id']}", headers=team.headers("viewer")), 200)
    assert answer["data"]["links"]["self"] == f"https://nexus.test/api/v1/media_items/{item['id']}"


@pytest.mark.parametrize(
    "public_url", ["cms.example.com", "ftp://cms.example.com", "https://cms.example.com?x=1"]
)
def test_public_url_must_be_an_http_url(monkeypatch: pytest.MonkeyPatch, public_url: str) -> None:
    monkeypatch.setenv("NEXUS_PUBLIC_URL", public_url)
    with pytest.raises(ValidationError, match="public_url"):
        Settings()
