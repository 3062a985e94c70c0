"""Images on published pages: a library image becomes a <picture> with an AVIF and a WebP source (the
formats it has), an <img> sized by its width and height, with a srcset, and its placeholder (colour,
then LQIP) painted behind it until it loads, with no script. The page's first image loads at once
(`fetchpriority="high"`), the others lazily.

A library image is a reference (content.references): it shows its item's current renditions and, unless
the page gives one for this usage, the item's current alt text, so an edited or replaced picture and a
corrected description appear without the page being saved again; an image field with an aspect ratio
shows the item's renditions of that shape. An item deleted since shows nothing."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from uuid import UUID

from nexus_core.content.references import ImageReference
from nexus_core.content.sanitize import is_safe_image_url
from nexus_core.media import formats, paths, renditions
from nexus_core.media.edits import edits_of
from nexus_core.media.renditions import Aspect, MadeRendition
from nexus_core.models import MediaItem

MediaCatalog = Mapping[UUID, MediaItem]
IMAGE_SIZES = "(max-width: 860px) 100vw, 860px"


class PageImages:
    """The images of one page, in reading order: the first is the one to load at once."""

    def __init__(self, media: MediaCatalog) -> None:
        self.media = media
        self._first = True

    def tag(self, image: ImageReference, *, aspect: Aspect | None = None) -> str:
        """A <picture> or <img>, or "" for an unsafe URL or a missing item; library images get sizes,
        sources, a placeholder (with `aspect`, the item's renditions of that shape, where it has them)."""
        item = self.media.get(image.media_id) if image.media_id else None
        if item is None:
            return self._external(image) if not image.media_id else ""
        if aspect is not None and not _made(item, item.mime_type, aspect):
            aspect = None  # not processed yet (or an animation): the picture as it is
        src = current_url(item, aspect)
        if src is None:
            return ""
        first, self._first = self._first, False
        attributes = {"src": src, "alt": image.alt_for(item.alt_text)}
        if size := _shown_size(item, aspect):
            attributes |= {"width": str(size[0]), "height": str(size[1])}
        if srcset := _srcset(item, item.mime_type, aspect):
            attributes |= {"srcset": srcset, "sizes": IMAGE_SIZES}
        attributes |= _loading(first) | _placeholder_style(item) | {"data-media-id": str(item.id)}
        img = "<img " + _attributes(attributes) + ">"
        sources = "".join(
            f"<source {_attributes({'type': mime, 'srcset': candidates, 'sizes': IMAGE_SIZES})}>"
            for mime in renditions.PICTURE_ORDER
            if (candidates := _srcset(item, mime, aspect))
        )
        return f"<picture>{sources}{img}</picture>" if sources else img

    def _external(self, image: ImageReference) -> str:
        """An image from elsewhere: its URL as stored, when it is http(s)."""
        if not image.src or not is_safe_image_url(image.src):
            return ""
        first, self._first = self._first, False
        return "<img " + _attributes({"src": image.src, "alt": image.alt} | _loading(first)) + ">"


def _loading(first: bool) -> dict[str, str]:
    return {"decoding": "async"} | ({"fetchpriority": "high"} if first else {"loading": "lazy"})


def _attributes(attributes: Mapping[str, str]) -> str:
    return " ".join(f'{name}="{escape(value)}"' for name, value in attributes.items())


def _made(item: MediaItem, mime_type: str, aspect: Aspect | None) -> list[MadeRendition]:
    """The item's renditions in one format, of one shape (None: the picture's own), narrowest first."""
    wanted = (
        {name for name, made in renditions.ASPECT_RENDITIONS.items() if made.aspect == aspect}
        if aspect
        else set(renditions.WIDTHS)
    )
    made = [r for r in renditions.made(item.renditions) if r.mime_type == mime_type and r.name in wanted]
    return sorted(made, key=lambda rendition: rendition.width)


def _srcset(item: MediaItem, mime_type: str, aspect: Aspect | None = None) -> str:
    """The item's renditions in one format, narrowest first; its own format's ends with the picture at
    its full size (no aspect)."""
    if item.mime_type == formats.SVG:
        return ""
    candidates = [(made.width, made.path) for made in _made(item, mime_type, aspect)]
    if (
        not candidates and mime_type == item.mime_type and aspect is None
    ):  # processed before sizes were recorded
        candidates = sorted((renditions.WIDTHS[name], path) for name, path in item.variants.items())
    whole = _full_size(item) if candidates and mime_type == item.mime_type and aspect is None else None
    if whole is not None and whole[0]:
        candidates.append((whole[0], whole[1]))
    return ", ".join(f"{paths.url(path)} {width}w" for width, path in candidates)


def _full_size(item: MediaItem) -> tuple[int | None, str] | None:
    """(width, path) of the picture at its full size: the edited one where its edits made it, the original
    where nothing changes its pixels; None for a picture edited before full sizes were made (its widest
    variant is at its own width) or whose edited version is not processed yet."""
    full = paths.full_picture(item.file_path, renditions.made(item.renditions))
    if full is not None:
        return full.width, full.path
    return None if edits_of(item).reshapes else (item.width, item.file_path)


def current_url(item: MediaItem, aspect: Aspect | None = None) -> str | None:
    """The URL a usage of the item shows now: its `large` rendition in its current version (the widest of
    the aspect's for an aspect field); the picture at its full size when nothing narrower fits."""
    if aspect is not None and (shaped := _made(item, item.mime_type, aspect)):
        return paths.url(shaped[-1].path)
    made = _made(item, item.mime_type, None)
    path = next((r.path for r in made if r.name == renditions.LARGE.name), None)
    path = path or item.variants.get(renditions.LARGE.name)
    if path is None and (whole := _full_size(item)):
        path = whole[1]
    if path is None and made:
        path = made[-1].path
    return paths.url(path) if path else None


def _shown_size(item: MediaItem, aspect: Aspect | None) -> tuple[int, int] | None:
    """The box the picture takes: the widest aspect rendition's, or the picture's as edited."""
    if aspect is not None:
        widest = _made(item, item.mime_type, aspect)[-1]
        return widest.width, widest.height
    return (item.width, item.height) if item.width and item.height else None


def _placeholder_style(item: MediaItem) -> dict[str, str]:
    """The colour and the LQIP behind an opaque picture (behind a transparent one they would show through)."""
    placeholder = item.placeholder
    if not placeholder or not placeholder.get("opaque"):
        return {}
    return {
        "style": f"background-color:{placeholder['color']};background-image:url({placeholder['lqip']});"
        "background-size:cover"
    }
