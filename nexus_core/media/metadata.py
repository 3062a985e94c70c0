"""Private metadata (GPS position, camera, owner) removed from originals.

JPEG, PNG, WebP and GIF are rewritten at the container level; their pixels are untouched. In JPEG
and PNG the EXIF orientation survives, rebuilt as a minimal EXIF block, so photos still display
upright; browsers ignore EXIF orientation in WebP, so it goes with the rest. AVIF keeps EXIF and XMP
as items of its ISO-BMFF `meta` box, referenced by offset from several other boxes; cutting them out
is fragile, so an AVIF that carries any is re-encoded without them (as WordPress does). SVG is
written out from its cleaned tree, without metadata, by the validation.
"""

from __future__ import annotations

import struct
import zlib

from nexus_core.errors import ImageError
from nexus_core.media import gif, processing
from nexus_core.media.formats import AVIF, GIF, JPEG, PNG, WEBP

_JPEG_PRIVATE_MARKERS = {0xE1, 0xED}  # APP1 (EXIF, XMP), APP13 (IPTC / Photoshop)
_PNG_PRIVATE_CHUNKS = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}
# Everything a WebP needs to be drawn; EXIF, XMP and unknown chunks go.
_WEBP_IMAGE_CHUNKS = {b"VP8X", b"ICCP", b"ANIM", b"ANMF", b"ALPH", b"VP8 ", b"VP8L"}
_WEBP_METADATA_FLAGS = 0x04 | 0x08  # VP8X: XMP and EXIF present
# Application extensions that only say how an animation loops; others (XMP DataXMP, ICC) go.
_GIF_LOOP_EXTENSIONS = {b"NETSCAPE2.0", b"ANIMEXTS1.0"}
_ORIENTATION_TAG = 0x0112


def strip_private_metadata(data: bytes, mime_type: str) -> bytes:
    """The same image without private metadata; SVG comes back unchanged."""
    try:
        if mime_type == JPEG:
            return _strip_jpeg(data)
        if mime_type == PNG:
            return _strip_png(data)
        if mime_type == WEBP:
            return _strip_webp(data)
        if mime_type == GIF:
            return _strip_gif(data)
    except (struct.error, IndexError, ValueError):
        raise ImageError("The image is damaged or incomplete.") from None
    if mime_type == AVIF and processing.has_private_metadata(data):
        return processing.reencode_without_metadata(data, mime_type)
    return data


def _strip_jpeg(data: bytes) -> bytes:
    kept = [data[:2]]
    orientation: int | None = None
    exif_seen = False  # the first EXIF block says the orientation, as decoders and browsers read it
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        segment = data[position : position + 2 + length]
        if marker in _JPEG_PRIVATE_MARKERS:
            if marker == 0xE1 and segment[4:10] == b"Exif\0\0" and not exif_seen:
                orientation, exif_seen = _exif_orientation(segment[10:]), True
        else:
            kept.append(segment)
        position += 2 + length
    if orientation and orientation != 1:
        exif = b"Exif\0\0" + _minimal_tiff(orientation)
        kept.insert(1, b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
    return b"".join(kept) + data[position:]


def _strip_png(data: bytes) -> bytes:
    kept = [data[:8]]
    position = 8
    orientation = None
    while position + 12 <= len(data):
        length = struct.unpack(">I", data[position : position + 4])[0]
        kind = data[position + 4 : position + 8]
        chunk = data[position : position + 12 + length]
        if kind in _PNG_PRIVATE_CHUNKS:
            if kind == b"eXIf":
                orientation = _exif_orientation(chunk[8 : 8 + length])
        else:
            if kind == b"IDAT" and orientation and orientation != 1:
                kept.append(_png_chunk(b"eXIf", _minimal_tiff(orientation)))
                orientation = None
            kept.append(chunk)
        position += 12 + length
    return b"".join(kept) + data[position:]


def _strip_webp(data: bytes) -> bytes:
    """Keep the chunks that draw the image; clear the EXIF and XMP flags of VP8X and fix the RIFF size."""
    kept = []
    position, end = 12, min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    while position + 8 <= end:
        kind = data[position : position + 4]
        length = struct.unpack("<I", data[position + 4 : position + 8])[0]
        chunk = data[position : position + 8 + length + (length & 1)]  # payloads are padded to even
        if kind == b"VP8X":
            chunk = chunk[:8] + bytes([chunk[8] & ~_WEBP_METADATA_FLAGS & 0xFF]) + chunk[9:]
        if kind in _WEBP_IMAGE_CHUNKS:
            kept.append(chunk)
        position += 8 + length + (length & 1)
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _strip_gif(data: bytes) -> bytes:
    """Keep the frames and the loop count; comments, other application extensions and data after the end go."""
    position = 13 + gif.colour_table_size(data[10])
    kept = [data[:position]]
    while position < len(data):
        block = data[position]
        if block == 0x3B:  # trailer
            kept.append(b"\x3b")
            break
        if block == 0x21:
            label = data[position + 1]
            end = gif.skip_sub_blocks(data, position + 2)
            application = data[position + 3 : position + 14] if label == 0xFF else None
            if label != 0xFE and (application is None or application in _GIF_LOOP_EXTENSIONS):
                kept.append(data[position:end])
        elif block == 0x2C:
            colours = gif.colour_table_size(data[position + 9])
            end = gif.skip_sub_blocks(data, position + 10 + colours + 1)
            kept.append(data[position:end])
        else:
            raise ValueError("not a GIF block")
        position = end
    return b"".join(kept)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _exif_orientation(tiff: bytes) -> int | None:
    """The orientation tag of IFD0 in a TIFF-structured EXIF block, if it has one."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return None
    endian = "<" if tiff[:2] == b"II" else ">"
    offset = struct.unpack(endian + "I", tiff[4:8])[0]
    if offset + 2 > len(tiff):
        return None
    count = struct.unpack(endian + "H", tiff[offset : offset + 2])[0]
    for index in range(count):
        entry = offset + 2 + 12 * index
        if entry + 12 > len(tiff):
            return None
        tag, kind = struct.unpack(endian + "HH", tiff[entry : entry + 4])
        if tag == _ORIENTATION_TAG and kind == 3:
            value = struct.unpack(endian + "H", tiff[entry + 8 : entry + 10])[0]
            return value if 1 <= value <= 8 else None
    return None


def _minimal_tiff(orientation: int) -> bytes:
    """A little-endian TIFF header with IFD0 holding only the orientation."""
    entry = struct.pack("<HHIHH", _ORIENTATION_TAG, 3, 1, orientation, 0)
    return b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry + struct.pack("<I", 0)
