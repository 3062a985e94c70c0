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
    image = channel.bandjoin([channel.flip("horizontal"), channel.rot180()][: bands - 1])
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
