"""TipTap (ProseMirror) JSON to HTML, on the server: the stored HTML never comes from the browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from html import escape
from typing import Any

Node = Mapping[str, Any]
ImageRenderer = Callable[[Mapping[str, Any]], str]

_BLOCK_TAGS = {
    "paragraph": "p",
    "blockquote": "blockquote",
    "bulletList": "ul",
    "orderedList": "ol",
    "listItem": "li",
}
_MARK_TAGS = {"bold": "strong", "italic": "em", "strike": "s", "code": "code", "underline": "u"}


def render(document: Node, *, image: ImageRenderer) -> str:
    """HTML for a TipTap document; unknown nodes keep only their text, images go through `image`."""
    return "".join(_node(node, image) for node in _children(document))


def _children(node: Node) -> Iterator[Node]:
    content = node.get("content")
    if isinstance(content, list):
        yield from (child for child in content if isinstance(child, Mapping))


def _inner(node: Node, image: ImageRenderer) -> str:
    return "".join(_node(child, image) for child in _children(node))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _node(node: Node, image: ImageRenderer) -> str:
    kind = node.get("type")
    attributes = _mapping(node.get("attrs"))
    if kind == "text":
        return _text(node)
    if kind == "image":
        return image(attributes)
    if kind == "heading":
        level = min(max(int(attributes.get("level") or 2), 2), 4)
        return f"<h{level}>{_inner(node, image)}</h{level}>"
    if kind == "codeBlock":
        return f"<pre><code>{_inner(node, image)}</code></pre>"
    if kind == "horizontalRule":
        return "<hr>"
    if kind == "hardBreak":
        return "<br>"
    if kind == "orderedList" and isinstance(attributes.get("start"), int) and attributes["start"] != 1:
        return f'<ol start="{attributes["start"]}">{_inner(node, image)}</ol>'
    tag = _BLOCK_TAGS.get(str(kind))
    inner = _inner(node, image)
    return f"<{tag}>{inner}</{tag}>" if tag else inner


def _text(node: Node) -> str:
    html = escape(str(node.get("text", "")), quote=False)
    marks = node.get("marks")
    for mark in marks if isinstance(marks, list) else []:
        if not isinstance(mark, Mapping):
            continue
        kind = mark.get("type")
        if kind == "link":
            href = _mapping(mark.get("attrs")).get("href") or ""
            html = f'<a href="{escape(str(href))}">{html}</a>'
        elif kind in _MARK_TAGS:
            tag = _MARK_TAGS[str(kind)]
            html = f"<{tag}>{html}</{tag}>"
    return html


def image_sources(document: Node) -> Iterator[Mapping[str, Any]]:
    """The attrs of every image node, wherever it sits in the document."""
    for node in _children(document):
        if node.get("type") == "image" and isinstance(node.get("attrs"), Mapping):
            yield node["attrs"]
        yield from image_sources(node)


def map_images(
    document: Node, change: Callable[[Mapping[str, Any]], Mapping[str, Any] | None]
) -> dict[str, Any]:
    """A copy of the document whose image nodes carry the attrs `change` gives them; None drops the node."""
    copy = dict(document)
    content = document.get("content")
    if isinstance(content, list):
        copy["content"] = []
        for child in content:
            if not isinstance(child, Mapping):
                continue
            if child.get("type") != "image":
                copy["content"].append(map_images(child, change))
            elif (attributes := change(_mapping(child.get("attrs")))) is not None:
                copy["content"].append({**child, "attrs": dict(attributes)})
    return copy
