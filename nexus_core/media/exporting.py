"""Letting a library leave as easily as it came (`nexus media export`): every item's original, in
directories that mirror its folders, and a `manifest.json` (nexus_core.media.manifest) with what the
files cannot carry, so that `nexus media import DIR --folders-from-dirs` brings the same library back.

File and directory names are made safe for any common file system and unique within their directory
(ignoring case, " (2)" before the extension); the manifest keeps the exact names.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from sqlmodel import Session, col, func, select

from nexus_core.errors import InvalidInput, NexusError, NotFound
from nexus_core.media import library, manifest
from nexus_core.media.backends import Advance, Backends, uncounted
from nexus_core.models import Folder, MediaItem, Project
from nexus_core.models.base import utcnow

BATCH = 500
_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(1, 10)),
    *(f"lpt{n}" for n in range(1, 10)),
}
_MAX_NAME_BYTES = 200


class ExportFailed(NexusError):
    """One item's original could not be exported; the others go on."""


@dataclass
class ExportResult:
    directory: Path
    items: list[manifest.ManifestItem] = field(default_factory=list)
    folders: list[manifest.ManifestFolder] = field(default_factory=list)
    failed: list[tuple[UUID, str, str]] = field(default_factory=list)
    """(item id, filename, reason) of each original not exported."""
    bytes_written: int = 0


def export_library(
    session: Session,
    *,
    project: Project,
    directory: Path,
    backends: Backends | None = None,
    progress: Advance = uncounted,
) -> ExportResult:
    """Write the project's originals and manifest into `directory`, which must be new or empty.

    Each original is checked against its recorded SHA-256 on the way and written under a temporary
    hidden name first, so a file that failed is not there; the manifest lists what was written.
    """
    backends = backends or Backends()
    _prepare(directory)
    names = _Names()
    result = ExportResult(directory)
    placed = _place_folders(session, project.id, names)
    result.folders = sorted(placed.values(), key=lambda entry: entry.directory)
    for entry in result.folders:
        (directory / entry.directory).mkdir(parents=True, exist_ok=True)
    item_ids = list(
        session.exec(
            select(MediaItem.id)
            .where(MediaItem.project_id == project.id)
            .order_by(col(MediaItem.inserted_at), col(MediaItem.id))
        )
    )
    progress(0, len(item_ids))
    for done, (item, tags) in enumerate(_items(session, item_ids), 1):
        folder = placed.get(item.folder_id) if item.folder_id else None
        path = names.claim(folder.directory if folder else "", item.filename)
        try:
            result.bytes_written += _copy_original(item, backends, directory / path)
        except NexusError as error:
            result.failed.append((item.id, item.filename, str(error)))
        else:
            result.items.append(_entry(item, path, folder, tags))
        progress(done, len(item_ids))
    manifest.write_manifest(
        directory / manifest.FILENAME,
        manifest.Manifest(
            format=manifest.FORMAT,
            version=1,
            project=manifest.ManifestProject(id=project.id, slug=project.slug, name=project.name),
            exported_at=utcnow(),
            folders=result.folders,
            items=result.items,
        ),
    )
    return result


def safe_name(name: str) -> str:
    """`name` as a file or directory name any common file system keeps and an import does not pass
    over: no separators, control or reserved characters, no leading dot, no Windows device name."""
    name = _UNSAFE.sub("_", name).strip(" ").rstrip(". ")
    if name.startswith("."):
        name = "_" + name[1:]
    if name.split(".")[0].casefold() in _RESERVED:
        name = "_" + name
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    room = _MAX_NAME_BYTES - len(dot + extension)
    stem = stem.encode()[:room].decode(errors="ignore").rstrip(" .")
    return f"{stem}{dot}{extension}" if stem else f"_{dot}{extension}"


