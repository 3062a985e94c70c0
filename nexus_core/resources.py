"""JSON:API resource objects of the core's read models: what the API answers and what webhooks send."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from nexus_core.media import paths, renditions
from nexus_core.models.base import as_utc
from nexus_core.read_models import MediaItemView, PageView


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
            "url": base_url + paths.url(paths.picture_path(item.file_path, item.renditions)),
            "variants": {name: base_url + paths.url(path) for name, path in sorted(item.variants.items())},
            "renditions": renditions_of(item, base_url=base_url),
            "placeholder": item.placeholder.model_dump(include={"color", "thumbhash", "lqip"})
            if item.placeholder
            else None,
            "original_width": item.original_width,
            "original_height": item.original_height,
            "focal_point": item.focal_point,
            "crop": item.crop,
            "rotate": item.rotate,
            "flip": {"horizontal": item.flip_horizontal, "vertical": item.flip_vertical},
            "version": item.version,
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
            (
                renditions.ORIGINAL,
                item.mime_type,
                item.original_width or item.width,
                item.original_height or item.height,
                item.file_size,
                item.file_path,
            ),
            *((r.name, r.mime_type, r.width, r.height, r.file_size, r.path) for r in made),
        )
    ]


def folder_identifier(folder_id: UUID | None) -> dict[str, str] | None:
    """The resource identifier of a folder; None (JSON null) for the library's root."""
    return {"type": "folders", "id": str(folder_id)} if folder_id else None


def page_resource(page: PageView, *, project_slug: str, base_url: str) -> dict[str, Any]:
    """A page as a JSON:API resource object (pages have no API of their own: `url` is the public page)."""
    return {
        "type": "pages",
        "id": str(page.id),
        "attributes": {
            "title": page.title,
            "slug": page.slug,
            "template": page.template,
            "status": page.status,
            "url": f"{base_url}/p/{project_slug}/{page.slug}",
            "published_at": as_utc(page.published_at).isoformat() if page.published_at else None,
            "updated_at": as_utc(page.updated_at).isoformat(),
        },
    }
