"""Reading the library: one item with its tags, an item's details, where it is used, live statuses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func
from sqlmodel import Session, col, select

from nexus_core.errors import NotFound
from nexus_core.ids import parse_id
from nexus_core.media import paths, renditions
from nexus_core.media.storage import Storage, storage_named
from nexus_core.models import MediaItem, MediaReference, MediaStatus, MediaTag, Page, Role, Tag, User
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView


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
    return view_of(session, load_item(session, actor=actor, item_id=item_id))


def view_of(session: Session, item: MediaItem) -> MediaItemView:
    return views_of(session, [item])[0]


def views_of(session: Session, items: Sequence[MediaItem]) -> list[MediaItemView]:
    """Read models of rows, each with its tags (one query for them all)."""
    carried = tags_of(session, [item.id for item in items])
    return [
        MediaItemView.of(item).model_copy(update={"tags": tuple(carried.get(item.id, ()))}) for item in items
    ]


def tags_of(session: Session, item_ids: Iterable[UUID]) -> dict[UUID, list[str]]:
    """Each item's tags, by name; items without tags are left out."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(MediaTag.media_item_id, Tag.name)
        .join(Tag, col(Tag.id) == MediaTag.tag_id)
        .where(col(MediaTag.media_item_id).in_(ids))
        .order_by(func.lower(Tag.name))
    )
    found: dict[UUID, list[str]] = {}
    for item_id, name in rows:
        found.setdefault(item_id, []).append(name)
    return found


def load_item(session: Session, *, actor: Actor, item_id: UUID | str) -> MediaItem:
    """The row itself, for use cases that change it; the actor must be allowed to see it."""
    authorize(actor, Action.VIEW)
    item = session.get(MediaItem, as_item_id(item_id))
    if item is None or item.project_id != actor.project_id:
        raise NotFound("No such media item in this project.")
    return item


def as_item_id(value: UUID | str) -> UUID:
    return parse_id(value, "No such media item in this project.")


def pages_using(session: Session, item_id: UUID) -> list[tuple[str, str]]:
    """(id, title) of every page that uses the item, by title."""
    rows = session.exec(
        select(Page.id, Page.title)
        .join(MediaReference, col(MediaReference.page_id) == Page.id)
        .where(MediaReference.media_item_id == item_id)
        .order_by(Page.title)
    )
    return [(str(page_id), title) for page_id, title in rows]


def pages_using_any(session: Session, *, actor: Actor, item_ids: Sequence[UUID]) -> list[tuple[str, str]]:
    """(id, title) of every page of the project that uses any of the items, by title (the warning
    before a bulk delete)."""
    authorize(actor, Action.VIEW)
    rows = session.exec(
        select(Page.id, Page.title)
        .where(Page.project_id == actor.project_id)
        .join(MediaReference, col(MediaReference.page_id) == Page.id)
        .where(col(MediaReference.media_item_id).in_(list(item_ids)))
        .distinct()
        .order_by(Page.title)
    )
    return [(str(page_id), title) for page_id, title in rows]


def usage_counts(session: Session, *, actor: Actor, item_ids: Sequence[UUID]) -> dict[UUID, int]:
    """How many pages use each item (the admin's list view); unused items are left out."""
    authorize(actor, Action.VIEW)
    if not item_ids:
        return {}
    rows = session.exec(
        select(MediaReference.media_item_id, func.count(func.distinct(MediaReference.page_id)))
        .join(MediaItem, col(MediaItem.id) == MediaReference.media_item_id)
        .where(col(MediaItem.project_id) == actor.project_id)
        .where(col(MediaReference.media_item_id).in_(list(item_ids)))
        .group_by(col(MediaReference.media_item_id))
    )
    return dict(rows.all())


def get_item_details(
    session: Session, *, actor: Actor, item_id: UUID | str, storage: Storage | None = None
) -> ItemDetails:
    item = load_item(session, actor=actor, item_id=item_id)
    storage = storage or storage_named(item.storage_backend)
    uploader = session.get(User, item.uploaded_by_id) if item.uploaded_by_id else None
    ordered = sorted(item.variants.items(), key=lambda pair: renditions.WIDTHS.get(pair[0], 0))
    if full := paths.full_picture(item.file_path, renditions.made(item.renditions)):
        ordered.append((renditions.FULL, full.path))  # the edited picture, what `url` serves
    variants = []
    for name, path in ordered:
        stat = storage.stat(path)
        variants.append(VariantFile(name=name, path=path, size=stat.size if stat else None))
    return ItemDetails(
        item=view_of(session, item),
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
