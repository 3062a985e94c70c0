"""Reading, resizing and encoding pictures with pyvips: the header, the size limits (`probe`, which
validation uses), one upright decode shrunk on load, and the pieces processing (the renditions of a
picture) and framing (of an edited one) are built of. Bytes in, images and encoded variants out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyvips

from nexus_core.config import DEFAULT_MAX_IMAGE_FRAMES
from nexus_core.errors import ImageError
from nexus_core.media import fingerprint, formats, placeholders
from nexus_core.media.arriving import ArrivingBytes

Readable = bytes | ArrivingBytes
"""An image's bytes, or those of one still arriving (read as they come)."""
UNREADABLE = "The file is not an image that can be read, or it is damaged."
DAMAGED = "The image is damaged or incomplete."


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    pages: int


@dataclass(frozen=True)
class Variant:
    name: str
    width: int
    height: int
    data: bytes
    mime_type: str


@dataclass(frozen=True)
class Description:
    """What the processing job records besides the variants, made from the smallest picture it decoded."""

    placeholder: placeholders.Placeholder
    perceptual_hash: int | None

    @classmethod
    def of(cls, image: pyvips.Image) -> Description:
        return cls(placeholders.placeholder_of(image), fingerprint.difference_hash(image))


SWAPPED_ORIENTATIONS = frozenset({5, 6, 7, 8})
"""EXIF orientations that turn the picture a quarter: its upright width is its stored height."""
_ANIMATED_LOADERS = tuple(row.loader for row in formats.FORMATS if row.animated)
_SLOWEST_ENCODERS = (formats.AVIF, formats.WEBP)


def probe(data: bytes, *, max_pixels: int, max_frames: int = DEFAULT_MAX_IMAGE_FRAMES) -> ImageInfo:
    """Read the size from the header only; refuse what libvips cannot read and decompression bombs."""
    header = open_header(data)
    check_size(header, data, max_pixels, max_frames)
    return info_of(header)


def encoder(mime_type: str) -> formats.Encoder:
    image_format = formats.BY_MIME.get(mime_type)
    if image_format is None or image_format.encoder is None:
        raise ImageError(f"Images of type {mime_type} cannot be resized.")
    return image_format.encoder


@contextmanager
def reason_on_failure(reason: str) -> Iterator[None]:
    try:
        yield
    except pyvips.Error as error:
        raise ImageError(reason) from error


def open_image(data: Readable, fail_on: str = "truncated", **options: Any) -> pyvips.Image:
    """Open lazily for one top-to-bottom pass; a source over `data` avoids the copy new_from_buffer makes
    (over bytes still arriving, reads wait for them)."""
    source = pyvips.Source.new_from_memory(data) if isinstance(data, bytes) else _arriving_source(data)
    return pyvips.Image.new_from_source(source, "", access="sequential", fail_on=fail_on, **options)


def _arriving_source(data: ArrivingBytes) -> pyvips.Source:
    """A source that reads `data` from its start as it arrives, through a pipe (libvips keeps its own copy
    of the descriptor)."""
    descriptor = data.pipe()
    try:
        return pyvips.Source.new_from_descriptor(descriptor)
    finally:
        os.close(descriptor)


def fail_on(header: pyvips.Image) -> str:
    """libjpeg paints damaged data grey and only warns, so for JPEG a warning is a failure (as in sharp)."""
    return "warning" if header.get("vips-loader").startswith("jpegload") else "truncated"


def open_header(data: Readable) -> pyvips.Image:
    with reason_on_failure(UNREADABLE):
        return open_image(data)


def pages_of(header: pyvips.Image) -> int:
    animated = header.get("vips-loader").startswith(_ANIMATED_LOADERS)
    return int(header.get("n-pages")) if animated and header.get_typeof("n-pages") else 1


def orientation(header: pyvips.Image) -> int:
    return int(header.get("orientation")) if header.get_typeof("orientation") else 1


def check_size(header: pyvips.Image, data: Readable, max_pixels: int, max_frames: int) -> None:
    """Refuse too many frames, and too many pixels counting every frame."""
    pages = pages_of(header)
    if pages > max_frames:
        raise ImageError(f"The animation has {pages} frames; the limit is {max_frames} frames.")
    width, height = _canvas(header, data)
    if width * height * pages <= max_pixels:
        return
    frames = f" in {pages} frames" if pages > 1 else ""
    raise ImageError(
        f"The image is too large: {width} × {height} pixels{frames}; "
        f"the limit is {max_pixels / 1_000_000:g} megapixels."
    )


