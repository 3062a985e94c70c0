"""Images on published pages: a library image becomes a <picture> with an AVIF and a WebP source (the
formats it has), an <img> sized by its width and height, with a srcset, and its placeholder (colour,
then LQIP) painted behind it until it loads, with no script. The page's first image loads at once
(`fetchpriority="high"`), the others lazily."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any
from uuid import UUID

from nexus_core.content.sanitize import is_safe_image_url
from nexus_core.media import formats, paths, renditions
from nexus_core.models import MediaItem

MediaCatalog = Mapping[UUID, MediaItem]
IMAGE_SIZES = "(max-width: 860px) 100vw, 860px"


def library_item_id(url: str) -> UUID | None:
    """The media item a `/media/…` URL points at, or None for any other URL."""
    if not url.startswith(paths.MEDIA_URL_PREFIX):
        return None
    parsed = paths.parse_path(url.removeprefix(paths.MEDIA_URL_PREFIX))
    return parsed.item_id if parsed else None


class PageImages:
    """The images of one page, in reading order: the first is the one to load at once."""

    def __init__(self, media: MediaCatalog) -> None:
        self.media = media
        self._first = True

    def tag(self, src: str, *, alt: str | None, media_id: Any = None) -> str:
        """A <picture> or <img>, or "" for an unsafe URL; library images get sizes, sources, a placeholder."""
        if not src or not is_safe_image_url(src):
            return ""
        item = self._item(src, media_id)
        first, self._first = self._first, False
        attributes = {"src": src, "alt": alt or (item.alt_text if item else "")}
        if item is not None and item.width and item.height:
            attributes |= {"width": str(item.width), "height": str(item.height)}
        srcset = _srcset(item, item.mime_type) if item else ""
        if srcset:
            attributes |= {"srcset": srcset, "sizes": IMAGE_SIZES}
        attributes |= {"decoding": "async"} | ({"fetchpriority": "high"} if first else {"loading": "lazy"})
        if item is not None:
            attributes |= _placeholder_style(item) | {"data-media-id": str(item.id)}
        img = "<img " + _attributes(attributes) + ">"
        sources = "".join(
            f"<source {_attributes({'type': mime, 'srcset': candidates, 'sizes': IMAGE_SIZES})}>"
            for mime in renditions.PICTURE_ORDER
            if item is not None and (candidates := _srcset(item, mime))
        )
        return f"<picture>{sources}{img}</picture>" if sources else img

    def _item(self, src: str, media_id: Any) -> MediaItem | None:
        item_id = library_item_id(src)
        if item_id is None and media_id:
            try:
                item_id = UUID(str(media_id))
            except ValueError:
                return None
        return self.media.get(item_id) if item_id else None


def _attributes(attributes: Mapping[str, str]) -> str:
    return " ".join(f'{name}="{escape(value)}"' for name, value in attributes.items())


def _srcset(item: MediaItem, mime_type: str) -> str:
    """The item's renditions in one format, narrowest first; its own format's ends with the original."""
    if item.mime_type == formats.SVG:
        return ""
    candidates = sorted(
        (made.width, made.path) for made in renditions.made(item.renditions) if made.mime_type == mime_type
    )
    if not candidates and mime_type == item.mime_type:  # processed before sizes were recorded
        candidates = sorted((renditions.WIDTHS[name], path) for name, path in item.variants.items())
    if candidates and mime_type == item.mime_type and item.width:
        candidates.append((item.width, item.file_path))
    return ", ".join(f"{paths.url(path)} {width}w" for width, path in candidates)


def _placeholder_style(item: MediaItem) -> dict[str, str]:
    """The colour and the LQIP behind an opaque picture (behind a transparent one they would show through)."""
    placeholder = item.placeholder
    if not placeholder or not placeholder.get("opaque"):
        return {}
    return {
        "style": f"background-color:{placeholder['color']};background-image:url({placeholder['lqip']});"
        "background-size:cover"
    }
