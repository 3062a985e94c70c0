"""Generated hostile input: /media paths that try to escape, image files with broken headers, and
API query parameters and documents."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from nexus_core import accounts
from nexus_core.api import router as api_router
from nexus_core.errors import NexusError
from nexus_core.media import metadata, processing, validation
from nexus_core.media.paths import generate_path
from nexus_core.media.proxy import get_storage, router
from nexus_core.media.storage import LocalStorage
from nexus_core.models import Role
from tests import images
from tests.factories import make_member, make_project
from tests.jsonapi import assert_valid_document

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


# The JSON:API with generated query parameters and PATCH documents: answers are documents, never a 500.

QUERY_VALUES = st.one_of(
    st.integers().map(str),
    st.integers(min_value=2**62, max_value=2**80).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
)
# Strings with lone surrogates among other characters (json.dumps writes them as "\udXXX" escapes).
STRINGS = st.text(
    alphabet=st.characters() | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=40
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | STRINGS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(STRINGS, children, max_size=4),
    max_leaves=20,
)
DOCUMENTS = st.one_of(
    JSON_VALUES,
    st.one_of(STRINGS, JSON_VALUES).map(
        lambda alt_text: {"data": {"type": "media_items", "attributes": {"alt_text": alt_text}}}
    ),
)


@pytest.fixture
def api(session: Session) -> tuple[TestClient, dict[str, str], str]:
    """The API, an editor's headers, and the id of an item of theirs."""
    actor = make_member(session, make_project(session), Role.EDITOR)
    token = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id).token
    app = FastAPI()
    app.include_router(api_router)
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    files = {"file": ("a.png", images.png(10, 10), "image/png")}
    item_id = client.post("/api/v1/media_items", headers=headers, files=files).json()["data"]["id"]
    return client, headers, item_id


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parameter=st.sampled_from(["page[offset]", "page[limit]", "filter[status]", "filter[q]"]),
    value=QUERY_VALUES,
)
def test_generated_query_parameters_are_answered_or_named(
    api: tuple[TestClient, dict[str, str], str], parameter: str, value: str
) -> None:
    client, headers, _ = api
    answer = client.get("/api/v1/media_items", params={parameter: value}, headers=headers)
    assert answer.status_code in (200, 400), (parameter, value, answer.text)
    assert_valid_document(answer.json())
    if answer.status_code == 400:
        assert answer.json()["errors"][0]["source"] == {"parameter": parameter}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=DOCUMENTS)
def test_generated_patch_documents_are_answered_never_a_server_error(
    api: tuple[TestClient, dict[str, str], str], document: object
) -> None:
    client, headers, item_id = api
    answer = client.patch(
        f"/api/v1/media_items/{item_id}",
        content=json.dumps(document).encode(),
        headers=headers | {"Content-Type": "application/vnd.api+json"},
    )
    assert answer.status_code in (200, 400, 409, 422), (document, answer.text)
    assert_valid_document(answer.json())
