"""GET /api/v1/openapi.json: the OpenAPI description of the API routes, and nothing else of the app.

Served by the API router rather than by FastAPI's app-wide document, so that /media, /p and the
admin never appear in it. Optional query parameters are described without FastAPI's "or null".
FastAPI adds a 422 "Validation Error" (its own body shape) to every
operation with parameters; JsonApiRoute answers those errors as JSON:API 400s, so they are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, partial
from importlib.metadata import version
from typing import Any

from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.routing import BaseRoute

TITLE = "Nexus Media API"
_FASTAPI_VALIDATION_ERROR = {"$ref": "#/components/schemas/HTTPValidationError"}


def describe(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """The OpenAPI document of `routes` (those with include_in_schema), as JSON:API answers them."""
    document = get_openapi(title=TITLE, version=version("nexus-media"), routes=routes)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema") == (
                _FASTAPI_VALIDATION_ERROR
            ):
                del responses["422"]
            for parameter in operation.get("parameters", []):
                _never_null(parameter)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def openapi_endpoint(routes: Sequence[BaseRoute]) -> Callable[[], JSONResponse]:
    """The endpoint answering the document of `routes`, built on the first request (they are all
    registered by then)."""
    document = cache(partial(describe, routes))

    def openapi_json() -> JSONResponse:
        return JSONResponse(document())

    return openapi_json


def _never_null(parameter: dict[str, Any]) -> None:
    """A query parameter cannot be null, only absent or empty (`filter[folder]=`), which the API
    refuses where the value's schema does; FastAPI describes an optional one as "…or null"."""
    schema = parameter.get("schema", {})
    branches = schema.get("anyOf", [])
    kept = [branch for branch in branches if branch != {"type": "null"}]
    if len(kept) == 1 and len(branches) == 2:
        del schema["anyOf"]
        schema.update(kept[0])
