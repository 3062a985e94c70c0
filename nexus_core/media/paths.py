"""Storage paths and public URLs of media files: `<project>/<item>[-v<version>][_<rendition>].<ext>`.

Version 1 (an item as uploaded) carries no marker, so the paths of stage 1 stay what they were; every
later version (an edit, a replaced file) marks each file it makes with `-v<N>`, so no URL ever names
other bytes than it did (immutable caching). An original is marked with the version it came with; the
edited picture at its full size (renditions.FULL, `<item>-v<N>_full.<ext>`) with the edit's version, always
later than its original's (a replaced file comes with its edits cleared).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple
from uuid import UUID

from nexus_core.media import formats, renditions

MEDIA_URL_PREFIX = "/media/"

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MEDIA_PATH_PATTERN = re.compile(
    rf"(?P<project_id>{_UUID})/(?P<item_id>{_UUID})"
    r"(?:-v(?P<version>[2-9]|[1-9][0-9]{1,8}))?"
    rf"(?:_(?P<variant>{'|'.join(renditions.FILE_NAMES)}))?"
    rf"\.(?P<extension>{'|'.join(row.extension for row in formats.FORMATS)})"
)


class MediaPath(NamedTuple):
    project_id: UUID
    item_id: UUID
    variant: str | None
    extension: str
    version: int = 1


def generate_path(
    project_id: UUID | str,
    item_id: UUID | str,
    mime_type: str,
    variant: str | None = None,
    *,
    version: int = 1,
) -> str:
    """The storage path of an item's original or rendition in one of its versions; the extension comes
    from the detected MIME type."""
    image_format = formats.BY_MIME.get(mime_type)
    if image_format is None:
        raise ValueError(f"no media path for MIME type {mime_type!r}")
    if variant is not None and variant not in renditions.FILE_NAMES:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(renditions.FILE_NAMES)}")
    if version < 1:
        raise ValueError(f"versions start at 1, not {version}")
    marker = f"-v{version}" if version > 1 else ""
    suffix = f"_{variant}" if variant else ""
    return f"{UUID(str(project_id))}/{UUID(str(item_id))}{marker}{suffix}.{image_format.extension}"


def parse_path(path: str) -> MediaPath | None:
    """The parts of a path made by `generate_path`, or None for any other string."""
    match = MEDIA_PATH_PATTERN.fullmatch(path)
    if match is None:
        return None
    return MediaPath(
        UUID(match["project_id"]),
        UUID(match["item_id"]),
        match["variant"],
        match["extension"],
        int(match["version"] or 1),
    )


def full_picture(file_path: str, made: Iterable[renditions.MadeRendition]) -> renditions.MadeRendition | None:
    """The edited picture at its full size among an item's recorded renditions, made since its original
    was stored; None when its edits leave the pixels alone (or its job has not run yet). A replaced
    file's item lists the earlier file's renditions until its job runs: those are not of this original."""
    since = _version(file_path)
    return next(
        (
            rendition
            for rendition in made
            if rendition.name == renditions.FULL and _version(rendition.path) > since
        ),
        None,
    )


def picture_path(file_path: str, made: Iterable[renditions.MadeRendition]) -> str:
    """What an item's `url` serves: the picture as edited at its full size where its edits made one,
    else the original."""
    full = full_picture(file_path, made)
    return full.path if full else file_path


def _version(path: str) -> int:
    parsed = parse_path(path)
    return parsed.version if parsed else 1


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
