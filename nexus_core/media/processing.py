"""Pure image work with pyvips: decode an image once and make its renditions from it, in any format.

Bytes in, sizes and rendition bytes out; no storage, no database. What each format is and how it is
written comes from `formats`; which renditions are made, from `renditions`; an edited picture and the
aspect renditions are cut by `framing`; reading, resizing and encoding (and `probe`, the size limits)
are in `pixels`. (Only these modules, the perceptual hash, the placeholders and the demo's drawings
import pyvips.)

`decode` reads an image for its renditions and `encode` makes them in the formats asked for, so the
second job (modern formats) can start from the first job's decode (head_start); `generate_variants`
does both at once.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyvips

from nexus_core.config import DEFAULT_MAX_IMAGE_FRAMES
from nexus_core.media import formats, framing, pixels, placeholders, renditions
from nexus_core.media.edits import ORIGINAL, Edits
from nexus_core.media.pixels import (
    DAMAGED,
    UNREADABLE,
    Description,
    ImageInfo,
    Readable,
    Variant,
    check_size,
    encoder,
    encoding_order,
    fail_on,
    info_of,
    load_upright,
    open_header,
    open_image,
    probe,
    reason_on_failure,
    resize,
    scaled_height,
)

__all__ = [
    "DAMAGED",
    "UNREADABLE",
    "Decoded",
    "ImageInfo",
    "ProcessedImage",
    "Variant",
    "decode",
    "encode",
    "generate_variants",
    "probe",
]

# Each image is processed once, so libvips' operation cache would only hold memory between jobs.
pyvips.cache_set_max(0)
_LIBC = ctypes.CDLL(None)
# glibc's malloc_trim, where there is one (not on musl or macOS).
_MALLOC_TRIM = getattr(_LIBC, "malloc_trim", None)
# One malloc arena for the process: glibc otherwise gives each thread that allocates (libvips' workers,
# each encoder) an arena of its own, and a job's peak memory grows with them — by 19 MB for the WebP and
# AVIF renditions of a 24 MP photo, to above Pillow's (bench.variants); measured no slower.
_M_ARENA_MAX = -8
if hasattr(_LIBC, "mallopt"):
    _LIBC.mallopt(_M_ARENA_MAX, 1)


@dataclass(frozen=True)
class ProcessedImage:
    width: int
    """The picture's size as edited (the upright original's when nothing is)."""
    height: int
    variants: tuple[Variant, ...]
    frames: int = 1
    placeholder: placeholders.Placeholder | None = None
    perceptual_hash: int | None = None
    original_width: int | None = None
    """The upright original's size; None: the same as the picture's."""
    original_height: int | None = None


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


@dataclass(frozen=True)
class Decoded:
    """An image read for its renditions, checked against the limits. A still image as uploaded: decoded
    once, upright, at its widest variant's width (whole when none is narrower). An edited one, or one
    with aspect renditions: the working image `framing` cuts every frame from. An animation keeps its
    bytes and header, as each of its variants streams from a decode of its own. Renditions in any format
    are encoded from it, so the second job can start from the first's decode."""

    mime_type: str
    info: ImageInfo
    wanted: Mapping[str, int]
    """Every rendition to make: name → width."""
    picture: pyvips.Image | None = None  # a still image (the working image when framed)
    palette: bool = False  # a palette PNG, whose PNG variants stay palette PNGs
    animation: tuple[bytes, pyvips.Image] | None = None  # an animation's bytes and header
    edits: Edits = ORIGINAL
    frames: tuple[framing.Frame, ...] | None = None  # cut by framing (edited, or aspect renditions)


