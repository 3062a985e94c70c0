"""Upload validation: everything about an uploaded file that can be decided before it is stored.

The type comes from the bytes, never from the client's filename or MIME type.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import filetype
from defusedxml import DefusedXmlException

from nexus_core.config import DEFAULT_MAX_IMAGE_FRAMES, MEGABYTE
from nexus_core.errors import ImageError, InvalidInput, UnsupportedMediaType, UploadTooLarge
from nexus_core.media import formats, gif, pixels, svg
from nexus_core.media.formats import AVIF, GIF, JPEG, PNG, SVG, WEBP

MAX_FILENAME_LENGTH = 255

_PADDING = b"\x00 \t\r\n"
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_EXTENSION = re.compile(r"(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}")


@dataclass(frozen=True)
class ValidatedUpload:
    """What may be stored; `warning` tells the uploader what was removed from the file on the way in."""

    filename: str
    data: bytes
    mime_type: str
    width: int
    height: int
    warning: str | None = None


def check_count(count: int, *, max_files: int) -> None:
    """Refuse a batch with more files than one upload may carry."""
    if count < 1:
        raise InvalidInput("Choose at least one image to upload.")
    if count > max_files:
        noun = "file" if max_files == 1 else "files"
        raise InvalidInput(f"You can upload at most {max_files} {noun} at a time; you sent {count}.")


def check_size(filename: str | None, size: int, *, max_bytes: int) -> None:
    """Refuse a file over the limit; a size known before reading spares reading it at all."""
    if size > max_bytes:
        shown, limit = _size_text(size, round_up=True), _size_text(max_bytes, round_up=False)
        raise UploadTooLarge(f"{file_label(filename)} is {shown}; the limit is {limit}.")


def validate_upload(
    filename: str | None,
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    max_frames: int = DEFAULT_MAX_IMAGE_FRAMES,
) -> ValidatedUpload:
    """Check an uploaded file by its content and return what may be stored, or raise the reason."""
    label = file_label(filename)
    if not data:
        raise InvalidInput(f"{label} is empty.")
    check_size(filename, len(data), max_bytes=max_bytes)
    mime_type = _detect_raster(data)
    cleaned = None
    if mime_type is None:
        cleaned = _sanitize_svg(data, label)
        data, mime_type = cleaned.data, SVG
    elif not _COMPLETENESS_CHECKS[mime_type](data):
        raise ImageError(f"{label} is damaged or incomplete.")
    try:
        info = pixels.probe(data, max_pixels=max_pixels, max_frames=max_frames)
    except ImageError as error:
        raise ImageError(f"{label}: {error}") from error
    safe_name = sanitize_filename(filename, mime_type)
    return ValidatedUpload(
        filename=safe_name,
        data=data,
        mime_type=mime_type,
        width=info.width,
        height=info.height,
        warning=_removal_warning(safe_name, cleaned),
    )


def detect_mime_type(data: bytes) -> str | None:
    """The supported image type of `data`, judged by its content alone, or None."""
    raster = _detect_raster(data)
    if raster is not None:
        return raster
    return SVG if svg.is_svg(data) else None


def sanitize_filename(name: str | None, mime_type: str) -> str:
    """A safe display name for the upload whose extension matches its detected type."""
    extension = formats.BY_MIME[mime_type].extension
    stem, dot, suffix = _clean_name(name).rpartition(".")
    if not (dot and _EXTENSION.fullmatch(suffix)):
        stem = f"{stem}{dot}{suffix}"
    stem = stem.lstrip(". ")[: MAX_FILENAME_LENGTH - len(extension) - 1].rstrip(". ")
    return f"{stem or 'image'}.{extension}"


def _clean_name(name: str | None) -> str:
    """The basename without control or bidi characters or trailing dots, NFC, whitespace collapsed."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(" " if char.isspace() else char for char in text if char.isspace() or _is_visible(char))
    basename = re.split(r"[/\\]", text)[-1]
    return " ".join(basename.split()).rstrip(". ")


def _is_visible(char: str) -> bool:
    return unicodedata.category(char) not in ("Cc", "Cs") and char not in _BIDI_CONTROLS


def file_label(filename: str | None) -> str:
    """How messages name an uploaded file: its cleaned name in quotes, or “The file”."""
    name = _clean_name(filename)[:MAX_FILENAME_LENGTH]
    return f"\u201c{name}\u201d" if name else "The file"


