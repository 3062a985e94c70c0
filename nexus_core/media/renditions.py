"""The renditions made of every raster original: the resized copies ("variants", one row each) in the
original's format and in the modern formats NEXUS_MODERN_FORMATS asks for. Read by processing, paths,
the use cases, maintenance, the API, the renderer and the UI.

A variant keeps its original's format and aspect ratio; its WebP and AVIF copies have its width and
name (`<item>_<name>.webp`). An animation gets only formats that animate (WebP); a drawing (SVG) none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Protocol

from nexus_core.media import formats


@dataclass(frozen=True)
class Rendition:
    name: str  # in the variant's path, `<item>_<name>.<ext>`, and in the item's `variants`
    width: int  # displayed pixels; made only for originals wider than this


# By name where a size is chosen: tiles show THUMB, the detail panel MEDIUM, image fields store LARGE.
THUMB, MEDIUM, LARGE = Rendition("thumb", 300), Rendition("medium", 800), Rendition("large", 1600)
RENDITIONS: tuple[Rendition, ...] = (THUMB, MEDIUM, LARGE)
NAMES: tuple[str, ...] = tuple(rendition.name for rendition in RENDITIONS)
WIDTHS: Mapping[str, int] = MappingProxyType({rendition.name: rendition.width for rendition in RENDITIONS})

MODERN_FORMATS: Mapping[str, str] = MappingProxyType({"webp": formats.WEBP, "avif": formats.AVIF})
"""NEXUS_MODERN_FORMATS's words and the formats they name."""
PICTURE_ORDER: tuple[str, ...] = (formats.AVIF, formats.WEBP)
"""A <picture>'s sources, smallest files first: the browser takes the first it can show."""
ORIGINAL = "original"


def parse_modern_formats(text: str) -> tuple[str, ...]:
    """NEXUS_MODERN_FORMATS ("webp,avif"; empty for none) as MIME types; an unknown word is a ValueError."""
    words = [word.strip().lower() for word in text.split(",") if word.strip()]
    unknown = [word for word in words if word not in MODERN_FORMATS]
    if unknown:
        raise ValueError(
            f"unknown format {', '.join(map(repr, unknown))}: list any of {', '.join(MODERN_FORMATS)} "
            "separated by commas, or leave it empty for none"
        )
    return tuple(dict.fromkeys(MODERN_FORMATS[word] for word in words))


def modern_formats_of(mime_type: str, *, animated: bool, wanted: Iterable[str]) -> tuple[str, ...]:
    """The modern formats an original gets: none for SVG, only animating ones for an animation, never its own."""
    if mime_type == formats.SVG or mime_type not in formats.BY_MIME:
        return ()
    return tuple(
        mime for mime in wanted if mime != mime_type and (formats.BY_MIME[mime].animated or not animated)
    )


def variant_widths(width: int | None) -> dict[str, int]:
    """The variants an original of this width gets: those narrower than it."""
    return {name: size for name, size in WIDTHS.items() if width and size < width}


@dataclass(frozen=True)
class MadeRendition:
    """A stored rendition as the item records it (so lists never ask storage for sizes)."""

    name: str
    mime_type: str
    width: int
    height: int
    file_size: int
    path: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class EncodedVariant(Protocol):
    """What processing hands back for a variant (processing.Variant), without importing it."""

    @property
    def name(self) -> str: ...
    @property
    def mime_type(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def data(self) -> bytes: ...


def made_from(variant: EncodedVariant, path: str) -> MadeRendition:
    """The record of a variant just stored at `path`."""
    return MadeRendition(
        variant.name, variant.mime_type, variant.width, variant.height, len(variant.data), path
    )


def made(recorded: Iterable[Mapping[str, Any]] | None) -> tuple[MadeRendition, ...]:
    """The renditions an item's `renditions` column records (None before it was recorded)."""
    return tuple(MadeRendition(**row) for row in recorded or ())


def is_animated(mime_type: str, frames: int | None) -> bool:
    """Items processed before frames were counted: a GIF is taken to be animated (WebP only, to be safe)."""
    return frames > 1 if frames is not None else mime_type == formats.GIF
