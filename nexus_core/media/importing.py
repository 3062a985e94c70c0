"""Bringing an image folder in (`nexus media import`).

Every file goes through the upload use case, as if uploaded over HTTP: validated by its content,
private metadata stripped, and skipped when the project already holds its bytes (also when an
earlier file of the same run had them). Several files go at once, each in its own session; a file
that fails leaves nothing behind, so running the import again brings in only what is missing.
Directories may become folders, and a `manifest.json` (nexus_core.media.manifest) in a directory
gives the files under it their names, alt text and tags.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from uuid import UUID

from sqlmodel import Session

from nexus_core.config import Settings, get_settings
from nexus_core.db import session_scope
from nexus_core.errors import InvalidInput, NexusError
from nexus_core.media import folders, manifest, upload
from nexus_core.media.backends import Advance, uncounted
from nexus_core.media.tags import clean_tags
from nexus_core.policies import Action, Actor, authorize

logger = logging.getLogger(__name__)

DEFAULT_WORKERS = 4
FolderPath = tuple[str, ...]
"""A folder by the names from the root down to it; () is the root."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    """Where the file is, as the summary names it (under the directory given, not resolved)."""
    folder: FolderPath = ()
    filename: str | None = None
    """The item's name (a manifest's); None: the file's own."""
    alt_text: str = ""
    tags: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    """What the file system holds: the files to import, and the folders to mirror (parents first)."""

    files: list[SourceFile] = field(default_factory=list)
    folders: list[FolderPath] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    """Files a manifest lists that are not there."""


class Outcome(StrEnum):
    IMPORTED = "imported"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: Outcome
    item_id: UUID | None = None
    """The new item, or the one that already had the file's bytes."""
    message: str | None = None
    """Why the file failed, or what was removed from it on the way in."""


@dataclass
class ImportResult:
    results: list[FileResult] = field(default_factory=list)

    def having(self, outcome: Outcome) -> list[FileResult]:
        return sorted((r for r in self.results if r.outcome == outcome), key=lambda r: str(r.path))

    @property
    def failed(self) -> list[FileResult]:
        return self.having(Outcome.FAILED)


def plan_import(paths: Sequence[Path], *, folders_from_dirs: bool = False) -> ImportPlan:
    """The files named and those under the directories named, in name order.

    Hidden files and directories (a leading dot) and symbolic links to directories are passed over;
    with `folders_from_dirs` each subdirectory of a directory named becomes a folder, empty ones too.
    """
    plan = ImportPlan()
    scopes: list[_ManifestScope] = []
    for path in paths:
        if path.is_dir():
            _walk(path, folder=(), scopes=(), plan=plan, every_scope=scopes, folders=folders_from_dirs)
        elif path.is_file():
            plan.files.append(SourceFile(path))
        else:
            raise InvalidInput(f"{path} is neither a file nor a directory.")
    for scope in scopes:
        plan.missing.extend(scope.directory / listed for listed in sorted(scope.items.keys() - scope.found))
    return plan


def import_files(
    session: Session,
    *,
    actor: Actor,
    plan: ImportPlan,
    tags: Sequence[str] = (),
    workers: int = DEFAULT_WORKERS,
    open_session: Callable[[], AbstractContextManager[Session]] = session_scope,
    settings: Settings | None = None,
    progress: Advance = uncounted,
) -> ImportResult:
    """Mirror the plan's folders (found by name, made where missing), then upload its files, `workers`
    at a time (at most NEXUS_MAX_CONCURRENT_UPLOADS, the process's upload slots), each with `tags`.

    The caller's session makes the folders; each file gets one of its own from `open_session`.
    """
    authorize(actor, Action.UPLOAD)
    settings = settings or get_settings()
    extra_tags = tuple(clean_tags(tags))
    mirror = _FolderMirror(session, actor)
    for folder in plan.folders:
        mirror.resolve(folder)
    session.commit()
    result = ImportResult(
        [
            FileResult(path, Outcome.FAILED, message=f"{manifest.FILENAME} lists it, but it is not there.")
            for path in plan.missing
        ]
    )
    same_bytes = upload.SameBytesGuard()
    total = len(plan.files)
    progress(0, total)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, settings.max_concurrent_uploads))) as pool:
        futures: list[Future[FileResult]] = []
        for source in plan.files:
            folder_id = mirror.resolve(source.folder)
            if isinstance(folder_id, _FolderProblem):
                result.results.append(FileResult(source.path, Outcome.FAILED, message=folder_id.reason))
                continue
            file_tags = (*source.tags, *extra_tags)
            futures.append(
                pool.submit(
                    _import_one, source, folder_id, file_tags, actor, open_session, settings, same_bytes
                )
            )
        progress(total - len(futures), total)
        try:
            for done, future in enumerate(as_completed(futures), total - len(futures) + 1):
                result.results.append(future.result())
                progress(done, total)
        except BaseException:  # Ctrl-C: the files in flight finish (or undo themselves), the rest never start
            for future in futures:
                future.cancel()
            raise
    return result


