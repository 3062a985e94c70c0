"""Storage paths and public URLs of media files: `<project>/<item>[_<variant>].<ext>`."""

from __future__ import annotations

import re
from typing import NamedTuple
from uuid import UUID

from nexus_core.media import formats, renditions

MEDIA_URL_PREFIX = "/media/"

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MEDIA_PATH_PATTERN = re.compile(
    rf"(?P<project_id>{_UUID})/(?P<item_id>{_UUID})"
    rf"(?:_(?P<variant>{'|'.join(renditions.NAMES)}))?"
    rf"\.(?P<extension>{'|'.join(row.extension for row in formats.FORMATS)})"
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
    image_format = formats.BY_MIME.get(mime_type)
    if image_format is None:
        raise ValueError(f"no media path for MIME type {mime_type!r}")
    if variant is not None and variant not in renditions.NAMES:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(renditions.NAMES)}")
    suffix = f"_{variant}" if variant else ""
    return f"{UUID(str(project_id))}/{UUID(str(item_id))}{suffix}.{image_format.extension}"


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
    image_format = formats.BY_EXTENSION.get(extension.lower())
    return image_format.mime_type if image_format else "application/octet-stream"
