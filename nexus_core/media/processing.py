"""Pure image work with pyvips: read an image's size cheaply and make its resized variants.

The only module that imports pyvips. Bytes in, sizes and variant bytes out; no storage, no database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pyvips

from nexus_core.errors import ImageError

VARIANT_WIDTHS: Mapping[str, int] = MappingProxyType({"thumb": 300, "medium": 800, "large": 1600})

SVG = "image/svg+xml"
UNREADABLE = "The file is not an image that can be read, or it is damaged."
DAMAGED = "The image is damaged or incomplete."

# Each image is processed once, so libvips' operation cache would only hold memory between jobs.
pyvips.cache_set_max(0)


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


@dataclass(frozen=True)
class ProcessedImage:
    width: int
    height: int
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class _Format:
    suffix: str
    save_options: Mapping[str, Any]
    kernel: str


# Lanczos keeps photographs crisp; Mitchell for PNG and GIF, which are mostly graphics, where Lanczos'
# ringing draws halos around hard edges and costs bytes. Metadata is dropped except the colour profile.
_FORMATS: Mapping[str, _Format] = MappingProxyType(
    {
        "image/jpeg": _Format(".jpg", {"Q": 82, "optimize_coding": False, "keep": "icc"}, "lanczos3"),
        "image/png": _Format(".png", {"compression": 7, "filter": "all", "keep": "icc"}, "mitchell"),
        "image/webp": _Format(".webp", {"Q": 82, "effort": 4, "keep": "icc"}, "lanczos3"),
        "image/avif": _Format(
            ".avif", {"compression": "av1", "Q": 55, "effort": 2, "keep": "icc"}, "lanczos3"
        ),
        "image/gif": _Format(".gif", {"effort": 3, "keep": "none"}, "mitchell"),
    }
)
_ANIMATED_LOADERS = ("gifload", "webpload")
_SWAPPED_ORIENTATIONS = frozenset({5, 6, 7, 8})


def probe(data: bytes, *, max_pixels: int) -> ImageInfo:
    """Read the size from the header only; refuse what libvips cannot read and decompression bombs."""
    header = _open_header(data)
    _check_pixels(header, max_pixels)
    return _info(header)


def generate_variants(
    data: bytes, mime_type: str, *, max_pixels: int, widths: Mapping[str, int] = VARIANT_WIDTHS
) -> ProcessedImage:
    """Make the variants narrower than the image, in its own format, upright and without metadata.

    One shrink-on-load decode for the widest variant; each narrower one is resized in memory from the
    next wider one.
    """
    header = _open_header(data)
    _check_pixels(header, max_pixels)
    info = _info(header)
    if mime_type == SVG:
        return ProcessedImage(info.width, info.height, ())
    image_format = _FORMATS.get(mime_type)
    if image_format is None:
        raise ImageError(f"Images of type {mime_type} cannot be resized.")
    wanted = {name: width for name, width in widths.items() if width < info.width}
    with _reason_on_failure(DAMAGED):
        if not wanted:
            _decode_everything(data, header, info)
            return ProcessedImage(info.width, info.height, ())
        widest = _load_upright(data, header, info, max(wanted.values()), image_format.kernel)
        variants = _encode_variants(widest, info, wanted, image_format, _save_options(header, image_format))
    return ProcessedImage(info.width, info.height, variants)


_SCENES = (
    # sky top, sky at the horizon, sun, three hills from far to near
    ((46, 64, 128), (250, 170, 120), (255, 226, 160), (120, 96, 140), (84, 70, 110), (44, 40, 72)),
    ((90, 160, 220), (200, 230, 250), (255, 250, 220), (120, 170, 120), (70, 130, 80), (36, 90, 56)),
    ((18, 24, 60), (70, 60, 130), (240, 240, 255), (60, 60, 110), (40, 40, 84), (20, 20, 50)),
    ((120, 190, 230), (240, 220, 170), (255, 240, 190), (210, 170, 110), (190, 140, 80), (150, 100, 60)),
)


def sample_photo(width: int, height: int, *, seed: int = 0) -> bytes:
    """A JPEG landscape (sky, sun, layered hills, a little grain), so the demo library looks alive."""
    sky_top, sky_bottom, sun, *hills = _SCENES[seed % len(_SCENES)]
    with _reason_on_failure(DAMAGED):
        x, y = pyvips.Image.xyz(width, height).bandsplit()
        depth = (y / height).bandjoin([y / height, y / height])
        scene = depth.linear([b - t for t, b in zip(sky_top, sky_bottom, strict=True)], list(sky_top))
        sun_x, sun_y = width * (0.25 + 0.5 * ((seed * 37) % 10) / 10), height * 0.35
        distance = ((x - sun_x) ** 2 + (y - sun_y) ** 2) ** 0.5
        scene = (distance < min(width, height) * 0.08).ifthenelse(list(sun), scene)
        for layer, colour in enumerate(hills):
            horizon = height * (0.55 + 0.12 * layer) + height * 0.06 * (
                (x * (0.2 + 0.1 * layer) + 47 * seed).sin()
            )
            scene = (y > horizon).ifthenelse(list(colour), scene)
        grain = pyvips.Image.gaussnoise(width, height, sigma=3, mean=0, seed=seed)
        photo = (scene + grain).cast("uchar").copy(interpretation="srgb")
        return bytes(photo.jpegsave_buffer(Q=88, keep="none"))


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


def _check_pixels(header: pyvips.Image, max_pixels: int) -> None:
    pages = _pages(header)
    if header.width * header.height * pages <= max_pixels:
        return
    frames = f" in {pages} frames" if pages > 1 else ""
    raise ImageError(
        f"The image is too large: {header.width} × {header.height} pixels{frames}; "
        f"the limit is {max_pixels / 1_000_000:g} megapixels."
    )


def _info(header: pyvips.Image) -> ImageInfo:
    pages = _pages(header)
    if pages == 1 and _orientation(header) in _SWAPPED_ORIENTATIONS:
        return ImageInfo(width=header.height, height=header.width, pages=pages)
    return ImageInfo(width=header.width, height=header.height, pages=pages)


def _decode_everything(data: bytes, header: pyvips.Image, info: ImageInfo) -> None:
    """Decode an image that needs no variants, so a damaged one is still refused."""
    options = {"n": -1} if info.pages > 1 else {}
    _open(data, _fail_on(header), **options).avg()


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
    if info.pages > 1:
        options["n"] = -1
    image = _resize(
        _open(data, _fail_on(header), **options), stored_width, stored_height, kernel, pages=info.pages
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


def _resize(image: pyvips.Image, width: int, height: int, kernel: str, *, pages: int = 1) -> pyvips.Image:
    """Resize to exactly `width` × `height` per page; each frame of an animation on its own."""
    if pages > 1:
        page_height = image.height // pages
        frames = [image.crop(0, index * page_height, image.width, page_height) for index in range(pages)]
        strip = pyvips.Image.arrayjoin([_resize(frame, width, height, kernel) for frame in frames], across=1)
        strip = strip.copy()
        strip.set_type(pyvips.GValue.gint_type, "page-height", height)
        return strip
    if image.hasalpha():
        resized = image.premultiply().resize(width / image.width, vscale=height / image.height, kernel=kernel)
        return resized.unpremultiply().cast(image.format)
    return image.resize(width / image.width, vscale=height / image.height, kernel=kernel)


def _save_options(header: pyvips.Image, image_format: _Format) -> Mapping[str, Any]:
    """The format's options; a palette PNG (a logo, a diagram) stays one, or its variants outgrow it."""
    palette = header.get("vips-loader").startswith("pngload") and header.get_typeof("palette")
    if palette and header.get("palette"):
        return {**image_format.save_options, "palette": True, "filter": "none"}
    return image_format.save_options


def _encode_variants(
    widest: pyvips.Image,
    info: ImageInfo,
    wanted: Mapping[str, int],
    image_format: _Format,
    save_options: Mapping[str, Any],
) -> tuple[Variant, ...]:
    """Each variant is resized from the next wider one and encoded in a worker thread while the
    following one is resized: encoders are single-threaded and most of the remaining work."""
    widest_first = sorted(wanted, key=lambda name: -wanted[name])
    encoded: dict[str, Future[Variant]] = {}
    with ThreadPoolExecutor(max_workers=min(len(wanted), os.cpu_count() or 1)) as pool:
        image = widest
        for name in widest_first:
            if image.width != wanted[name]:
                height = _scaled_height(info, wanted[name])
                image = _resize(
                    image, wanted[name], height, image_format.kernel, pages=info.pages
                ).copy_memory()
            encoded[name] = pool.submit(_encode, name, image, image_format.suffix, save_options, info.pages)
    return tuple(encoded[name].result() for name in wanted)


def _encode(
    name: str, image: pyvips.Image, suffix: str, save_options: Mapping[str, Any], pages: int
) -> Variant:
    data = image.write_to_buffer(suffix, **save_options)
    return Variant(name=name, width=image.width, height=image.height // pages, data=bytes(data))
