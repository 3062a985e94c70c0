"""JSON:API documents: resources, lists with paging links, and error objects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi.responses import JSONResponse

from nexus_core.media import paths, renditions
from nexus_core.models.base import as_utc
from nexus_core.read_models import MediaItemView

JSONAPI_MEDIA_TYPE = "application/vnd.api+json"


class JsonApiResponse(JSONResponse):
    media_type = JSONAPI_MEDIA_TYPE


def media_item_resource(item: MediaItemView, *, base_url: str) -> dict[str, Any]:
    """One media item as a JSON:API resource object; file URLs are absolute proxy URLs."""
    return {
        "type": "media_items",
        "id": str(item.id),
        "attributes": {
            "filename": item.filename,
            "mime_type": item.mime_type,
            "file_size": item.file_size,
            "width": item.width,
            "height": item.height,
            "alt_text": item.alt_text,
            "status": item.status,
            "error": item.error,
            "url": base_url + paths.url(item.file_path),
            "variants": {name: base_url + paths.url(path) for name, path in sorted(item.variants.items())},
            "renditions": renditions_of(item, base_url=base_url),
            "placeholder": item.placeholder.model_dump(include={"color", "thumbhash", "lqip"})
            if item.placeholder
            else None,
            "tags": list(item.tags),
            "sha256": item.sha256,
            "inserted_at": as_utc(item.inserted_at).isoformat(),
            "updated_at": as_utc(item.updated_at).isoformat(),
        },
        "relationships": {"folder": {"data": folder_identifier(item.folder_id)}},
        "links": {"self": f"{base_url}/api/v1/media_items/{item.id}"},
    }


def renditions_of(item: MediaItemView, *, base_url: str) -> list[dict[str, Any]]:
    """The original, then each stored rendition: its own format's first, then by format and width."""
    made = sorted(item.renditions, key=lambda r: (r.mime_type != item.mime_type, r.mime_type, r.width))
    return [
        {
            "name": name,
            "format": mime_type,
            "width": width,
            "height": height,
            "file_size": file_size,
            "url": base_url + paths.url(path),
        }
        for name, mime_type, width, height, file_size, path in (
            (renditions.ORIGINAL, item.mime_type, item.width, item.height, item.file_size, item.file_path),
            *((r.name, r.mime_type, r.width, r.height, r.file_size, r.path) for r in made),
        )
    ]


def folder_identifier(folder_id: UUID | None) -> dict[str, str] | None:
    """The resource identifier of a folder; None (JSON null) for the library's root."""
    return {"type": "folders", "id": str(folder_id)} if folder_id else None


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