def _size_text(size: int, *, round_up: bool) -> str:
    """A size for people; an upload's size rounds up so that it never reads as equal to the limit."""
    if size < 1024:
        return f"{size} bytes"
    unit, name = (MEGABYTE, "MB") if size >= MEGABYTE else (1024, "KB")
    tenths = size * 10 / unit
    value = (math.ceil(tenths) if round_up else math.floor(tenths)) / 10
    return f"{value:.1f} {name}" if round_up else f"{value:g} {name}"


def _sanitize_svg(data: bytes, label: str) -> svg.SanitizedSvg:
    """Entity declarations and non-SVG documents are refused; anything else unsafe is removed."""
    try:
        cleaned = svg.sanitize(data)
    except DefusedXmlException as error:
        raise UnsupportedMediaType(
            f"{label} declares XML entities or a custom DOCTYPE, which are not allowed in SVG uploads."
        ) from error
    except RecursionError:  # only writing out a cleaned tree recurses; librsvg reads 256 levels at most
        raise ImageError(f"{label} nests its elements too deeply to be read.") from None
    except ImageError as error:
        raise ImageError(f"{label}: {error}") from error
    if cleaned is None:
        raise UnsupportedMediaType(f"{label} is not a supported image ({formats.NAMES}).")
    return cleaned


def _removal_warning(filename: str, cleaned: svg.SanitizedSvg | None) -> str | None:
    if cleaned is None or not cleaned.removed:
        return None
    return f"\u201c{filename}\u201d: removed {cleaned.describe_removed()}, which SVG uploads may not contain."


# Raster types: magic numbers, then cheap structural checks that catch truncated files without decoding.


def _detect_raster(data: bytes) -> str | None:
    brands = _ftyp_brands(data)
    for image_format in formats.FORMATS:
        if image_format.brands & brands:
            return image_format.mime_type
    mime_type = filetype.guess_mime(data)
    return mime_type if mime_type in formats.SUPPORTED_MIME_TYPES else None


def _ftyp_brands(data: bytes) -> frozenset[bytes]:
    """An ISO-BMFF file's major and compatible brands; checked before `filetype`, which misses some."""
    if data[4:8] != b"ftyp":
        return frozenset()
    box_size = int.from_bytes(data[:4], "big")
    return frozenset(
        {data[8:12]} | {data[offset : offset + 4] for offset in range(16, min(box_size, len(data)), 4)}
    )


def _is_padding(tail: bytes) -> bool:
    return not tail.strip(_PADDING)


def _jpeg_is_complete(data: bytes) -> bool:
    """Walk the segments to the first scan; an end-of-image marker must follow it.

    Data after the marker is allowed: phones append trailers and motion-photo videos there.
    """
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:
            position += 2
        elif marker == 0xD9:
            return True
        else:
            segment_end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
            if (
                marker == 0xDA
            ):  # searched from the end: scans are full of 0xFF bytes that slow a forward search
                return data.rfind(b"\xff\xd9", segment_end) != -1
            position = segment_end
    return False


def _png_is_complete(data: bytes) -> bool:
    position = 8
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position <= len(data)
    return False


def _gif_is_complete(data: bytes) -> bool:
    if len(data) < 13:
        return False
    position = 13 + gif.colour_table_size(data[10])
    while position < len(data):
        block = data[position]
        if block == 0x3B:
            return True
        if block == 0x21:
            position = gif.skip_sub_blocks(data, position + 2)
        elif block == 0x2C and position + 10 <= len(data):
            position += 10 + gif.colour_table_size(data[position + 9])
            position = gif.skip_sub_blocks(data, position + 1)
        else:
            return False
    return False


def _webp_is_complete(data: bytes) -> bool:
    declared_end = 8 + int.from_bytes(data[4:8], "little")
    return declared_end <= len(data) and _is_padding(data[declared_end:])


def _avif_is_complete(data: bytes) -> bool:
    """Top-level ISO-BMFF boxes must add up to the file: a cut-off file ends inside a box."""
    position = 0
    while position + 8 <= len(data):
        box_size = int.from_bytes(data[position : position + 4], "big")
        if box_size == 0:
            return True
        if box_size == 1:
            box_size = int.from_bytes(data[position + 8 : position + 16], "big")
        if box_size < 8:
            return False
        position += box_size
    return position <= len(data) and _is_padding(data[position:])


# Keyed by the raster types of `formats.FORMATS`.
_COMPLETENESS_CHECKS = {
    JPEG: _jpeg_is_complete,
    PNG: _png_is_complete,
    GIF: _gif_is_complete,
    WEBP: _webp_is_complete,
    AVIF: _avif_is_complete,
}
