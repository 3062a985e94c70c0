"""Generated hostile input: /media paths that try to escape, and image files with broken headers."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexus_core.errors import NexusError
from nexus_core.media import metadata, processing, validation
from nexus_core.media.paths import generate_path
from nexus_core.media.proxy import get_storage, router
from nexus_core.media.storage import LocalStorage
from tests import images

PROJECT = uuid.UUID("0b5e2c3a-8f1d-4c55-9a0e-3f6d2b7c1e90")
ITEM = uuid.UUID("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a")
SECRET = b"outside the media root"

SEGMENTS = st.sampled_from(
    [
        "..",
        ".",
        "%2e%2e",
        "%2E%2E",
        "..%2f",
        "%2f",
        "%5c",
        "..\\",
        "\\",
        "%00",
        "etc",
        "passwd",
        "secret.txt",
        str(PROJECT),
        f"{ITEM}.jpg",
        f"{ITEM}_thumb.jpg",
        "",
        "~",
        "%252e%252e",
        "..;",
        "....//",
        "/",
        "\u2025",
        "\uff0e\uff0e",
    ]
)
PATHS = st.one_of(
    st.lists(SEGMENTS, min_size=1, max_size=8).map("/".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60).map(
        lambda text: quote(text, safe="/%")
    ),
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "secret.txt").write_bytes(SECRET)  # what an escape would read
    storage = LocalStorage(root / "media")
    storage.store(generate_path(PROJECT, ITEM, "image/jpeg"), images.jpeg(40, 30), content_type="image/jpeg")
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_storage] = lambda: storage
    return TestClient(app)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=PATHS)
def test_no_generated_media_path_escapes_or_errors(client: TestClient, path: str) -> None:
    answer = client.get("/media/" + path)
    assert answer.status_code in (200, 404), (path, answer.status_code)
    assert SECRET not in answer.content
    if answer.status_code == 200:
        assert answer.headers["content-type"] == "image/jpeg"


VALID = {
    "image/jpeg": images.jpeg(64, 48),
    "image/png": images.png(64, 48),
    "image/gif": images.gif(64, 48, frames=2),
    "image/webp": images.webp(64, 48),
}


@st.composite
def damaged_images(draw: st.DrawFn) -> bytes:
    """A valid small image with bytes of its first kilobyte (the headers) overwritten, cut or repeated."""
    data = bytearray(draw(st.sampled_from(list(VALID.values()))))
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, min(len(data) - 1, 1024)))
        data[position] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(1, len(data)))]
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(data=damaged_images())
def test_damaged_headers_are_refused_or_processed_never_crash(data: bytes) -> None:
    try:
        accepted = validation.validate_upload("fuzz.bin", data, max_bytes=1 << 20, max_pixels=10_000_000)
    except NexusError:
        return
    try:
        stripped = metadata.strip_private_metadata(accepted.data, accepted.mime_type)
        result = processing.generate_variants(stripped, accepted.mime_type, max_pixels=10_000_000)
    except NexusError:
        return
    assert result.width > 0 and result.height > 0
