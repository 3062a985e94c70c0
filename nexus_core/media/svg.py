"""SVG uploads: parsed without entity expansion, cleaned of everything that could run or fetch, re-written.

Entity declarations and custom DOCTYPEs change the document before any element is seen, so they
cannot be cleaned and are refused (the parser raises). Only SVG elements are kept: scripts, event
handlers, external references and embedded documents (markup of other languages) are removed and
counted, so the uploader can be told what changed. Every file is written out from the cleaned tree:
no comments, processing instructions or CDATA sections survive, and text and attribute values are
escaped, so the stored markup means the same to an HTML parser (a page that inlines it) as to XML.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, register_namespace, tostring

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from nexus_core.errors import ImageError

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
MAX_REFERENCED_ELEMENTS = 10_000
"""Elements a browser may have to draw as copies made by `<use>`; Chromium takes about 0.5 s for 10,000."""

register_namespace("", SVG_NAMESPACE)  # a cleaned file reads `<svg xmlns=…>`, not `<ns0:svg …>`
register_namespace("xlink", XLINK_NAMESPACE)


class Danger(Enum):
    """What a removed part could have done; the values are the nouns the uploader reads."""

    SCRIPT = "script"
    EVENT_HANDLER = "event handler"
    EXTERNAL_REFERENCE = "external reference"
    EMBEDDED_DOCUMENT = "embedded document"


# SVG 1.1 and 2 elements that draw, group, style or animate; not the SVG-font elements (`<font>` turns
# into HTML when a page inlines the file), nor `<script>`, `<foreignObject>` or `<cursor>`.
_SVG_ELEMENTS = frozenset({
    "a", "animate", "animatecolor", "animatemotion", "animatetransform", "circle", "clippath", "defs",
    "desc", "ellipse", "feblend", "fecolormatrix", "fecomponenttransfer", "fecomposite", "feconvolvematrix",
    "fediffuselighting", "fedisplacementmap", "fedistantlight", "fedropshadow", "feflood", "fefunca",
    "fefuncb", "fefuncg", "fefuncr", "fegaussianblur", "feimage", "femerge", "femergenode", "femorphology",
    "feoffset", "fepointlight", "fespecularlighting", "fespotlight", "fetile", "feturbulence", "filter",
    "g", "hatch", "hatchpath", "image", "line", "lineargradient", "marker", "mask", "meshgradient",
    "meshpatch", "meshrow", "metadata", "mpath", "path", "pattern", "polygon", "polyline", "radialgradient",
    "rect", "set", "solidcolor", "stop", "style", "svg", "switch", "symbol", "text", "textpath", "title",
    "tspan", "use", "view"
})  # fmt: skip
_RENDERED_NAMESPACES = frozenset(
    {SVG_NAMESPACE, "http://www.w3.org/1999/xhtml", "http://www.w3.org/1998/Math/MathML"}
)
_FORBIDDEN_ELEMENTS: dict[str, Danger] = {
    **dict.fromkeys(("script", "handler", "listener"), Danger.SCRIPT),
    **dict.fromkeys(("base", "link", "meta", "audio", "video", "source", "track"), Danger.EXTERNAL_REFERENCE),
}
_ANIMATION_ELEMENTS = frozenset({"animate", "set", "animatemotion", "animatetransform", "animatecolor"})
_REFERENCING_ELEMENTS = frozenset({"use", "feimage"})
"""Elements that draw a copy of the element their `href` names."""
_URL_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "imagesrcset", "base", "action", "formaction", "background", "ping", "poster",
    "data", "codebase", "classid", "archive", "cite", "longdesc", "lowsrc", "dynsrc", "manifest", "icon",
    "profile", "usemap"
})  # fmt: skip
_W3C_DTD = ("http://www.w3.org/", "https://www.w3.org/")
_SAFE_DATA_URL = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")
_CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\\(.)", re.DOTALL)
_CSS_FETCH = re.compile(r"@import|image-set\(|image\(|cross-fade\(|(?:url|src)\(\s*['\"]?([^'\")]*)")


@dataclass(frozen=True)
class SanitizedSvg:
    """The cleaned tree written out, and what was removed from it."""

    data: bytes
    removed: dict[Danger, int]

    def describe_removed(self) -> str:
        """What was removed, for people: "1 script and 2 event handlers"."""
        parts = [_count_of(self.removed[danger], danger.value) for danger in Danger if danger in self.removed]
        return f"{', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def sanitize(data: bytes) -> SanitizedSvg | None:
    """The SVG without what could run or fetch; None when `data` is not an SVG document.

    Raises DefusedXmlException for entity declarations and custom DOCTYPEs, and ImageError when its
    `<use>` references would copy too many elements or refer to themselves.
    """
    parsed = _parse(data)
    if parsed is None:
        return None
    root, instructions = parsed
    removed = _remove_dangers(root)
    _check_references(root)
    stylesheets = sum(target.lower() == "xml-stylesheet" for target in instructions)
    if stylesheets:  # the tree keeps no processing instructions, so writing it out drops them
        removed[Danger.EXTERNAL_REFERENCE] += stylesheets
    return SanitizedSvg(tostring(root, encoding="unicode").encode(), dict(removed))


def is_svg(data: bytes) -> bool:
    """Whether `data` is a well-formed SVG document without entity declarations, clean or not."""
    try:
        return _parse(data) is not None
    except DefusedXmlException:
        return False


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


def _parse(data: bytes) -> tuple[Element, list[str]] | None:
    """The root and the processing-instruction targets; None unless well-formed XML with an <svg> root."""
    builder = _RecordingTreeBuilder()
    parser = _SvgParser(target=builder)
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError:
        return None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        return None
    return root, builder.processing_instructions


def _remove_dangers(root: Element) -> Counter[Danger]:
    """Strip unsafe attributes and drop other elements with their subtree, keeping the text after them.

    A loop rather than recursion: an upload may nest elements deeper than Python's recursion limit.
    """
    removed: Counter[Danger] = Counter()
    pending = [root]
    while pending:
        element = pending.pop()
        for key, value in list(element.attrib.items()):
            danger = _attribute_danger(_local_name(key), value)
            if danger is not None:
                del element.attrib[key]
                removed[danger] += 1
        kept: list[Element] = []
        for child in element:
            drawing = _is_svg_element(child)
            danger = _drawing_danger(child) if drawing else _markup_danger(child)
            if drawing and danger is None:
                kept.append(child)
                continue
            if danger is not None:
                removed[danger] += 1
            if kept:
                kept[-1].tail = (kept[-1].tail or "") + (child.tail or "")
            else:
                element.text = (element.text or "") + (child.tail or "")
        if len(kept) < len(element):
            element[:] = kept
        pending.extend(kept)
    return removed


def _is_svg_element(element: Element) -> bool:
    return _namespace(element.tag) == SVG_NAMESPACE and _local_name(element.tag) in _SVG_ELEMENTS


def _drawing_danger(element: Element) -> Danger | None:
    name = _local_name(element.tag)
    if name == "style" and not _css_is_safe("".join(element.itertext())):
        return Danger.EXTERNAL_REFERENCE
    if name in _ANIMATION_ELEMENTS:
        return _animation_danger(element)
    return None


def _markup_danger(element: Element) -> Danger | None:
    """What an element that is not SVG could do; None for markup no browser acts on (editor metadata)."""
    name = _local_name(element.tag)
    if name in _FORBIDDEN_ELEMENTS:
        return _FORBIDDEN_ELEMENTS[name]
    if any(_namespace(part.tag) in _RENDERED_NAMESPACES for part in element.iter()):
        return Danger.EMBEDDED_DOCUMENT
    return None


def _attribute_danger(name: str, value: str) -> Danger | None:
    if name.startswith("on"):
        return Danger.EVENT_HANDLER
    if name in _URL_ATTRIBUTES and not _reference_is_safe(value):
        return Danger.EXTERNAL_REFERENCE
    return None if _css_is_safe(value) else Danger.EXTERNAL_REFERENCE


def _animation_danger(element: Element) -> Danger | None:
    """`<set attributeName="href" to="javascript:…">` would plant what the attribute checks remove."""
    target = _local_name(element.get("attributeName", "").strip().split(":")[-1])
    if target.startswith("on"):
        return Danger.EVENT_HANDLER
    return Danger.EXTERNAL_REFERENCE if target in _URL_ATTRIBUTES else None


def _check_references(root: Element) -> None:
    """Refuse `<use>` chains that multiply ("billion laughs" without entities) or loop.

    An element stands for itself, its children and, per reference it makes, the referenced subtree
    again: sizes are memoised per element, and an explicit stack walks chains longer than Python's
    recursion limit. Only the copies count towards the limit, so a large drawing without `<use>` passes.
    """
    elements = list(root.iter())
    targets: dict[str, Element] = {}
    for element in elements:
        identifier = element.get("id")
        if identifier:
            targets.setdefault(identifier, element)  # browsers take the first element with an id
    cap = len(elements) + MAX_REFERENCED_ELEMENTS + 1
    sizes: dict[int, int] = {}
    started: set[int] = set()
    pending: list[tuple[Element, bool]] = [(root, False)]
    while pending:
        element, expanded = pending.pop()
        parts = [*element, *_referenced(element, targets)]
        if expanded:
            sizes[id(element)] = min(cap, 1 + sum(sizes[id(part)] for part in parts))
        elif id(element) in sizes:
            continue
        elif id(element) in started:  # reached again before its size is known: it contains itself
            raise ImageError("a <use> element refers to itself, directly or through other references.")
        else:
            started.add(id(element))
            pending.append((element, True))
            pending.extend((part, False) for part in parts)
    if sizes[id(root)] - len(elements) > MAX_REFERENCED_ELEMENTS:
        raise ImageError(
            f"its <use> references would make a browser draw more than {MAX_REFERENCED_ELEMENTS:,} copies "
            "of its elements, which can freeze any page that shows it."
        )


def _referenced(element: Element, targets: dict[str, Element]) -> list[Element]:
    """The elements that a `<use>` or `<feImage>` draws a copy of, found by `href="#id"`."""
    if _local_name(element.tag) not in _REFERENCING_ELEMENTS:
        return []
    fragments = (value.strip() for key, value in element.attrib.items() if _local_name(key) == "href")
    ids = (unquote(fragment[1:]) for fragment in fragments if fragment.startswith("#"))
    return [targets[target] for target in ids if target in targets]


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


def _namespace(tag: object) -> str:
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _local_name(tag: object) -> str:
    """The lower-cased name without its namespace; comments and instructions have non-string tags."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _count_of(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
