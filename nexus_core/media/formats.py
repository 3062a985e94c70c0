"""The image formats the library accepts: one row each, read by validation, paths, processing, the
renderer, the proxy and the upload zone.

Plain data, so that only the processing module imports pyvips: a row names the libvips loader that
reads the format and the save suffix and options that write it. How a format is recognised: rasters by
their magic numbers (the `filetype` library), AVIF first by its ISO-BMFF brands (`filetype` misses the
animated-AVIF brand), SVG by its root element; each raster's completeness check lives in validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

JPEG, PNG, GIF, WEBP, AVIF, SVG = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/svg+xml",
)


@dataclass(frozen=True)
class Encoder:
    """How libvips resizes variants (`kernel`) and writes them: `write_to_buffer(suffix, **options)`."""

    suffix: str
    variant_options: Mapping[str, Any]
    kernel: str
    # Originals that carry metadata only the encoder can drop are written again with these.
    original_options: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ImageFormat:
    mime_type: str
    name: str  # as people read it: "JPEG", "WebP"
    extensions: tuple[str, ...]  # the first is the one stored; all are accepted in file names
    loader: str  # the libvips loader's name starts with this
    animated: bool = False  # whether variants keep every frame
    brands: frozenset[bytes] = frozenset()  # ISO-BMFF brands that identify it
    encoder: Encoder | None = None  # None: never resized or re-encoded (SVG)

    @property
    def extension(self) -> str:
        return self.extensions[0]


def _options(**options: Any) -> Mapping[str, Any]:
    return MappingProxyType(options)


# Lanczos keeps photographs crisp; Mitchell for PNG and GIF, which are mostly graphics, where Lanczos'
# ringing draws halos around hard edges and costs bytes. Metadata is dropped except the colour profile.
# WebP and AVIF are also every raster's modern renditions, at settings chosen by measurement (README,
# "Modern formats"; `python -m bench.variants` checks them): on photo-like pictures WebP quality 80 and
# AVIF quality 54 score the SSIM of JPEG quality 82 at about 60 % and 47 % of its bytes; AVIF effort 2
# takes an eighth of effort 4's time for files 8–10 % larger. An AVIF original is re-encoded well above
# the variants' quality, as the original is what people download.
FORMATS: tuple[ImageFormat, ...] = (
    ImageFormat(
        JPEG,
        "JPEG",
        ("jpg", "jpeg"),
        "jpegload",
        encoder=Encoder(".jpg", _options(Q=82, optimize_coding=False, keep="icc"), "lanczos3"),
    ),
    ImageFormat(
        PNG,
        "PNG",
        ("png",),
        "pngload",
        encoder=Encoder(".png", _options(compression=7, filter="all", keep="icc"), "mitchell"),
    ),
    ImageFormat(
        GIF,
        "GIF",
        ("gif",),
        "gifload",
        animated=True,
        encoder=Encoder(".gif", _options(effort=3, keep="none"), "mitchell"),
    ),
    ImageFormat(
        WEBP,
        "WebP",
        ("webp",),
        "webpload",
        animated=True,
        encoder=Encoder(".webp", _options(Q=80, effort=4, keep="icc"), "lanczos3"),
    ),
    ImageFormat(
        AVIF,
        "AVIF",
        ("avif",),
        "heifload",
        brands=frozenset({b"avif", b"avis"}),
        encoder=Encoder(
            ".avif",
            _options(compression="av1", Q=54, effort=2, keep="icc"),
            "lanczos3",
            original_options=_options(compression="av1", Q=80, effort=2, keep="icc"),
        ),
    ),
    ImageFormat(SVG, "SVG", ("svg",), "svgload"),
)
BY_MIME: Mapping[str, ImageFormat] = MappingProxyType({row.mime_type: row for row in FORMATS})
BY_EXTENSION: Mapping[str, ImageFormat] = MappingProxyType(
    {extension: row for row in FORMATS for extension in row.extensions}
)
SUPPORTED_MIME_TYPES: frozenset[str] = frozenset(BY_MIME)
# "JPEG, PNG, GIF, WebP, AVIF or SVG", for messages and captions.
NAMES = ", ".join(row.name for row in FORMATS[:-1]) + f" or {FORMATS[-1].name}"
# The file picker's `accept`: extensions too, as browsers report no MIME type for some files.
ACCEPT = ",".join(
    [f".{extension}" for row in FORMATS for extension in row.extensions] + [row.mime_type for row in FORMATS]
)
