"""Upload validation: everything about an uploaded file that can be decided before it is stored.

The type comes from the bytes, never from the client's filename or MIME type.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import filetype
from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from nexus_core.config import MEGABYTE
from nexus_core.errors import ImageError, InvalidInput, UnsupportedMediaType, UploadTooLarge
from nexus_core.media import processing

JPEG, PNG, GIF, WEBP, AVIF, SVG = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/svg+xml",
)
SUPPORTED_MIME_TYPES: frozenset[str] = frozenset({JPEG, PNG, GIF, WEBP, AVIF, SVG})
EXTENSIONS = {JPEG: "jpg", PNG: "png", GIF: "gif", WEBP: "webp", AVIF: "avif", SVG: "svg"}
ACCEPTED_TYPES = "JPEG, PNG, GIF, WebP, AVIF or SVG"

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_FILENAME_LENGTH = 255

_PADDING = b"\x00 \t\r\n"
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_EXTENSION = re.compile(r"(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}")


@dataclass(frozen=True)
class ValidatedUpload:
    filename: str
    data: bytes
    mime_type: str
    width: int
    height: int


def check_count(count: int, *, max_files: int) -> None:
    """Refuse a batch with more files than one upload may carry."""
    if count < 1:
        raise InvalidInput("Choose at least one image to upload.")
    if count > max_files:
        noun = "file" if max_files == 1 else "files"
        raise InvalidInput(f"You can upload at most {max_files} {noun} at a time; you sent {count}.")


def validate_upload(filename: str | None, data: bytes, *, max_bytes: int, max_pixels: int) -> ValidatedUpload:
    """Check an uploaded file by its content and return what may be stored, or raise the reason."""
    label = _label(filename)
    if not data:
        raise InvalidInput(f"{label} is empty.")
    if len(data) > max_bytes:
        size, limit = _size_text(len(data), round_up=True), _size_text(max_bytes, round_up=False)
        raise UploadTooLarge(f"{label} is {size}; the limit is {limit}.")
    mime_type = _detect_raster(data)
    if mime_type is None:
        _check_svg(data, label)
        mime_type = SVG
    elif not _COMPLETENESS_CHECKS[mime_type](data):
        raise ImageError(f"{label} is damaged or incomplete.")
    try:
        info = processing.probe(data, max_pixels=max_pixels)
    except ImageError as error:
        raise ImageError(f"{label}: {error}") from error
    return ValidatedUpload(
        filename=sanitize_filename(filename, mime_type),
        data=data,
        mime_type=mime_type,
        width=info.width,
        height=info.height,
    )


def detect_mime_type(data: bytes) -> str | None:
    """The supported image type of `data`, judged by its content alone, or None."""
    raster = _detect_raster(data)
    if raster is not None:
        return raster
    try:
        document = _parse_xml(data)
    except DefusedXmlException:
        return None
    return SVG if document is not None and document.root.tag == f"{{{SVG_NAMESPACE}}}svg" else None


def sanitize_filename(name: str | None, mime_type: str) -> str:
    """A safe display name for the upload whose extension matches its detected type."""
    extension = EXTENSIONS[mime_type]
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


def _label(filename: str | None) -> str:
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


# Raster types: magic numbers, then cheap structural checks that catch truncated files without decoding.


def _detect_raster(data: bytes) -> str | None:
    if _has_avif_brand(data):
        return AVIF
    mime_type = filetype.guess_mime(data)
    return mime_type if mime_type in SUPPORTED_MIME_TYPES else None


def _has_avif_brand(data: bytes) -> bool:
    """AVIF by its ISO-BMFF brands; `filetype` misses the animated-AVIF major brand `avis`."""
    if data[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(data[:4], "big")
    brands = {data[8:12]} | {data[offset : offset + 4] for offset in range(16, min(box_size, len(data)), 4)}
    return bool(brands & {b"avif", b"avis"})


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
            if marker == 0xDA:
                return data.find(b"\xff\xd9", segment_end) != -1
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
    position = 13 + _gif_colour_table_size(data[10])
    while position < len(data):
        block = data[position]
        if block == 0x3B:
            return True
        if block == 0x21:
            position = _skip_gif_sub_blocks(data, position + 2)
        elif block == 0x2C and position + 10 <= len(data):
            position += 10 + _gif_colour_table_size(data[position + 9])
            position = _skip_gif_sub_blocks(data, position + 1)
        else:
            return False
    return False


def _gif_colour_table_size(flags: int) -> int:
    return 3 * (2 << (flags & 0x07)) if flags & 0x80 else 0


def _skip_gif_sub_blocks(data: bytes, position: int) -> int:
    while position < len(data):
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
    return len(data)


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


_COMPLETENESS_CHECKS = {
    JPEG: _jpeg_is_complete,
    PNG: _png_is_complete,
    GIF: _gif_is_complete,
    WEBP: _webp_is_complete,
    AVIF: _avif_is_complete,
}


# SVG: parsed without entity expansion, then refused if anything in the tree could run or fetch.

_FORBIDDEN_ELEMENTS = frozenset(
    {"script", "foreignobject", "iframe", "frame", "frameset", "embed", "object", "applet", "base", "link",
     "meta", "handler", "listener", "audio", "video", "source", "track"}
)  # fmt: skip
_ANIMATION_ELEMENTS = frozenset({"animate", "set", "animatemotion", "animatetransform", "animatecolor"})
_URL_ATTRIBUTES = frozenset({"href", "src", "base", "action", "formaction"})
_W3C_DTD = ("http://www.w3.org/", "https://www.w3.org/")
_SAFE_DATA_URL = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")
_CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\\(.)", re.DOTALL)
_CSS_FETCH = re.compile(r"@import|image-set\(|image\(|cross-fade\(|(?:url|src)\(\s*['\"]?([^'\")]*)")


@dataclass(frozen=True)
class _XmlDocument:
    root: Element
    processing_instructions: tuple[str, ...]


class _RecordingTreeBuilder(TreeBuilder):
    """Keeps the targets of processing instructions, which ElementTree otherwise drops."""

    def __init__(self) -> None:
        super().__init__()
        self.processing_instructions: list[str] = []

    def pi(self, target: str, text: str | None = None) -> None:  # type: ignore[override]
        self.processing_instructions.append(target)


class _SvgParser(DefusedXMLParser):
    """defusedxml's parser that also refuses DOCTYPEs that could add attributes or fetch a DTD.

    The usual `<!DOCTYPE svg PUBLIC … "http://www.w3.org/…/svg11.dtd">` that editors write stays allowed.
    """

    def __init__(self, target: TreeBuilder) -> None:
        super().__init__(target=target)
        self.parser.StartDoctypeDeclHandler = self._refuse_internal_subset

    def _refuse_internal_subset(self, name: str, sysid: str, pubid: str, has_internal_subset: bool) -> None:
        if has_internal_subset or (sysid and not sysid.startswith(_W3C_DTD)):
            raise DTDForbidden(name, sysid, pubid)


def _parse_xml(data: bytes) -> _XmlDocument | None:
    """The parsed document, None when it is not well-formed XML; raises DefusedXmlException."""
    builder = _RecordingTreeBuilder()
    parser = _SvgParser(target=builder)
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError:
        return None
    return _XmlDocument(root, tuple(builder.processing_instructions))


def _check_svg(data: bytes, label: str) -> None:
    try:
        document = _parse_xml(data)
    except DefusedXmlException as error:
        raise UnsupportedMediaType(
            f"{label} declares XML entities or a custom DOCTYPE, which are not allowed in SVG uploads."
        ) from error
    if document is None or document.root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise UnsupportedMediaType(f"{label} is not a supported image ({ACCEPTED_TYPES}).")
    if not _svg_is_safe(document):
        raise UnsupportedMediaType(
            f"{label} contains scripts or external references, which are not allowed in SVG uploads."
        )


def _svg_is_safe(document: _XmlDocument) -> bool:
    if any(target.lower() == "xml-stylesheet" for target in document.processing_instructions):
        return False
    return all(_element_is_safe(element) for element in document.root.iter())


def _element_is_safe(element: Element) -> bool:
    name = _local_name(element.tag)
    if name in _FORBIDDEN_ELEMENTS:
        return False
    if name == "style" and not _css_is_safe("".join(element.itertext())):
        return False
    if name in _ANIMATION_ELEMENTS and not _animation_is_safe(element):
        return False
    return all(_attribute_is_safe(_local_name(key), value) for key, value in element.attrib.items())


def _attribute_is_safe(name: str, value: str) -> bool:
    if name.startswith("on"):
        return False
    if name in _URL_ATTRIBUTES and not _reference_is_safe(value):
        return False
    return _css_is_safe(value)


def _animation_is_safe(element: Element) -> bool:
    """`<set attributeName="href" to="javascript:…">` would plant what the attribute checks refuse."""
    target = _local_name(element.get("attributeName", "").strip().split(":")[-1])
    return not (target.startswith("on") or target in _URL_ATTRIBUTES)


def _reference_is_safe(value: str) -> bool:
    """Only same-document fragments and inline raster images; browsers ignore whitespace in URLs."""
    url = "".join(char for char in value if char > " ").lower()
    return url == "" or url.startswith("#") or bool(_SAFE_DATA_URL.match(url))


def _css_is_safe(css: str) -> bool:
    if "(" not in css and "@" not in css and "\\" not in css:
        return True
    decoded = _CSS_ESCAPE.sub(_unescape_css, _CSS_COMMENT.sub("", css)).lower()
    for match in _CSS_FETCH.finditer(decoded):
        if match.group(1) is None or not _reference_is_safe(match.group(1)):
            return False
    return True


def _unescape_css(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return match.group(2)
    code_point = int(match.group(1), 16)
    return chr(code_point) if 0 < code_point <= 0x10FFFF and not 0xD800 <= code_point <= 0xDFFF else "\ufffd"


def _local_name(tag: object) -> str:
    """The lower-cased name without its namespace; comments and instructions have non-string tags."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
