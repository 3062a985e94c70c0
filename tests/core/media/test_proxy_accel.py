"""NEXUS_ACCEL_REDIRECT: the proxy checks and decides, nginx sends the local file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from nexus_core.config import get_settings
from nexus_core.media.paths import generate_path
from nexus_core.media.proxy import get_storage, router
from nexus_core.media.storage import LocalStorage, Storage
from tests import images

pytest_plugins = ("tests.s3server",)

# Fixed ids: the test ids made from it must be the same in every xdist worker.
PATH = generate_path(uuid.UUID(int=1), uuid.UUID(int=2), "image/jpeg")
PREFIX = "/_media_files/"


@pytest.fixture(autouse=True)
def accel_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "accel_redirect", PREFIX)


def client_for(storage: Storage) -> TestClient:
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_storage] = lambda: storage
    return TestClient(app)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[TestClient]:
    storage = LocalStorage(tmp_path / "media")
    storage.store(PATH, images.jpeg(200, 100), content_type="image/jpeg")
    yield client_for(storage)


def test_found_file_is_handed_to_nginx_with_our_headers(local: TestClient) -> None:
    answer = local.get(f"/media/{PATH}")
    assert answer.status_code == 200
    assert answer.headers["x-accel-redirect"] == PREFIX + PATH
    assert answer.content == b""
    # An explicit empty length, not a chunked body: nginx keeps the upstream connection for the next
    # request, and its proxy_cache stores the answer as headers only.
    assert answer.headers["content-length"] == "0"
    assert "transfer-encoding" not in answer.headers
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]
    assert answer.headers["etag"].startswith('"')


def test_conditional_request_is_still_answered_by_us(local: TestClient) -> None:
    etag = local.get(f"/media/{PATH}").headers["etag"]
    answer = local.get(f"/media/{PATH}", headers={"If-None-Match": etag})
    assert answer.status_code == 304
    assert "x-accel-redirect" not in answer.headers


@pytest.mark.parametrize(
    "path", [PATH.replace(".jpg", "_thumb.jpg"), "../etc/passwd", "x/y.jpg", PATH + "%00"]
)
def test_missing_or_malformed_paths_never_reach_nginx(local: TestClient, path: str) -> None:
    answer = local.get(f"/media/{path}")
    assert answer.status_code == 404
    assert "x-accel-redirect" not in answer.headers


def test_s3_files_are_always_proxied(s3_storage: Storage) -> None:
    data = images.jpeg(200, 100)
    s3_storage.store(PATH, data, content_type="image/jpeg")
    answer = client_for(s3_storage).get(f"/media/{PATH}")
    assert answer.status_code == 200
    assert "x-accel-redirect" not in answer.headers
    assert answer.content == data
