"""Storage paths and public URLs of media files: `<project>/<item>[_<variant>].<ext>`."""

from __future__ import annotations

import re
from typing import NamedTuple
from uuid import UUID

EXTENSION_BY_MIME = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/svg+xml": "svg",
}
MIME_BY_EXTENSION = {extension: mime for mime, extension in EXTENSION_BY_MIME.items()} | {
    "jpeg": "image/jpeg"
}
VARIANT_NAMES = ("thumb", "medium", "large")
MEDIA_URL_PREFIX = "/media/"

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MEDIA_PATH_PATTERN = re.compile(
    rf"(?P<project_id>{_UUID})/(?P<item_id>{_UUID})"
    rf"(?:_(?P<variant>{'|'.join(VARIANT_NAMES)}))?"
    rf"\.(?P<extension>{'|'.join(EXTENSION_BY_MIME.values())})"
)


class MediaPath(NamedTuple):
    project_id: UUID
    item_id: UUID
    variant: str | None
    extension: str


def generate_path(
    project_id: UUID | str, item_id: UUID | str, mime_type: str, variant: str | None = None
) -> str:
    """The storage path of an item's original or variant; the extension comes from the detected MIME type."""
    try:
        extension = EXTENSION_BY_MIME[mime_type]
    except KeyError:
        raise ValueError(f"no media path for MIME type {mime_type!r}") from None
    if variant is not None and variant not in VARIANT_NAMES:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANT_NAMES)}")
    suffix = f"_{variant}" if variant else ""
    return f"{UUID(str(project_id))}/{UUID(str(item_id))}{suffix}.{extension}"


def parse_path(path: str) -> MediaPath | None:
    """The parts of a path made by `generate_path`, or None for any other string."""
    match = MEDIA_PATH_PATTERN.fullmatch(path)
    if match is None:
        return None
    return MediaPath(UUID(match["project_id"]), UUID(match["item_id"]), match["variant"], match["extension"])


def url(path: str) -> str:
    """The public proxy URL of a stored file."""
    return MEDIA_URL_PREFIX + path


def mime_type_from_path(path: str) -> str:
    """The MIME type for a path's extension; `application/octet-stream` when unknown."""
    _, dot, extension = path.rpartition(".")
    if not dot or "/" in extension:
        return "application/octet-stream"
    return MIME_BY_EXTENSION.get(extension.lower(), "application/octet-stream")
