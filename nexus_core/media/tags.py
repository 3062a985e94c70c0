"""Tags on a project's images: trimmed, 1 to 50 characters, unique ignoring case; the first
spelling a project used is the one it keeps ("Harbour" and "harbour" are one tag)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete, select

from nexus_core.errors import InvalidInput
from nexus_core.media.library import load_item
from nexus_core.models import MediaItem, MediaTag, Tag
from nexus_core.models.base import new_id
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import TagCount
from nexus_core.text import require_storable

MAX_TAG_LENGTH = 50
MAX_TAGS_PER_ITEM = 100


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Each tag trimmed, in the order given, duplicates (ignoring case) dropped."""
    cleaned: dict[str, str] = {}
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidInput("Tags must be text.")
        text = require_storable(" ".join(tag.split()), "A tag")
        if not text:
            raise InvalidInput("A tag cannot be empty.")
        if len(text) > MAX_TAG_LENGTH:
            raise InvalidInput(f"A tag can have at most {MAX_TAG_LENGTH} characters: “{text[:60]}…”.")
        cleaned.setdefault(text.casefold(), text)
    if len(cleaned) > MAX_TAGS_PER_ITEM:
        raise InvalidInput(f"An image can have at most {MAX_TAGS_PER_ITEM} tags.")
    return list(cleaned.values())


def set_tags(session: Session, *, actor: Actor, item_id: UUID | str, tags: Iterable[str]) -> list[str]:
    """Replace the item's tags; returns them as the project spells them."""
    item = load_item(session, actor=actor, item_id=item_id)
    authorize(actor, Action.EDIT_MEDIA)
    names = replace_tags(session, item, tags)
    session.commit()
    return names


def replace_tags(session: Session, item: MediaItem, tags: Iterable[str]) -> list[str]:
    """The item carries exactly `tags` once the caller commits; returns them as the project spells them."""
    rows = _tags_named(session, item.project_id, clean_tags(tags))
    session.exec(delete(MediaTag).where(col(MediaTag.media_item_id) == item.id))
    session.add_all(MediaTag(media_item_id=item.id, tag_id=row.id) for row in rows)
    session.flush()
    return [row.name for row in rows]


def list_tags(session: Session, *, actor: Actor) -> list[TagCount]:
    """The project's tags in use, with how many images carry each, by name."""
    authorize(actor, Action.VIEW)
    rows = session.exec(
        select(Tag.id, Tag.name, func.count(col(MediaTag.media_item_id)))
        .join(MediaTag, col(MediaTag.tag_id) == Tag.id)
        .where(Tag.project_id == actor.project_id)
        .group_by(col(Tag.id), col(Tag.name))
        .order_by(func.lower(Tag.name))
    )
    return [TagCount(id=tag_id, name=name, count=count) for tag_id, name, count in rows]


def _tags_named(session: Session, project_id: UUID, names: list[str]) -> list[Tag]:
    """The project's Tag rows for these names, made where missing, in the order of `names`.

    Missing ones are inserted with ON CONFLICT DO NOTHING and read again, so two people tagging with
    the same new tag at the same moment both end up with the one row instead of one of them failing.
    """
    keys = [name.casefold() for name in names]
    wanted = select(Tag).where(Tag.project_id == project_id, col(Tag.name_key).in_(keys))
    existing = {tag.name_key: tag for tag in session.exec(wanted)}
    missing = {key: name for name, key in zip(names, keys, strict=True) if key not in existing}
    if missing:
        rows = [
            {"id": new_id(), "project_id": project_id, "name": name, "name_key": key}
            for key, name in missing.items()
        ]
        session.execute(
            _insert_new(session)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["project_id", "name_key"])
        )
        existing = {tag.name_key: tag for tag in session.exec(wanted)}
    return [existing[key] for key in keys]


def _insert_new(session: Session) -> Any:
    """INSERT … ON CONFLICT in the session's dialect (PostgreSQL's and SQLite's read the same)."""
    dialect = session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Tag)