def _import_one(
    source: SourceFile,
    folder_id: UUID | None,
    tags: tuple[str, ...],
    actor: Actor,
    open_session: Callable[[], AbstractContextManager[Session]],
    settings: Settings,
    same_bytes: upload.SameBytesGuard,
) -> FileResult:
    path = source.path
    try:
        size = path.stat().st_size
        incoming = upload.IncomingFile(
            source.filename or path.name, upload.SpooledUpload(size, path.read_bytes)
        )
        with open_session() as session:
            items = upload.upload(
                session,
                actor=actor,
                files=[incoming],
                alt_text=source.alt_text,
                folder_id=folder_id,
                tags=tags,
                settings=settings,
                same_bytes=same_bytes,
            )
    except NexusError as error:
        return FileResult(path, Outcome.FAILED, message=str(error))
    except OSError as error:
        return FileResult(path, Outcome.FAILED, message=f"It cannot be read: {error.strerror or error}.")
    except Exception as error:  # one file's surprise must not stop the other 10,000
        logger.exception("Importing %s failed", path)
        return FileResult(path, Outcome.FAILED, message=f"Unexpected error: {type(error).__name__}: {error}")
    outcome = Outcome.SKIPPED if items.duplicates else Outcome.IMPORTED
    return FileResult(path, outcome, item_id=items[0].id, message=next(iter(items.warnings), None))


@dataclass(frozen=True)
class _FolderProblem:
    reason: str


class _FolderMirror:
    """Each folder path's id, found by name or made, once per run (the root is None)."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self._session = session
        self._actor = actor
        self._known: dict[FolderPath, UUID | _FolderProblem | None] = {(): None}

    def resolve(self, names: FolderPath) -> UUID | _FolderProblem | None:
        if names not in self._known:
            parent = self.resolve(names[:-1])
            self._known[names] = parent if isinstance(parent, _FolderProblem) else self._make(names, parent)
        return self._known[names]

    def _make(self, names: FolderPath, parent_id: UUID | None) -> UUID | _FolderProblem:
        try:
            return folders.folder_named(
                self._session, actor=self._actor, name=names[-1], parent_id=parent_id
            ).id
        except NexusError as error:
            return _FolderProblem(f"Its folder “{'/'.join(names)}” cannot be made: {error}")


@dataclass
class _ManifestScope:
    """A manifest and the directory it describes, with the files of it found so far."""

    directory: Path
    items: dict[str, manifest.ManifestItem]
    folder_names: dict[str, str]
    found: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, directory: Path) -> _ManifestScope:
        read = manifest.read_manifest(directory / manifest.FILENAME)
        return cls(
            directory,
            items={item.path: item for item in read.items},
            folder_names={folder.directory: folder.name for folder in read.folders},
        )

    def relative(self, path: Path) -> str:
        return path.relative_to(self.directory).as_posix()


def _walk(
    directory: Path,
    *,
    folder: FolderPath,
    scopes: tuple[_ManifestScope, ...],
    plan: ImportPlan,
    every_scope: list[_ManifestScope],
    folders: bool,
) -> None:
    if (directory / manifest.FILENAME).is_file():
        scope = _ManifestScope.read(directory)
        scopes = (*scopes, scope)
        every_scope.append(scope)
    with os.scandir(directory) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            inner = (*folder, _folder_name(path, scopes)) if folders else ()
            if folders:
                plan.folders.append(inner)
            _walk(path, folder=inner, scopes=scopes, plan=plan, every_scope=every_scope, folders=folders)
        elif entry.is_file() and entry.name != manifest.FILENAME:
            plan.files.append(_source(path, folder, scopes))


def _folder_name(directory: Path, scopes: tuple[_ManifestScope, ...]) -> str:
    """The exact name a manifest gives the directory's folder, else the directory's own name."""
    for scope in reversed(scopes):
        if (name := scope.folder_names.get(scope.relative(directory))) is not None:
            return name
    return directory.name


def _source(path: Path, folder: FolderPath, scopes: tuple[_ManifestScope, ...]) -> SourceFile:
    for scope in reversed(scopes):
        relative = scope.relative(path)
        if (listed := scope.items.get(relative)) is not None:
            scope.found.add(relative)
            return SourceFile(path, folder, listed.filename, listed.alt_text, tuple(listed.tags))
    return SourceFile(path, folder)
