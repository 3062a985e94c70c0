"""The HTML allowed in rich text, enforced by nh3 (the Rust `ammonia` sanitiser)."""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "s",
    "u",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "figure",
    "figcaption",
    "picture",
    "source",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {
        "src",
        "alt",
        "title",
        "width",
        "height",
        "loading",
        "decoding",
        "srcset",
        "sizes",
        "fetchpriority",
        "style",
        "data-media-id",
    },
    "source": {"type", "srcset", "sizes"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_SOURCE_WITHOUT_SRCSET = re.compile(r"<source(?![^>]*\ssrcset=)[^>]*>")
# The only style an image may carry: its placeholder (renderer), a colour and a data: WebP.
_PLACEHOLDER_STYLE = re.compile(
    r"background-color:#[0-9a-f]{6}(;background-image:url\(data:image/webp;base64,[A-Za-z0-9+/]+=*\);"
    r"background-size:cover)?"
)
_FIXED_VALUES = {
    ("img", "loading"): {"lazy", "eager"},
    ("img", "decoding"): {"async", "sync", "auto"},
    ("img", "fetchpriority"): {"high", "low", "auto"},
    ("source", "type"): {"image/avif", "image/webp"},
}


def is_safe_image_url(url: str) -> bool:
    """Images come from the media proxy or from http(s); never javascript:, data: or other schemes."""
    lowered = url.strip().lower()
    return lowered.startswith(("https://", "http://")) or (
        lowered.startswith("/media/") and "//" not in lowered
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_safe_image_url(value) else None
    if (tag, attribute) in _FIXED_VALUES:
        return value if value in _FIXED_VALUES[tag, attribute] else None
    if tag == "img" and attribute == "style":
        return value if _PLACEHOLDER_STYLE.fullmatch(value) else None
    if tag in ("img", "source") and attribute == "srcset":
        candidates = [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
        return value if candidates and all(is_safe_image_url(url) for url in candidates) else None
    return value


def sanitize_html(html: str) -> str:
    """Only the tags, attributes and URL schemes rich text needs; scripts and handlers never survive."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    cleaned = _SOURCE_WITHOUT_SRCSET.sub("", cleaned)  # a source whose candidates were refused goes
    return _IMAGE_WITHOUT_SOURCE.sub("", cleaned)  # an image whose source was refused shows nothing
