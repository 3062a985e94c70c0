"""Reading the library: one item, a page of items (filtered, searched), an item's details, live statuses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from nexus_core.errors import InvalidInput, NotFound
from nexus_core.ids import parse_id
from nexus_core.media import renditions
from nexus_core.media.storage import Storage, storage_named
from nexus_core.models import MediaItem, MediaReference, MediaStatus, Page, Role, User
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView
from nexus_core.text import require_storable

MAX_PAGE_SIZE = 100
MAX_PAGE_OFFSET = 1_000_000_000
"""Far beyond any library, and far below the integer limits of SQLite and PostgreSQL (2^63 - 1)."""


@dataclass(frozen=True)
class MediaPage:
    items: list[MediaItemView]
    total: int


@dataclass(frozen=True)
class VariantFile:
    name: str
    path: str
    size: int | None


@dataclass(frozen=True)
class ItemDetails:
    """What the detail panel shows: the item, who uploaded it, its variants with their sizes, the
    pages using it, and the role of the person looking (which decides what they may change)."""

    item: MediaItemView
    uploader_email: str | None
    variants: list[VariantFile]
    used_in: list[tuple[str, str]]
    viewer_role: Role


def get_item(session: Session, *, actor: Actor, item_id: UUID | str) -> MediaItemView:
    return MediaItemView.of(load_item(session, actor=actor, item_id=item_id))


def load_item(session: Session, *, actor: Actor, item_id: UUID | str) -> MediaItem:
    """The row itself, for use cases that change it; the actor must be allowed to see it."""
    authorize(actor, Action.VIEW)
    item = session.get(MediaItem, as_item_id(item_id))
    if item is None or item.project_id != actor.project_id:
        raise NotFound("No such media item in this project.")
    return item


def as_item_id(value: UUID | str) -> UUID:
    return parse_id(value, "No such media item in this project.")


def list_items(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    status: MediaStatus | None = None,
    query: str | None = None,
) -> MediaPage:
    """Newest first, filtered by status and by a search in filename and alt text."""
    authorize(actor, Action.VIEW)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"The page size must be between 1 and {MAX_PAGE_SIZE}.")
    if not 0 <= offset <= MAX_PAGE_OFFSET:
        raise InvalidInput(f"The page offset must be between 0 and {MAX_PAGE_OFFSET}.")
    conditions: list[ColumnElement[bool]] = [col(MediaItem.project_id) == actor.project_id]
    if status is not None:
        conditions.append(col(MediaItem.status) == status)
    if query and query.strip():
        pattern = "%" + _escape_like(require_storable(query.strip(), "The search").lower()) + "%"
        conditions.append(
            or_(
                func.lower(MediaItem.filename).like(pattern, escape="\\"),
                func.lower(MediaItem.alt_text).like(pattern, escape="\\"),
            )
        )
    total = session.exec(select(func.count()).select_from(MediaItem).where(*conditions)).one()
    items = session.exec(
        select(MediaItem)
        .where(*conditions)
        .order_by(col(MediaItem.inserted_at).desc(), col(MediaItem.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return MediaPage(items=[MediaItemView.of(item) for item in items], total=total)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def pages_using(session: Session, item_id: UUID) -> list[tuple[str, str]]:
    """(id, title) of every page that uses the item, by title."""
    rows = session.exec(
        select(Page.id, Page.title)
        .join(MediaReference, col(MediaReference.page_id) == Page.id)
        .where(MediaReference.media_item_id == item_id)
        .order_by(Page.title)
    )
    return [(str(page_id), title) for page_id, title in rows]


def get_item_details(
    session: Session, *, actor: Actor, item_id: UUID | str, storage: Storage | None = None
) -> ItemDetails:
    item = load_item(session, actor=actor, item_id=item_id)
    storage = storage or storage_named(item.storage_backend)
    uploader = session.get(User, item.uploaded_by_id) if item.uploaded_by_id else None
    ordered = sorted(item.variants.items(), key=lambda pair: renditions.WIDTHS.get(pair[0], 0))
    variants = []
    for name, path in ordered:
        stat = storage.stat(path)
        variants.append(VariantFile(name=name, path=path, size=stat.size if stat else None))
    return ItemDetails(
        item=MediaItemView.of(item),
        uploader_email=uploader.email if uploader else None,
        variants=variants,
        used_in=pages_using(session, item.id),
        viewer_role=actor.role,
    )


def statuses(session: Session, *, actor: Actor, item_ids: Sequence[UUID]) -> dict[UUID, MediaStatus]:
    """The current status of some items of the project (for live tiles); missing ids are left out."""
    authorize(actor, Action.VIEW)
    if not item_ids:
        return {}
    rows = session.exec(
        select(MediaItem.id, MediaItem.status).where(
            col(MediaItem.project_id) == actor.project_id, col(MediaItem.id).in_(list(item_ids))
        )
    )
    return {item_id: MediaStatus(status) for item_id, status in rows}