def decode(
    data: Readable,
    mime_type: str,
    *,
    max_pixels: int,
    max_frames: int = DEFAULT_MAX_IMAGE_FRAMES,
    widths: Mapping[str, int] | None = None,
    edits: Edits = ORIGINAL,
    aspects: Collection[str] = (),
    full: bool = False,
) -> Decoded:
    """Read the image for its renditions (ImageError when it cannot be). `widths` (by default every
    variant's) and `aspects` (names in renditions.ASPECT_RENDITIONS) are the candidates: each is made
    where the picture is large enough for it (renditions.variant_widths, aspect_widths); with `full`, a
    picture whose edits change its pixels is also made at its own size (renditions.FULL; decoded in
    full for it). Edits and aspects do not apply to animations."""
    header = open_header(data)
    check_size(header, data, max_pixels, max_frames)
    info = info_of(header)
    widths = renditions.WIDTHS if widths is None else widths
    if mime_type == formats.SVG:
        return Decoded(mime_type, info, {})
    wanted = renditions.variant_widths(info.width, candidates=widths)
    if info.pages > 1:
        assert isinstance(data, bytes), "an animation is decoded from its whole bytes"
        return Decoded(mime_type, info, wanted, animation=(data, header))
    palette = bool(mime_type == formats.PNG and header.get_typeof("palette") and header.get("palette"))
    kernel = encoder(mime_type).kernel
    with reason_on_failure(DAMAGED):
        if not edits.is_original or aspects:
            frames = framing.plan(info, edits, widths, {name: None for name in aspects}, full=full)
            planned = {name: size[0] for frame in frames for name, size in frame.sizes.items()}
            working = framing.decode(data, header, info, edits, frames)
            return Decoded(mime_type, info, planned, working, palette, edits=edits, frames=frames)
        # Decoded in full when no variant is narrower, so a damaged image is refused all the same.
        width = max(wanted.values(), default=info.width)
        picture = load_upright(data, header, info, width, kernel)
    return Decoded(mime_type, info, wanted, picture=picture, palette=palette)


def encode(decoded: Decoded, *, outputs: Sequence[str] = (), describe: bool = False) -> ProcessedImage:
    """The renditions of a decoded image, upright (and as edited) and without metadata, in each of
    `outputs` (MIME types; by default the image's own format), and with `describe` its placeholder and
    perceptual hash.

    A still image's narrower variants are each resized in memory from the next wider one, and the
    description made from the smallest while the encoders run.
    """
    info = decoded.info
    if decoded.mime_type == formats.SVG:
        return ProcessedImage(info.width, info.height, (), info.pages)
    kernel = encoder(decoded.mime_type).kernel
    encoders = {output: encoder(output) for output in outputs or (decoded.mime_type,)}
    options = {output: _save_options(decoded, output, found) for output, found in encoders.items()}
    with reason_on_failure(DAMAGED):
        if decoded.animation is not None:
            data, header = decoded.animation
            return _animation(data, header, info, decoded.wanted, kernel, encoders, describe)
        assert decoded.picture is not None, "a still image is decoded"
        if decoded.frames is not None:
            framed = framing.render(
                decoded.picture, info, decoded.edits, decoded.frames, kernel, options, describe
            )
            return _processed(info, framed.variants, framed.description, (framed.width, framed.height))
        if not decoded.wanted:
            return _processed(info, (), Description.of(decoded.picture) if describe else None)
        variants, description = _encode_variants(
            decoded.picture, info, decoded.wanted, kernel, options, describe
        )
    return _processed(info, variants, description)


def generate_variants(
    data: bytes,
    mime_type: str,
    *,
    max_pixels: int,
    max_frames: int = DEFAULT_MAX_IMAGE_FRAMES,
    widths: Mapping[str, int] | None = None,
    outputs: Sequence[str] = (),
    describe: bool = False,
    edits: Edits = ORIGINAL,
    aspects: Collection[str] = (),
    full: bool = False,
) -> ProcessedImage:
    """Decode and encode at once: the renditions of `widths` and `aspects` the picture is large enough
    for, as edited (with `full`, at its own size too), in each of `outputs` (see `decode` and `encode`)."""
    decoded = decode(
        data,
        mime_type,
        max_pixels=max_pixels,
        max_frames=max_frames,
        widths=widths,
        edits=edits,
        aspects=aspects,
        full=full,
    )
    return encode(decoded, outputs=outputs, describe=describe)


def _processed(
    info: ImageInfo,
    variants: tuple[Variant, ...],
    description: Description | None,
    picture: tuple[int, int] | None = None,
) -> ProcessedImage:
    width, height = picture or (info.width, info.height)
    return ProcessedImage(
        width,
        height,
        variants,
        info.pages,
        description.placeholder if description else None,
        description.perceptual_hash if description else None,
        info.width,
        info.height,
    )


def has_private_metadata(data: bytes) -> bool:
    """Whether the image carries XMP, IPTC or EXIF beyond what encoders write on their own.

    libvips (so sharp too) writes a small EXIF block of resolution and colour space into every AVIF
    and WebP it makes; that tells nothing about the person, and re-encoding for it would cost quality.
    """
    with reason_on_failure(UNREADABLE):
        fields = open_image(data).get_fields()
    return any(
        name in ("xmp-data", "iptc-data")
        or (name.startswith("exif-ifd") and name.rpartition("-")[2] not in _ENCODER_EXIF_TAGS)
        for name in fields
    )


