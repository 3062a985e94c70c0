"""Private metadata (GPS position, camera, owner) removed from originals without re-encoding them.

Only the EXIF orientation survives, rebuilt as a minimal EXIF block, so photos still display
upright. JPEG and PNG are rewritten at the container level; the pixels are untouched.
"""

from __future__ import annotations

import struct
import zlib

from nexus_core.errors import ImageError

_JPEG_PRIVATE_MARKERS = {0xE1, 0xED}  # APP1 (EXIF, XMP), APP13 (IPTC / Photoshop)
_PNG_PRIVATE_CHUNKS = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}
_ORIENTATION_TAG = 0x0112


def strip_private_metadata(data: bytes, mime_type: str) -> bytes:
    """The same image without private metadata; formats not handled here come back unchanged."""
    try:
        if mime_type == "image/jpeg":
            return _strip_jpeg(data)
        if mime_type == "image/png":
            return _strip_png(data)
    except (struct.error, IndexError):
        raise ImageError("The image is damaged or incomplete.") from None
    return data


def _strip_jpeg(data: bytes) -> bytes:
    kept = [data[:2]]
    orientation = None
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        segment = data[position : position + 2 + length]
        if marker in _JPEG_PRIVATE_MARKERS:
            if marker == 0xE1 and segment[4:10] == b"Exif\0\0":
                orientation = orientation or _exif_orientation(segment[10:])
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