def _canvas(header: pyvips.Image, data: Readable) -> tuple[int, int]:
    """The size libvips reads, or a GIF's logical screen where that is larger.

    libvips sizes a GIF by its frames, but browsers and other decoders allocate the logical screen,
    so a 1 × 1 frame on a 65535 × 65535 screen is a bomb for everyone else.
    """
    if header.get("vips-loader").startswith("gifload"):
        start = data[:10] if isinstance(data, bytes) else data.head(10)
        screen_width, screen_height = (
            int.from_bytes(start[6:8], "little"),
            int.from_bytes(start[8:10], "little"),
        )
        if screen_width * screen_height > header.width * header.height:
            return screen_width, screen_height
    return header.width, header.height


def info_of(header: pyvips.Image) -> ImageInfo:
    """The upright size (EXIF orientation applied) and the frame count."""
    pages = pages_of(header)
    if pages == 1 and orientation(header) in SWAPPED_ORIENTATIONS:
        return ImageInfo(width=header.height, height=header.width, pages=pages)
    return ImageInfo(width=header.width, height=header.height, pages=pages)


def shrink_on_load(header: pyvips.Image, width: int, height: int) -> int:
    """The largest power-of-two shrink that still leaves at least `width` × `height` stored pixels.

    thumbnail_buffer keeps a factor of two for its final resize, so it would decode a 6000 px JPEG in
    full for 1600 px; like sharp's default and Pillow's draft, we shrink as far as the target allows.
    """
    for shrink in (8, 4, 2):
        if -(-header.width // shrink) >= width and -(-header.height // shrink) >= height:
            return shrink
    return 1


def load_options(header: pyvips.Image, shrink: int) -> dict[str, Any]:
    """The loader's options that decode at 1/`shrink` of the size, where the format can."""
    loader = header.get("vips-loader")
    if loader.startswith("jpegload") and shrink > 1:
        return {"shrink": shrink}
    if loader.startswith("webpload") and shrink > 1:
        return {"scale": 1 / shrink}
    return {}


def load_upright(
    data: Readable, header: pyvips.Image, info: ImageInfo, width: int, kernel: str
) -> pyvips.Image:
    """Decode once, shrinking on load where the format allows, to `width` displayed pixels, upright."""
    height = scaled_height(info, width)
    turn = orientation(header) if info.pages == 1 else 1
    stored_width, stored_height = (height, width) if turn in SWAPPED_ORIENTATIONS else (width, height)
    shrink = shrink_on_load(header, stored_width, stored_height)
    image = resize(
        open_image(data, fail_on(header), **load_options(header, shrink)), stored_width, stored_height, kernel
    ).copy_memory()
    return image.autorot().copy_memory() if turn != 1 else image


def scaled_height(info: ImageInfo, width: int) -> int:
    return max(1, round(info.height * width / info.width))


def resize(image: pyvips.Image, width: int, height: int, kernel: str) -> pyvips.Image:
    """Resize to exactly `width` × `height`."""
    if image.hasalpha():
        resized = image.premultiply().resize(width / image.width, vscale=height / image.height, kernel=kernel)
        return resized.unpremultiply().cast(image.format)
    return image.resize(width / image.width, vscale=height / image.height, kernel=kernel)


def save_options(
    header: pyvips.Image, mime_type: str, output: str, output_encoder: formats.Encoder
) -> Mapping[str, Any]:
    """The format's options; a palette PNG (a logo, a diagram) stays one, or its variants outgrow it."""
    palette = output == mime_type == formats.PNG and header.get_typeof("palette")
    if palette and header.get("palette"):
        return {**output_encoder.variant_options, "palette": True, "filter": "none"}
    return output_encoder.variant_options


def encoding_order(mime_type: str) -> int:
    """The slowest encoders start first, so the last to finish is not one that started late."""
    return _SLOWEST_ENCODERS.index(mime_type) if mime_type in _SLOWEST_ENCODERS else len(_SLOWEST_ENCODERS)


def encode(name: str, image: pyvips.Image, output: str, options: Mapping[str, Any], pages: int) -> Variant:
    data = image.write_to_buffer(encoder(output).suffix, **options)
    return Variant(name, image.width, image.height // pages, bytes(data), output)
