"""What a page or a tile shows until a picture has loaded: its dominant colour, its ThumbHash and a tiny
blurred WebP as a data URI (LQIP), made by the processing job from the smallest picture it decoded.

With `processing` and `fingerprint` one of the few modules that import pyvips.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import pyvips

from nexus_core.media import thumbhash

SIDE = 32
"""The picture is reduced to fit SIDE × SIDE first: plenty for a colour, a ThumbHash and a blur."""
LQIP_MAX_BYTES = 1024
LQIP_SIDES = (24, 16, 8)
"""Tried in turn until the data URI fits LQIP_MAX_BYTES (a 24 px WebP is usually 200–400 bytes)."""
LQIP_QUALITY = 40


@dataclass(frozen=True)
class Placeholder:
    color: str  # "#rrggbb"
    thumbhash: str  # base64
    lqip: str  # data:image/webp;base64,…
    opaque: bool  # no transparency: the placeholder may sit behind the picture

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def placeholder_of(image: pyvips.Image) -> Placeholder:
    """The placeholder of an upright picture (already small: its smallest variant)."""
    small = _srgb_with_alpha(image.thumbnail_image(SIDE, height=SIDE)).copy_memory()
    rgba = bytes(small.write_to_memory())
    return Placeholder(
        color=dominant_colour(rgba),
        thumbhash=base64.b64encode(thumbhash.encode(small.width, small.height, rgba)).decode(),
        lqip=_lqip(small),
        opaque=small[3].min() == 255,
    )


def _srgb_with_alpha(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB with an alpha band, whatever came in (grey, 16-bit, CMYK)."""
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if not image.hasalpha():
        image = image.bandjoin(255)
    return image.cast("uchar")


def dominant_colour(rgba: bytes) -> str:
    """The mean of the most common colour, counting colours coarsely (16 levels a channel) and ignoring
    transparent pixels; the picture's mean when every pixel is transparent."""
    pixels = [tuple(rgba[index : index + 3]) for index in range(0, len(rgba), 4) if rgba[index + 3] >= 128]
    pixels = pixels or [tuple(rgba[index : index + 3]) for index in range(0, len(rgba), 4)]
    buckets = Counter((r >> 4, g >> 4, b >> 4) for r, g, b in pixels)
    common = buckets.most_common(1)[0][0]
    members = [pixel for pixel in pixels if (pixel[0] >> 4, pixel[1] >> 4, pixel[2] >> 4) == common]
    mean = (round(sum(pixel[band] for pixel in members) / len(members)) for band in range(3))
    return "#" + "".join(f"{value:02x}" for value in mean)


def _lqip(small: pyvips.Image) -> str:
    for side in LQIP_SIDES:
        tiny = small.thumbnail_image(side, height=side)
        data = tiny.webpsave_buffer(Q=LQIP_QUALITY, effort=4, keep="none", alpha_q=LQIP_QUALITY)
        uri = "data:image/webp;base64," + base64.b64encode(data).decode()
        if len(uri) <= LQIP_MAX_BYTES:
            return uri
    raise AssertionError("an 8 px WebP is always under 1 KB")
