"""The resized copies ("variants") made of every raster original: one row each, read by processing,
paths, the use cases, the renderer and the UI.

A variant keeps its original's format and aspect ratio; a later row may name its own format or crop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Rendition:
    name: str  # in the variant's path, `<item>_<name>.<ext>`, and in the item's `variants`
    width: int  # displayed pixels; made only for originals wider than this


# By name where a size is chosen: tiles show THUMB, the detail panel MEDIUM, image fields store LARGE.
THUMB, MEDIUM, LARGE = Rendition("thumb", 300), Rendition("medium", 800), Rendition("large", 1600)
RENDITIONS: tuple[Rendition, ...] = (THUMB, MEDIUM, LARGE)
NAMES: tuple[str, ...] = tuple(rendition.name for rendition in RENDITIONS)
WIDTHS: Mapping[str, int] = MappingProxyType({rendition.name: rendition.width for rendition in RENDITIONS})