class _Names:
    """The names handed out in each directory of the export, so each is new there (ignoring case)."""

    def __init__(self) -> None:
        self._taken: dict[str, set[str]] = {"": {manifest.FILENAME}}

    def claim(self, directory: str, name: str) -> str:
        taken = self._taken.setdefault(directory, set())
        wanted = safe_name(name)
        stem, dot, extension = wanted.rpartition(".")
        if not dot:
            stem, extension = wanted, ""
        candidate, number = wanted, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{stem} ({number}){dot}{extension}"
        taken.add(candidate.casefold())
        return f"{directory}/{candidate}" if directory else candidate


def _prepare(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(f"{directory} is a file; name a new or empty directory to export into.")
    if directory.is_dir() and any(directory.iterdir()):
        raise InvalidInput(f"{directory} is not empty; name a new or empty directory to export into.")
    directory.mkdir(parents=True, exist_ok=True)


def _place_folders(session: Session, project_id: UUID, names: _Names) -> dict[UUID, manifest.ManifestFolder]:
    """Every folder with its directory in the export, parents first."""
    rows = session.exec(
        select(Folder)
        .where(Folder.project_id == project_id)
        .order_by(func.lower(Folder.name), col(Folder.id))
    ).all()
    children: dict[UUID | None, list[Folder]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    placed: dict[UUID, manifest.ManifestFolder] = {}
    level: list[tuple[Folder, manifest.ManifestFolder | None]] = [
        (row, None) for row in children.get(None, [])
    ]
    while level:
        following: list[tuple[Folder, manifest.ManifestFolder | None]] = []
        for row, parent in level:
            entry = manifest.ManifestFolder(
                id=row.id,
                parent_id=row.parent_id,
                name=row.name,
                path=[*(parent.path if parent else []), row.name],
                directory=names.claim(parent.directory if parent else "", row.name),
            )
            placed[row.id] = entry
            following.extend((child, entry) for child in children.get(row.id, []))
        level = following
    return placed


def _items(session: Session, item_ids: Sequence[UUID]) -> Iterator[tuple[MediaItem, list[str]]]:
    """The items with their tags, a batch at a time (a large library never sits in memory at once)."""
    for start in range(0, len(item_ids), BATCH):
        batch = item_ids[start : start + BATCH]
        rows = {row.id: row for row in session.exec(select(MediaItem).where(col(MediaItem.id).in_(batch)))}
        tags = library.tags_of(session, rows)
        for item_id in batch:
            if (row := rows.get(item_id)) is not None:  # deleted meanwhile: nothing to export
                yield row, tags.get(item_id, [])
        for row in rows.values():
            session.expunge(row)


def _copy_original(item: MediaItem, backends: Backends, target: Path) -> int:
    """Stream the original into `target`, checking its SHA-256; returns its size."""
    partial = target.with_name(f".{target.name}.partial")
    digest, size = hashlib.sha256(), 0
    try:
        with (
            closing(backends.get(item.storage_backend).open(item.file_path)) as stream,
            partial.open("xb") as output,
        ):
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += output.write(chunk)
        if item.sha256 is not None and digest.hexdigest() != item.sha256:
            raise ExportFailed(
                f"Its stored original ({item.storage_backend}: {item.file_path}) does not match its SHA-256."
            )
        os.replace(partial, target)
    except NotFound:
        partial.unlink(missing_ok=True)
        raise ExportFailed(
            f"Its original is missing from storage ({item.storage_backend}: {item.file_path})."
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return size


def _entry(
    item: MediaItem, path: str, folder: manifest.ManifestFolder | None, tags: list[str]
) -> manifest.ManifestItem:
    return manifest.ManifestItem(
        id=item.id,
        filename=item.filename,
        path=path,
        folder=folder.path if folder else [],
        folder_id=item.folder_id,
        tags=tags,
        alt_text=item.alt_text,
        mime_type=item.mime_type,
        sha256=item.sha256,
        width=item.original_width or item.width,  # the file exported is the original, never edited
        height=item.original_height or item.height,
        file_size=item.file_size,
        status=item.status,
        inserted_at=item.inserted_at,
    )
