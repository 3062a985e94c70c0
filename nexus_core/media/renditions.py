"""The renditions made of every raster original: the resized copies ("variants", one row each) in the
original's format and in the modern formats NEXUS_MODERN_FORMATS asks for, and the same widths cut to
each aspect ratio image fields may ask for. Read by processing, paths, the use cases, maintenance, the
API, the renderer and the UI.

A variant keeps its picture's format and aspect ratio; its WebP and AVIF copies have its width and
name (`<item>_<name>.webp`). An aspect rendition (`<item>_16x9_large.jpg`) is the largest box of that
shape in the picture around its focal point, at the variant's width. An animation gets only formats
that animate (WebP) and no aspect renditions; a drawing (SVG) none at all. A picture whose edits change
its pixels also gets itself at its full size (FULL, `<item>-v<N>_full.<ext>`) in its own format only: what
the original is for an unedited picture, its widest rendition and what the item's `url` serves.
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


@dataclass(frozen=True)
class Aspect:
    """A shape an image field may ask for, width to height (16:9)."""

    width: int
    height: int

    @property
    def name(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def ratio(self) -> float:
        return self.width / self.height

    def height_at(self, width: int) -> int:
        return max(1, round(width * self.height / self.width))


@dataclass(frozen=True)
class AspectRendition:
    name: str  # `<aspect>_<variant>`: 16x9_large
    aspect: Aspect
    width: int


WIDE = Aspect(16, 9)
ASPECTS: tuple[Aspect, ...] = (WIDE,)
"""Every aspect a template field declares (content.templates checks): each raster gets renditions of each."""
ASPECT_RENDITIONS: Mapping[str, AspectRendition] = MappingProxyType(
    {
        f"{aspect.name}_{rendition.name}": AspectRendition(
            f"{aspect.name}_{rendition.name}", aspect, rendition.width
        )
        for aspect in ASPECTS
        for rendition in RENDITIONS
    }
)
FULL = "full"
"""The edited picture at its full size, in the item's own format (made when the edits change the pixels)."""
FILE_NAMES: tuple[str, ...] = (*NAMES, *ASPECT_RENDITIONS, FULL)
"""Every name a rendition's path may carry after the item (`<item>_<name>.<ext>`)."""

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


def variant_widths(
    width: int | None, *, widest_at_own_width: bool = False, candidates: Mapping[str, int] = WIDTHS
) -> dict[str, int]:
    """The variants a picture of this width gets: those narrower than it (the original, or the edited
    picture's FULL, serves the widest); with `widest_at_own_width`, for a picture no file stands in for at full size
    (an aspect box), also the next one up, at its own width."""
    if not width:
        return {}
    wanted = {name: size for name, size in candidates.items() if size < width}
    wider = [name for name, size in candidates.items() if size >= width]
    if widest_at_own_width and wider:
        wanted[min(wider, key=lambda name: candidates[name])] = width
    return wanted


def aspect_widths(
    width: int | None, height: int | None, *, candidates: Iterable[str] = ASPECT_RENDITIONS
) -> dict[str, AspectRendition]:
    """The aspect renditions a picture of this size gets, by name, each at the width it is made: as
    variants of its aspect box (which nothing stands in for, so the widest is the box's own width)."""
    if not width or not height:
        return {}
    wanted = {}
    for aspect in ASPECTS:
        box_width = int(min(width, height * aspect.ratio))
        names = {
            name: made.width for name in candidates if (made := ASPECT_RENDITIONS[name]).aspect == aspect
        }
        for name, size in variant_widths(box_width, widest_at_own_width=True, candidates=names).items():
            wanted[name] = AspectRendition(name, aspect, size)
    return wanted


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
