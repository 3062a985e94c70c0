"""An item's versions: taking its row for a change that must not race another, starting a new version
(an edit, a replaced file), and the files of earlier versions, owed deletion after the grace period."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import update
from sqlmodel import Session, col, select

from nexus_core.config import Settings
from nexus_core.media import paths
from nexus_core.media.deletion import recorded_paths
from nexus_core.media.renditions import MadeRendition
from nexus_core.media.storage import Storage
from nexus_core.models import MediaItem, MediaStatus, PendingDeletion
from nexus_core.models.base import utcnow


def claim(session: Session, item_id: UUID, *, version: int | None = None) -> MediaItem | None:
    """The item's row, read again and held for this transaction (no other change of it can commit
    before ours), or None (holding nothing) when it is gone or, with `version`, no longer at that version.

    A write that changes nothing takes the lock on both databases: PostgreSQL's row lock, SQLite's
    write lock (a plain SELECT would take neither, so a change could slip in between reading and writing).
    """
    statement = update(MediaItem).where(col(MediaItem.id) == item_id).values(version=MediaItem.version)
    if version is not None:
        statement = statement.where(col(MediaItem.version) == version)
    taken = session.execute(statement, execution_options={"synchronize_session": False})
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        session.rollback()
        return None
    return session.get(MediaItem, item_id, populate_existing=True)


def start_new_version(
    session: Session, item: MediaItem, *, settings: Settings, replacing_original: bool = False
) -> None:
    """Raise the version of a claimed item and queue nothing yet: its renditions are made again once the
    caller commits. Every file of the version before (and its original, when `replacing_original`) is
    owed deletion after NEXUS_OLD_VERSION_GRACE; until the new renditions exist the item keeps listing
    the old ones, which stay served meanwhile."""
    kept = [path for path in recorded_paths(item) if replacing_original or path != item.file_path]
    owe_later(session, item.storage_backend, kept, settings=settings)
    item.version += 1
    item.status = MediaStatus.PENDING
    item.error = None
    item.updated_at = utcnow()
    session.add(item)


def owe_later(session: Session, backend: str, stale: Iterable[str], *, settings: Settings) -> None:
    """Record files to delete after the grace period, each once."""
    wanted = list(dict.fromkeys(stale))
    if not wanted:
        return
    owed = set(
        session.exec(
            select(PendingDeletion.path).where(
                col(PendingDeletion.path).in_(wanted), PendingDeletion.storage_backend == backend
            )
        )
    )
    due = utcnow() + settings.old_version_grace
    session.add_all(
        PendingDeletion(path=path, storage_backend=backend, due_at=due) for path in wanted if path not in owed
    )


def discard_unrecorded(session: Session, storage: Storage, made: Iterable[str]) -> None:
    """Delete what a job of an outdated (or deleted) item made, except files its version had recorded
    before (a job run twice rewrites them), which are owed after their grace period like the rest."""
    made = list(made)
    owed = set(
        session.exec(
            select(PendingDeletion.path).where(
                col(PendingDeletion.path).in_(made), PendingDeletion.storage_backend == storage.name
            )
        )
    )
    for path in made:
        if path not in owed:
            storage.delete(path)


def of_version(made: Iterable[MadeRendition], version: int) -> list[MadeRendition]:
    """The renditions among `made` that belong to `version` (their path says which)."""
    return [rendition for rendition in made if version_of(rendition.path) == version]


def version_of(path: str) -> int | None:
    parsed = paths.parse_path(path)
    return parsed.version if parsed else None
