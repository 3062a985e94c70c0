"""Real image files made on the fly for tests: noise and gradients, not flat colour."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pyvips
from PIL import Image, ImageDraw


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


CAMERA = b"EOS 5D"
CAMERA_XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'tiff:Make="Canon" tiff:Model="' + CAMERA + b'" exif:GPSLatitude="52,31.0N" '
    b'exif:GPSLongitude="13,24.0E"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def _with_camera_metadata(image: pyvips.Image) -> pyvips.Image:
    """The EXIF and XMP a phone writes: camera make and model, and where the picture was taken."""
    image = image.copy()
    tags = {
        "exif-ifd0-Make": "Canon",
        "exif-ifd0-Model": CAMERA.decode(),
        "exif-ifd3-GPSLatitudeRef": "N",
        "exif-ifd3-GPSLatitude": "52/1 31/1 0/1",
        "exif-ifd3-GPSLongitudeRef": "E",
        "exif-ifd3-GPSLongitude": "13/1 24/1 0/1",
    }
    for name, value in tags.items():
        image.set_type(pyvips.GValue.gstr_type, name, value)
    image.set_type(pyvips.GValue.blob_type, "xmp-data", CAMERA_XMP)
    return image


def jpeg_with_camera_exif(width: int = 1200, height: int = 800) -> bytes:
    return bytes(_with_camera_metadata(_photo(width, height)).jpegsave_buffer(Q=85))


def webp_with_camera_metadata(width: int = 640, height: int = 480) -> bytes:
    return bytes(_with_camera_metadata(_photo(width, height)).webpsave_buffer(Q=80))


def avif_with_camera_metadata(width: int = 640, height: int = 480) -> bytes:
    return bytes(_with_camera_metadata(_photo(width, height)).heifsave_buffer(compression="av1", Q=50))


def gif_with_camera_metadata(width: int = 400, height: int = 300, *, frames: int = 2) -> bytes:
    """An animated GIF with XMP in an application extension (as Photoshop writes it) and a comment."""
    data = gif(width, height, frames=frames)
    # XMP in a GIF: the "XMP DataXMP" application extension, then a 258-byte "magic trailer" that
    # makes readers that walk the packet as sub-blocks land on the terminator (XMP spec part 3, 1.1.2).
    magic_trailer = b"\x01" + bytes(range(255, -1, -1)) + b"\x00"
    xmp = b"\x21\xff\x0bXMP DataXMP" + CAMERA_XMP + magic_trailer
    comment = b"\x21\xfe" + bytes([len(b"Taken with " + CAMERA)]) + b"Taken with " + CAMERA + b"\x00"
    screen_end = 13 + (3 * (2 << (data[10] & 0x07)) if data[10] & 0x80 else 0)
    return data[:screen_end] + xmp + comment + data[screen_end:]


def gif_frame_flood(width: int = 400, height: int = 400, *, frames: int = 600) -> bytes:
    """A small animated GIF with many frames of mostly the same picture: a square moves along the top.

    Each frame differs from the last in a few hundred pixels only, so a 96-megapixel animation
    takes about 80 KB: the red team's frame flood.
    """
    background = Image.new("P", (width, height), 1)
    background.putpalette([0, 0, 0, 240, 240, 250, 200, 40, 40])
    pictures = []
    for index in range(frames):
        picture = background.copy()
        left = (index * 7) % max(1, width - 20)
        ImageDraw.Draw(picture).rectangle((left, 10, left + 19, 29), fill=2)
        pictures.append(picture)
    output = io.BytesIO()
    pictures[0].save(output, "GIF", save_all=True, append_images=pictures[1:], duration=40, loop=0)
    return output.getvalue()


def animated_webp(width: int = 400, height: int = 300, *, frames: int = 20) -> bytes:
    strip = pyvips.Image.new_from_buffer(gif_frame_flood(width, height, frames=frames), "", n=-1)
    return bytes(strip.webpsave_buffer(Q=80, effort=0))


def gif_on_screen(screen_width: int, screen_height: int, *, frames: int = 1) -> bytes:
    """A GIF of 1 × 1 frames on a logical screen of the given size, built by hand."""
    screen = (
        b"GIF89a" + struct.pack("<HHBBB", screen_width, screen_height, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    )
    control = b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # a tenth of a second per frame
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"  # one pixel, LZW
    return screen + (control + frame) * frames + b"\x3b"


def exif_in_front(data: bytes, orientation: int | None) -> bytes:
    """The JPEG with one more EXIF block before its own, saying `orientation` (None: saying nothing of it).
    Decoders and browsers read the first EXIF block; cameras and editors sometimes leave two."""
    entries = [struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)] if orientation is not None else []
    tiff = b"II*\0" + struct.pack("<IH", 8, len(entries)) + b"".join(entries) + struct.pack("<I", 0)
    exif = b"Exif\0\0" + tiff
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + data[2:]


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


def scene(width: int = 1200, height: int = 800, *, seed: int = 0) -> pyvips.Image:
    """A photo-like picture of its own for each seed: a tinted gradient, shapes of many colours, grain."""
    chance = random.Random(seed)
    canvas = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(canvas)
    top, bottom = _colour(chance), _colour(chance)
    for row in range(height):
        share = row / max(height - 1, 1)
        draw.line(
            [(0, row), (width, row)],
            fill=tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(24):
        x, y = chance.randrange(width), chance.randrange(height)
        size = chance.randrange(min(width, height) // 20, min(width, height) // 3)
        shape = draw.ellipse if chance.random() < 0.5 else draw.rectangle
        shape((x - size, y - size, x + size, y + size), fill=_colour(chance))
    picture = pyvips.Image.new_from_memory(canvas.tobytes(), width, height, 3, "uchar")
    grain = pyvips.Image.gaussnoise(width, height, sigma=8, mean=0, seed=seed)
    return (picture + grain).cast("uchar").copy(interpretation="srgb")


def _colour(chance: random.Random) -> tuple[int, int, int]:
    return (chance.randrange(256), chance.randrange(256), chance.randrange(256))


RED = (220, 30, 30)


def marked_corner(
    width: int = 1200, height: int = 800, *, kind: str = "jpeg", orientation: int | None = None
) -> bytes:
    """A grey picture whose stored top-left quarter-by-quarter corner is red: where a rendition shows
    the red corner tells how it was turned and mirrored."""
    grey = pyvips.Image.black(width, height) + 128
    corner = (pyvips.Image.black(width // 4, height // 4) + RED[0]).bandjoin(
        [
            pyvips.Image.black(width // 4, height // 4) + RED[1],
            pyvips.Image.black(width // 4, height // 4) + RED[2],
        ]
    )
    image = grey.bandjoin([grey, grey]).insert(corner, 0, 0).cast("uchar").copy(interpretation="srgb")
    if orientation is not None:
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return bytes(image.pngsave_buffer() if kind == "png" else image.jpegsave_buffer(Q=90))


def colour_at(data: bytes, x: float, y: float) -> tuple[int, ...]:
    """The colour at fractions (x, y) of a picture's width and height."""
    image = pyvips.Image.new_from_buffer(data, "")
    return tuple(
        round(value)
        for value in image.getpoint(
            min(int(x * image.width), image.width - 1), min(int(y * image.height), image.height - 1)
        )[:3]
    )


def is_red(colour: tuple[int, ...]) -> bool:
    return colour[0] > 170 and colour[1] < 90 and colour[2] < 90


def size_of(data: bytes) -> tuple[int, int]:
    image = pyvips.Image.new_from_buffer(data, "")
    return image.width, image.height
