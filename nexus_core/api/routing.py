"""A route class that turns every error into a JSON:API error document, for this router only, and
refuses query parameters the route does not declare (an unknown filter must not mean "everything")."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError

from nexus_core.api.documents import error_response
from nexus_core.body_limit import CLOSE
from nexus_core.errors import (
    InvalidAttribute,
    InvalidParameter,
    MediaInUse,
    NexusError,
    NotAuthenticated,
    RequestTooLarge,
)

logger = logging.getLogger(__name__)


class JsonApiRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        known = frozenset(
            field.alias
            for field in get_flat_params(self.dependant)
            if isinstance(field.field_info, params.Query)
        )

        async def handle(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                return _unknown_parameter_response(unknown[0], known)
            try:
                return await handler(request)
            except NexusError as error:
                return nexus_error_response(error)
            except RequestValidationError as error:
                return _validation_error_response(error)
            except OperationalError:
                logger.exception("Database unavailable while answering %s", request.url.path)
                detail = "The database is unavailable right now; please try again in a moment."
                return error_response(503, "Service unavailable", detail, headers={"Retry-After": "5"})
            except HTTPException as error:
                return error_response(error.status_code, "Error", str(error.detail))

        return handle


def nexus_error_response(error: NexusError, *, pointer: str | None = None) -> Response:
    """The JSON:API error document of a domain error; `pointer` names the part of the request
    document it is about (JSON Pointer)."""
    source = {"parameter": error.parameter} if isinstance(error, InvalidParameter) else None
    if isinstance(error, InvalidAttribute):
        source = {"pointer": f"{pointer or ''}/data/attributes/{error.attribute}"}
    elif pointer is not None:
        source = {"pointer": pointer}
    return error_response(
        error.status_code,
        error.title,
        str(error),
        source=source,
        meta=_error_meta(error),
        headers=_error_headers(error),
    )


def _unknown_parameter_response(parameter: str, known: frozenset[str]) -> Response:
    takes = ", ".join(sorted(known)) or "none"
    detail = f"{parameter}: unknown query parameter; this operation takes {takes}."
    return error_response(400, "Unknown query parameter", detail, source={"parameter": parameter})


def _validation_error_response(error: RequestValidationError) -> Response:
    """A bad query parameter is a 400 naming it in `source.parameter` (JSON:API); anything else a 422."""
    first = error.errors()[0]
    where = first.get("loc", ())
    parameter = str(where[-1]) if where else ""
    detail = f"{parameter}: {first.get('msg', 'invalid value')}" if parameter else "Invalid request."
    if where and where[0] == "query":
        return error_response(400, "Invalid query parameter", detail, source={"parameter": parameter})
    return error_response(422, "Invalid input", detail)


def _error_headers(error: NexusError) -> dict[str, str] | None:
    if isinstance(error, NotAuthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RequestTooLarge):
        return CLOSE
    if error.retry_after is not None:
        return {"Retry-After": str(error.retry_after)}
    return None


def _error_meta(error: NexusError) -> dict[str, Any] | None:
    if isinstance(error, MediaInUse):
        return {"pages": [{"id": page_id, "title": title} for page_id, title in error.pages]}
    return None
