"""JSON:API documents: the response class, lists with paging links, and error objects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi.responses import JSONResponse

JSONAPI_MEDIA_TYPE = "application/vnd.api+json"


class JsonApiResponse(JSONResponse):
    media_type = JSONAPI_MEDIA_TYPE


def page_links(
    *, self_url: str, query: dict[str, str], offset: int, limit: int, more: bool
) -> dict[str, str | None]:
    """`more`: items follow this page (so `next` is given)."""

    def at(position: int) -> str:
        return f"{self_url}?{urlencode({**query, 'page[offset]': position, 'page[limit]': limit})}"

    return {
        "self": at(offset),
        "first": at(0),
        "prev": at(max(offset - limit, 0)) if offset > 0 else None,
        "next": at(offset + limit) if more else None,
    }


def error_document(
    status: int,
    title: str,
    detail: str,
    source: dict[str, str] | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {"status": str(status), "title": title, "detail": detail}
    if source:
        error["source"] = source
    if meta:
        error["meta"] = meta
    return {"errors": [error]}


def error_response(
    status: int,
    title: str,
    detail: str,
    *,
    source: dict[str, str] | None = None,
    meta: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonApiResponse:
    document = error_document(status, title, detail, source, meta)
    return JsonApiResponse(document, status_code=status, headers=headers)