def reencode_without_metadata(data: bytes, mime_type: str) -> bytes:
    """The image encoded again in its format, keeping only the colour profile, at its bit depth."""
    with reason_on_failure(DAMAGED):
        image = open_image(data, "truncated")
        found = formats.BY_MIME[mime_type].encoder
        if found is None or found.original_options is None:
            raise ValueError(f"images of type {mime_type} are not re-encoded")
        options = dict(found.original_options)
        if image.get_typeof("bits-per-sample"):
            options["bitdepth"] = image.get("bits-per-sample")
        return bytes(image.write_to_buffer(found.suffix, **options))


def release_memory() -> None:
    """Give the memory a finished job freed back to the system.

    glibc keeps freed blocks in its arenas for reuse, and libvips' worker threads free a great deal, so
    without this a process stays near its highest use long after the job.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _save_options(decoded: Decoded, output: str, output_encoder: formats.Encoder) -> Mapping[str, Any]:
    """The format's options; a palette PNG (a logo, a diagram) stays one, or its variants outgrow it."""
    if decoded.palette and output == decoded.mime_type:
        return {**output_encoder.variant_options, "palette": True, "filter": "none"}
    return output_encoder.variant_options


def _encode_variants(
    widest: pyvips.Image,
    info: ImageInfo,
    wanted: Mapping[str, int],
    kernel: str,
    options: Mapping[str, Mapping[str, Any]],
    describe: bool,
) -> tuple[tuple[Variant, ...], Description | None]:
    """Each variant is resized from the next wider one and encoded (in every output format) in worker
    threads while the following one is resized: encoders are single-threaded and most of the remaining
    work. The description is made from the smallest while the last encoders finish."""
    widest_first = sorted(wanted, key=lambda name: -wanted[name])
    encoded: dict[tuple[str, str], Future[Variant]] = {}
    with ThreadPoolExecutor(max_workers=min(len(wanted) * len(options), os.cpu_count() or 1)) as pool:
        image = widest
        for name in widest_first:
            if image.width != wanted[name]:
                height = scaled_height(info, wanted[name])
                image = resize(image, wanted[name], height, kernel).copy_memory()
            for output in sorted(options, key=encoding_order):
                encoded[name, output] = pool.submit(
                    pixels.encode, name, image, output, options[output], info.pages
                )
        description = Description.of(image) if describe else None
        variants = tuple(encoded[name, output].result() for output in options for name in wanted)
    return variants, description


def _animation(
    data: bytes,
    header: pyvips.Image,
    info: ImageInfo,
    wanted: Mapping[str, int],
    kernel: str,
    encoders: Mapping[str, formats.Encoder],
    describe: bool,
) -> ProcessedImage:
    """Each variant of an animation is a pipeline of its own from the file to the encoder, one at a time;
    the description comes from the first frame of the smallest.

    libvips holds an animation as one strip of frames stacked vertically; like libvips' thumbnail, one
    resize of the whole strip, with a vertical scale that keeps the frame height whole, streams the
    frames through the encoder a few at a time. Nothing holds the strip (with a thousand frames,
    gigabytes), so a GIF takes a few frames' worth of memory whatever their number. (libvips' WebP
    loader keeps every frame it decoded until the end of its pipeline, which the pixel limit bounds;
    one pipeline at a time keeps that to once.)
    """
    variants = tuple(
        _animated_variant(name, width, data, header, info, kernel, output, found)
        for output, found in encoders.items()
        for name, width in wanted.items()
    )
    if not variants:
        open_image(data, fail_on(header), n=-1).avg()  # decoded in full, so a damaged image is refused
    description = None
    if describe:
        first_frame = open_image(min(variants, key=lambda v: v.width).data if variants else data)
        description = Description.of(first_frame)
    return _processed(info, variants, description)


def _animated_variant(
    name: str,
    width: int,
    data: bytes,
    header: pyvips.Image,
    info: ImageInfo,
    kernel: str,
    output: str,
    output_encoder: formats.Encoder,
) -> Variant:
    height = scaled_height(info, width)
    strip = resize(open_image(data, fail_on(header), n=-1), width, height * info.pages, kernel)
    strip = strip.copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", height)
    return pixels.encode(name, strip, output, output_encoder.variant_options, info.pages)
