"""Real image files made on the fly for tests: noise and gradients, not flat colour."""

from __future__ import annotations

import struct
import zlib

import pyvips


def _photo(width: int, height: int, bands: int = 3) -> pyvips.Image:
    """A photographic-looking picture: a gradient with noise, so encoders do real work."""
    gradient = pyvips.Image.xyz(width, height)[0] * (255.0 / max(width, 1))
    noise = pyvips.Image.gaussnoise(width, height, sigma=30, mean=0)
    channel = (gradient + noise).cast("uchar")
    image = channel.bandjoin(
        [channel.flip("horizontal"), channel.rot180(), channel.flip("vertical")][: bands - 1]
    )
    return image.copy(interpretation="srgb") if bands >= 3 else image


def jpeg(
    width: int = 1920, height: int = 1080, *, orientation: int | None = None, quality: int = 85
) -> bytes:
    image = _photo(width, height)
    if orientation is not None:
        image = image.copy()
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return bytes(image.jpegsave_buffer(Q=quality))


def png(width: int = 640, height: int = 480, *, alpha: bool = False) -> bytes:
    image = _photo(width, height, bands=4 if alpha else 3)
    return bytes(image.pngsave_buffer())


def webp(width: int = 640, height: int = 480) -> bytes:
    return bytes(_photo(width, height).webpsave_buffer(Q=80))


def avif(width: int = 640, height: int = 480) -> bytes:
    return bytes(_photo(width, height).heifsave_buffer(compression="av1", Q=50))


def gif(width: int = 400, height: int = 300, *, frames: int = 1) -> bytes:
    """A GIF; with frames > 1 an animated one (pages stacked vertically, as libvips expects)."""
    pages = [
        _photo(width, height).rot180() if index % 2 else _photo(width, height) for index in range(frames)
    ]
    strip = pyvips.Image.arrayjoin(pages, across=1)
    if frames > 1:
        strip = strip.copy()
        strip.set_type(pyvips.GValue.gint_type, "page-height", height)
        strip.set_type(pyvips.GValue.array_int_type, "delay", [100] * frames)
    return bytes(strip.gifsave_buffer())


def svg(
    width: int = 100, height: int = 100, body: str = '<circle cx="50" cy="50" r="40" fill="teal"/>'
) -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{body}</svg>'
    ).encode()


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header declares a huge canvas: a decompression bomb."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    data = compressor.compress(row * 64) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


def jpeg_with_camera_exif(width: int = 1200, height: int = 800) -> bytes:
    """A JPEG carrying the EXIF a phone writes: camera make and model, and where it was taken."""
    image = _photo(width, height).copy()
    tags = {
        "exif-ifd0-Make": "Canon",
        "exif-ifd0-Model": "EOS 5D",
        "exif-ifd3-GPSLatitudeRef": "N",
        "exif-ifd3-GPSLatitude": "52/1 31/1 0/1",
        "exif-ifd3-GPSLongitudeRef": "E",
        "exif-ifd3-GPSLongitude": "13/1 24/1 0/1",
    }
    for name, value in tags.items():
        image.set_type(pyvips.GValue.gstr_type, name, value)
    return bytes(image.jpegsave_buffer(Q=85))


def jpeg_dark_left(width: int = 1200, height: int = 800, *, orientation: int | None = None) -> bytes:
    """A JPEG whose stored left half is dark and right half light, to see which way a variant is turned."""
    halves = (
        pyvips.Image.black(width // 2, height)
        .bandjoin([0, 0])
        .join((pyvips.Image.black(width - width // 2, height) + 230).bandjoin([230, 230]), "horizontal")
    )
    image = halves.cast("uchar").copy(interpretation="srgb")
    if orientation is not None:
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return bytes(image.jpegsave_buffer(Q=90))


def png_palette(width: int = 1800, height: int = 1200) -> bytes:
    """An 8-bit palette PNG of flat shapes, the way logos and diagrams are saved."""
    shapes = "".join(
        f'<circle cx="{(index + 1) * width // 9}" cy="{height // 2}" r="{height // 8}" fill="hsl({index * 40},60%,50%)"/>'
        for index in range(8)
    )
    drawing = svg(width, height, f'<rect width="{width}" height="{height}" fill="#f4f4f8"/>{shapes}')
    image = pyvips.Image.svgload_buffer(drawing).flatten().cast("uchar")
    return bytes(image.pngsave_buffer(palette=True))
