"""Pure image work with pyvips: read an image's size cheaply and make its resized variants.

The library's only module that imports pyvips (besides `nexus_core.demo_images`, which draws the demo's
pictures). Bytes in, sizes and variant bytes out; no storage, no database. What each format is and how
it is written comes from `formats`; which variants are made, from `renditions`.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyvips

from nexus_core.config import DEFAULT_MAX_IMAGE_FRAMES
from nexus_core.errors import ImageError
from nexus_core.media import formats, placeholders, renditions

UNREADABLE = "The file is not an image that can be read, or it is damaged."
DAMAGED = "The image is damaged or incomplete."

# Each image is processed once, so libvips' operation cache would only hold memory between jobs.
pyvips.cache_set_max(0)
# glibc's malloc_trim, where there is one (not on musl or macOS).
_MALLOC_TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None)


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
class ProcessedImage:
    width: int
    height: int
    variants: tuple[Variant, ...]
    frames: int = 1
    placeholder: placeholders.Placeholder | None = None


_ENCODER_EXIF_TAGS = frozenset(
    {
        "XResolution",
        "YResolution",
        "ResolutionUnit",
        "YCbCrPositioning",
        "Orientation",
        "ExifVersion",
        "FlashpixVersion",
        "ComponentsConfiguration",
        "ColorSpace",
        "PixelXDimension",
        "PixelYDimension",
    }
)
_ANIMATED_LOADERS = tuple(row.loader for row in formats.FORMATS if row.animated)
_SWAPPED_ORIENTATIONS = frozenset({5, 6, 7, 8})


def probe(data: bytes, *, max_pixels: int, max_frames: int = DEFAULT_MAX_IMAGE_FRAMES) -> ImageInfo:
    """Read the size from the header only; refuse what libvips cannot read and decompression bombs."""
    header = _open_header(data)
    _check_size(header, data, max_pixels, max_frames)
    return _info(header)


def generate_variants(
    data: bytes,
    mime_type: str,
    *,
    max_pixels: int,
    max_frames: int = DEFAULT_MAX_IMAGE_FRAMES,
    widths: Mapping[str, int] = renditions.WIDTHS,
    outputs: Sequence[str] = (),
    with_placeholder: bool = False,
) -> ProcessedImage:
    """Make the variants narrower than the image, upright and without metadata, in each of `outputs`
    (MIME types; by default the image's own format), and its placeholder if asked.

    A still image: one shrink-on-load decode for the widest variant; each narrower one is resized in
    memory from the next wider one, and the placeholder made from the smallest. An animation: each
    variant streams from a decode of its own.
    """
    header = _open_header(data)
    _check_size(header, data, max_pixels, max_frames)
    info = _info(header)
    if mime_type == formats.SVG:
        return ProcessedImage(info.width, info.height, (), info.pages)
    kernel = _encoder(mime_type).kernel
    encoders = {output: _encoder(output) for output in outputs or (mime_type,)}
    wanted = {name: width for name, width in widths.items() if width < info.width}
    with _reason_on_failure(DAMAGED):
        if info.pages > 1:
            return _animation(data, header, info, wanted, kernel, encoders, with_placeholder)
        if not wanted:  # decoded in full all the same, so a damaged image is refused
            small = _load_upright(data, header, info, min(info.width, placeholders.SIDE), kernel)
            picture = placeholders.placeholder_of(small) if with_placeholder else None
            return ProcessedImage(info.width, info.height, (), 1, picture)
        options = {
            output: _save_options(header, mime_type, output, encoder) for output, encoder in encoders.items()
        }
        widest = _load_upright(data, header, info, max(wanted.values()), kernel)
        variants, smallest = _encode_variants(widest, info, wanted, kernel, options)
        picture = placeholders.placeholder_of(smallest) if with_placeholder else None
    return ProcessedImage(info.width, info.height, variants, 1, picture)


def _encoder(mime_type: str) -> formats.Encoder:
    image_format = formats.BY_MIME.get(mime_type)
    if image_format is None or image_format.encoder is None:
        raise ImageError(f"Images of type {mime_type} cannot be resized.")
    return image_format.encoder


def has_private_metadata(data: bytes) -> bool:
    """Whether the image carries XMP, IPTC or EXIF beyond what encoders write on their own.

    libvips (so sharp too) writes a small EXIF block of resolution and colour space into every AVIF
    and WebP it makes; that tells nothing about the person, and re-encoding for it would cost quality.
    """
    with _reason_on_failure(UNREADABLE):
        fields = _open(data).get_fields()
    return any(
        name in ("xmp-data", "iptc-data")
        or (name.startswith("exif-ifd") and name.rpartition("-")[2] not in _ENCODER_EXIF_TAGS)
        for name in fields
    )


def reencode_without_metadata(data: bytes, mime_type: str) -> bytes:
    """The image encoded again in its format, keeping only the colour profile, at its bit depth."""
    with _reason_on_failure(DAMAGED):
        image = _open(data, "truncated")
        encoder = formats.BY_MIME[mime_type].encoder
        if encoder is None or encoder.original_options is None:
            raise ValueError(f"images of type {mime_type} are not re-encoded")
        options = dict(encoder.original_options)
        if image.get_typeof("bits-per-sample"):
            options["bitdepth"] = image.get("bits-per-sample")
        return bytes(image.write_to_buffer(encoder.suffix, **options))


def release_memory() -> None:
    """Give the memory a finished job freed back to the system.

    glibc keeps freed blocks in its per-thread arenas for reuse, and libvips' worker threads free
    a great deal, so without this a process stays near its highest use long after the job.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


@contextmanager
def _reason_on_failure(reason: str) -> Iterator[None]:
    try:
        yield
    except pyvips.Error as error:
        raise ImageError(reason) from error


def _open(data: bytes, fail_on: str = "truncated", **options: Any) -> pyvips.Image:
    """Open lazily for one top-to-bottom pass; a source over `data` avoids the copy new_from_buffer makes."""
    source = pyvips.Source.new_from_memory(data)
    return pyvips.Image.new_from_source(source, "", access="sequential", fail_on=fail_on, **options)


def _fail_on(header: pyvips.Image) -> str:
    """libjpeg paints damaged data grey and only warns, so for JPEG a warning is a failure (as in sharp)."""
    return "warning" if header.get("vips-loader").startswith("jpegload") else "truncated"


def _open_header(data: bytes) -> pyvips.Image:
    with _reason_on_failure(UNREADABLE):
        return _open(data)


def _pages(header: pyvips.Image) -> int:
    animated = header.get("vips-loader").startswith(_ANIMATED_LOADERS)
    return int(header.get("n-pages")) if animated and header.get_typeof("n-pages") else 1


def _orientation(header: pyvips.Image) -> int:
    return int(header.get("orientation")) if header.get_typeof("orientation") else 1


def _check_size(header: pyvips.Image, data: bytes, max_pixels: int, max_frames: int) -> None:
    """Refuse too many frames, and too many pixels counting every frame."""
    pages = _pages(header)
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


def _canvas(header: pyvips.Image, data: bytes) -> tuple[int, int]:
    """The size libvips reads, or a GIF's logical screen where that is larger.

    libvips sizes a GIF by its frames, but browsers and other decoders allocate the logical screen,
    so a 1 × 1 frame on a 65535 × 65535 screen is a bomb for everyone else.
    """
    if header.get("vips-loader").startswith("gifload"):
        screen_width, screen_height = (
            int.from_bytes(data[6:8], "little"),
            int.from_bytes(data[8:10], "little"),
        )
        if screen_width * screen_height > header.width * header.height:
            return screen_width, screen_height
    return header.width, header.height


def _info(header: pyvips.Image) -> ImageInfo:
    pages = _pages(header)
    if pages == 1 and _orientation(header) in _SWAPPED_ORIENTATIONS:
        return ImageInfo(width=header.height, height=header.width, pages=pages)
    return ImageInfo(width=header.width, height=header.height, pages=pages)


def _load_upright(
    data: bytes, header: pyvips.Image, info: ImageInfo, width: int, kernel: str
) -> pyvips.Image:
    """Decode once, shrinking on load where the format allows, to `width` displayed pixels, upright."""
    height = _scaled_height(info, width)
    orientation = _orientation(header) if info.pages == 1 else 1
    stored_width, stored_height = (height, width) if orientation in _SWAPPED_ORIENTATIONS else (width, height)
    options: dict[str, Any] = {}
    shrink = _shrink_on_load(header, stored_width, stored_height)
    loader = header.get("vips-loader")
    if loader.startswith("jpegload") and shrink > 1:
        options["shrink"] = shrink
    elif loader.startswith("webpload") and shrink > 1:
        options["scale"] = 1 / shrink
    image = _resize(
        _open(data, _fail_on(header), **options), stored_width, stored_height, kernel
    ).copy_memory()
    return image.autorot().copy_memory() if orientation != 1 else image


def _shrink_on_load(header: pyvips.Image, width: int, height: int) -> int:
    """The largest power-of-two shrink that still leaves at least `width` × `height` pixels.

    thumbnail_buffer keeps a factor of two for its final resize, so it would decode a 6000 px JPEG in
    full for 1600 px; like sharp's default and Pillow's draft, we shrink as far as the target allows.
    """
    for shrink in (8, 4, 2):
        if -(-header.width // shrink) >= width and -(-header.height // shrink) >= height:
            return shrink
    return 1


def _scaled_height(info: ImageInfo, width: int) -> int:
    return max(1, round(info.height * width / info.width))


def _resize(image: pyvips.Image, width: int, height: int, kernel: str) -> pyvips.Image:
    """Resize to exactly `width` × `height`."""
    if image.hasalpha():
        resized = image.premultiply().resize(width / image.width, vscale=height / image.height, kernel=kernel)
        return resized.unpremultiply().cast(image.format)
    return image.resize(width / image.width, vscale=height / image.height, kernel=kernel)


def _save_options(
    header: pyvips.Image, mime_type: str, output: str, encoder: formats.Encoder
) -> Mapping[str, Any]:
    """The format's options; a palette PNG (a logo, a diagram) stays one, or its variants outgrow it."""
    palette = output == mime_type == formats.PNG and header.get_typeof("palette")
    if palette and header.get("palette"):
        return {**encoder.variant_options, "palette": True, "filter": "none"}
    return encoder.variant_options


def _encode_variants(
    widest: pyvips.Image,
    info: ImageInfo,
    wanted: Mapping[str, int],
    kernel: str,
    options: Mapping[str, Mapping[str, Any]],
) -> tuple[tuple[Variant, ...], pyvips.Image]:
    """Each variant is resized from the next wider one and encoded (in every output format) in worker
    threads while the following one is resized: encoders are single-threaded and most of the remaining
    work. Also returns the smallest, decoded, for the placeholder."""
    widest_first = sorted(wanted, key=lambda name: -wanted[name])
    encoded: dict[tuple[str, str], Future[Variant]] = {}
    with ThreadPoolExecutor(max_workers=min(len(wanted) * len(options), os.cpu_count() or 1)) as pool:
        image = widest
        for name in widest_first:
            if image.width != wanted[name]:
                height = _scaled_height(info, wanted[name])
                image = _resize(image, wanted[name], height, kernel).copy_memory()
            for output, save_options in options.items():
                encoded[name, output] = pool.submit(_encode, name, image, output, save_options, info.pages)
    return tuple(encoded[name, output].result() for output in options for name in wanted), image


def _animation(
    data: bytes,
    header: pyvips.Image,
    info: ImageInfo,
    wanted: Mapping[str, int],
    kernel: str,
    encoders: Mapping[str, formats.Encoder],
    with_placeholder: bool,
) -> ProcessedImage:
    """Each variant of an animation is a pipeline of its own from the file to the encoder, one at a time;
    the placeholder comes from the first frame of the smallest.

    libvips holds an animation as one strip of frames stacked vertically; like libvips' thumbnail, one
    resize of the whole strip, with a vertical scale that keeps the frame height whole, streams the
    frames through the encoder a few at a time. Nothing holds the strip (with a thousand frames,
    gigabytes), so a GIF takes a few frames' worth of memory whatever their number. (libvips' WebP
    loader keeps every frame it decoded until the end of its pipeline, which the pixel limit bounds;
    one pipeline at a time keeps that to once.)
    """
    variants = tuple(
        _animated_variant(name, width, data, header, info, kernel, output, encoder)
        for output, encoder in encoders.items()
        for name, width in wanted.items()
    )
    if not variants:
        _open(data, _fail_on(header), n=-1).avg()  # decoded in full, so a damaged image is refused
    picture = None
    if with_placeholder:
        first_frame = _open(min(variants, key=lambda v: v.width).data if variants else data)
        picture = placeholders.placeholder_of(first_frame)
    return ProcessedImage(info.width, info.height, variants, info.pages, picture)


def _animated_variant(
    name: str,
    width: int,
    data: bytes,
    header: pyvips.Image,
    info: ImageInfo,
    kernel: str,
    output: str,
    encoder: formats.Encoder,
) -> Variant:
    height = _scaled_height(info, width)
    strip = _resize(_open(data, _fail_on(header), n=-1), width, height * info.pages, kernel)
    strip = strip.copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", height)
    return _encode(name, strip, output, encoder.variant_options, info.pages)


def _encode(
    name: str, image: pyvips.Image, output: str, save_options: Mapping[str, Any], pages: int
) -> Variant:
    suffix = _encoder(output).suffix
    data = image.write_to_buffer(suffix, **save_options)
    return Variant(name, image.width, image.height // pages, bytes(data), output)
