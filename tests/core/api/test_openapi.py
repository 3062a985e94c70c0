"""The OpenAPI document at /api/v1/openapi.json describes the API as it answers: JSON:API media
types, the bodies it reads, the bearer key, and only the API's own paths."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from nexus_core.api import router as api_router
from nexus_core.content.public import router as public_router
from nexus_core.media.proxy import router as media_router
from tests.core.api.helpers import JSONAPI

OPERATIONS = [
    ("get", "/api/v1/media_items"),
    ("post", "/api/v1/media_items"),
    ("get", "/api/v1/media_items/{item_id}"),
    ("patch", "/api/v1/media_items/{item_id}"),
    ("put", "/api/v1/media_items/{item_id}/file"),
    ("delete", "/api/v1/media_items/{item_id}"),
    ("get", "/api/v1/folders"),
    ("post", "/api/v1/folders"),
    ("patch", "/api/v1/folders/{folder_id}"),
    ("delete", "/api/v1/folders/{folder_id}"),
    ("get", "/api/v1/tags"),
    ("post", "/api/v1/operations"),
    ("get", "/api/v1/webhooks"),
    ("post", "/api/v1/webhooks"),
    ("get", "/api/v1/webhooks/{webhook_id}"),
    ("patch", "/api/v1/webhooks/{webhook_id}"),
    ("delete", "/api/v1/webhooks/{webhook_id}"),
    ("post", "/api/v1/webhooks/{webhook_id}/ping"),
    ("get", "/api/v1/webhooks/{webhook_id}/deliveries"),
]


@pytest.fixture
def document() -> dict[str, Any]:
    """The document as a whole app with the API, /media and /p serves it."""
    app = FastAPI(openapi_url=None)
    for router in (media_router, api_router, public_router):
        app.include_router(router)
    with TestClient(app) as client:
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][path][method]


def test_it_describes_the_api_operations_and_nothing_else(document: dict[str, Any]) -> None:
    described = [(method, path) for path, item in document["paths"].items() for method in item]
    assert sorted(described) == sorted(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_answer_with_a_body_is_jsonapi(document: dict[str, Any], method: str, path: str) -> None:
    for status, response in operation(document, method, path)["responses"].items():
        if status == "204":
            assert "content" not in response
            continue
        assert list(response["content"]) == [JSONAPI], status
        if status.startswith(("4", "5")):
            assert response["content"][JSONAPI]["schema"] == {"$ref": "#/components/schemas/ErrorDocument"}


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("get", "/api/v1/media_items", {"200", "400", "401", "404", "503"}),
        (
            "post",
            "/api/v1/media_items",
            {"200", "201", "400", "401", "403", "404", "413", "415", "422", "503"},
        ),
        ("get", "/api/v1/media_items/{item_id}", {"200", "400", "401", "404", "503"}),
        (
            "patch",
            "/api/v1/media_items/{item_id}",
            {"200", "400", "401", "403", "404", "409", "413", "422", "503"},
        ),
        (
            "put",
            "/api/v1/media_items/{item_id}/file",
            {"200", "400", "401", "403", "404", "413", "415", "422", "503"},
        ),
        ("delete", "/api/v1/media_items/{item_id}", {"204", "400", "401", "403", "404", "409", "503"}),
    ],
)
def test_it_lists_the_status_codes_each_operation_answers(
    document: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    assert set(operation(document, method, path)["responses"]) == statuses


def test_request_bodies_are_multipart_for_upload_and_jsonapi_for_patch(document: dict[str, Any]) -> None:
    upload = operation(document, "post", "/api/v1/media_items")["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["file"]
    change = operation(document, "patch", "/api/v1/media_items/{item_id}")["requestBody"]["content"]
    assert list(change) == [JSONAPI]
    attributes = change[JSONAPI]["schema"]["properties"]["data"]["properties"]["attributes"]
    assert (set(attributes["properties"]), attributes["additionalProperties"]) == (
        {"alt_text", "tags", "focal_point", "crop", "rotate", "flip"},
        False,
    )
    replace = operation(document, "put", "/api/v1/media_items/{item_id}/file")["requestBody"]["content"]
    assert list(replace) == ["multipart/form-data"]
    assert replace["multipart/form-data"]["schema"]["required"] == ["file"]


def test_every_operation_needs_the_bearer_key(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["HTTPBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for method, path in OPERATIONS:
        operation_ = operation(document, method, path)
        assert operation_["security"] == [{"HTTPBearer": []}]
        assert all(parameter["in"] != "header" for parameter in operation_.get("parameters", []))


def test_numeric_parameters_have_bounds(document: dict[str, Any]) -> None:
    for method, path in OPERATIONS:
        for parameter in operation(document, method, path).get("parameters", []):
            schema = parameter["schema"]
            if schema.get("type") == "integer":
                assert {"minimum", "maximum"} <= set(schema), parameter["name"]
