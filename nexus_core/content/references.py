"""What a page stores for an image: a reference to a media item — its id and the alt text for this usage
(empty: the item's current alt text) — or, for an image from elsewhere, its http(s) URL.

A library image's URL is never stored: the renderer asks the item for its current version, so an edited
or replaced picture and a corrected alt text reach published pages without the pages being saved again,
and no stored `src` has to be trusted. An image field holds `{"media_id": …, "alt": …}` (or an http(s)
URL as text); a TipTap image node holds `{"mediaId": …, "alt": …}` (or `{"src": …, "alt": …}`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from nexus_core.errors import InvalidInput
from nexus_core.media import paths
from nexus_core.media.editing import clean_alt_text
from nexus_core.text import require_storable

FIELD_KEYS = frozenset({"media_id", "alt"})


@dataclass(frozen=True)
class ImageReference:
    """One usage of an image: a library item (`media_id`) or an image from elsewhere (`src`)."""

    media_id: UUID | None = None
    src: str = ""
    alt: str = ""

    def alt_for(self, item_alt_text: str) -> str:
        """This usage's alt text when it has one, else the item's current one."""
        return self.alt.strip() or item_alt_text

    def field_value(self) -> dict[str, str] | str:
        return {"media_id": str(self.media_id), "alt": self.alt} if self.media_id else self.src

    def node_attributes(self) -> dict[str, str]:
        source = {"mediaId": str(self.media_id)} if self.media_id else {"src": self.src}
        return source | {"alt": self.alt}


def library_item_id(url: str) -> UUID | None:
    """The media item a `/media/…` URL points at, or None for any other URL."""
    if not url.startswith(paths.MEDIA_URL_PREFIX):
        return None
    parsed = paths.parse_path(url.removeprefix(paths.MEDIA_URL_PREFIX))
    return parsed.item_id if parsed else None


def _from_url(url: str, alt: str = "") -> ImageReference | None:
    """A `/media/` URL (pages saved before references, pasted HTML) refers to its item; http(s) stays a URL."""
    if (item_id := library_item_id(url)) is not None:
        return ImageReference(media_id=item_id, alt=alt)
    return ImageReference(src=url, alt=alt) if url.lower().startswith(("https://", "http://")) else None


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def read_field(value: Any) -> ImageReference | None:
    """What a stored image field shows; None for an empty or unusable value (the renderer shows nothing)."""
    if isinstance(value, str):
        return _from_url(value.strip())
    if isinstance(value, Mapping) and (item_id := _uuid(value.get("media_id"))) is not None:
        alt = value.get("alt")
        return ImageReference(media_id=item_id, alt=alt if isinstance(alt, str) else "")
    return None


def read_node(attributes: Mapping[str, Any]) -> ImageReference | None:
    """What a stored TipTap image node shows; its `src` counts only for an image from elsewhere."""
    alt = attributes.get("alt")
    alt = alt if isinstance(alt, str) else ""
    if attributes.get("mediaId"):
        item_id = _uuid(attributes["mediaId"])
        return ImageReference(media_id=item_id, alt=alt) if item_id else None
    return _from_url(str(attributes.get("src") or "").strip(), alt)


def _clean_alt(value: Any, what: str) -> str:
    """The rules of an item's own alt text, the error naming the image."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"The alt text of {what} must be text.")
    try:
        return clean_alt_text(value)
    except InvalidInput as error:
        raise InvalidInput(f"{what}: {error}") from None


def clean_field(value: Any, label: str) -> ImageReference | None:
    """An image field's value as sent (a reference, a URL, or empty), checked; None when empty."""
    what = f"“{label}”"
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, str):
        reference = _from_url(require_storable(value.strip(), what))
        if reference is None:
            raise InvalidInput(f"{what} must be an image from the media library or an http(s) URL.")
        return reference
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{what} must be an image reference ({{media_id, alt}}) or an http(s) URL.")
    if unknown := sorted(set(value) - FIELD_KEYS):
        raise InvalidInput(f"{what} has no “{unknown[0]}”: an image reference holds media_id and alt.")
    item_id = _uuid(value.get("media_id"))
    if item_id is None:
        raise InvalidInput(f"{what} needs the id of a media item (media_id).")
    return ImageReference(media_id=item_id, alt=_clean_alt(value.get("alt"), what))


def clean_node(attributes: Mapping[str, Any]) -> ImageReference | None:
    """A TipTap image node as sent, checked; None for what is never stored (an upload still in flight,
    an unsafe or missing source)."""
    if attributes.get("uploadId"):
        return None
    alt = _clean_alt(attributes.get("alt"), "an image in the body")
    if attributes.get("mediaId"):
        item_id = _uuid(attributes["mediaId"])
        if item_id is None:
            raise InvalidInput(f"An image in the body names no media item (“{attributes['mediaId']}”).")
        return ImageReference(media_id=item_id, alt=alt)
    return _from_url(str(attributes.get("src") or "").strip(), alt)
