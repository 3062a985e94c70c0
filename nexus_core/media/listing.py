"""Which of a project's items a view shows (filters) and in which order (sorts), one page at a time.

The API's `filter[…]`/`sort` parameters and the admin's URL name the same filters and sorts, parsed
here once, so a link shared from the admin and an API call mean the same thing. Each condition is one
an index serves at 100,000 items (see the indexes of MediaItem and migration 0005).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, UnaryExpression, exists, false, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from nexus_core.errors import InvalidInput, InvalidParameter, NotFound
from nexus_core.media import counting, duplicates, folders, formats, library, tags
from nexus_core.media.folders import ROOT
from nexus_core.models import MediaItem, MediaReference, MediaStatus, MediaTag, Tag
from nexus_core.models.base import as_utc
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView
from nexus_core.text import require_storable

MAX_PAGE_SIZE = 100
MAX_PAGE_OFFSET = 1_000_000_000
"""Far beyond any library, and far below the integer limits of SQLite and PostgreSQL (2^63 - 1)."""
MAX_SEARCH_LENGTH = 200

TYPES: Mapping[str, str] = {row.name.lower(): row.mime_type for row in formats.FORMATS}
"""`filter[type]` names (jpeg, png, gif, webp, avif, svg) → MIME type."""


class Sort(StrEnum):
    NEWEST = "-inserted_at"
    OLDEST = "inserted_at"
    NAME = "filename"
    NAME_DESCENDING = "-filename"
    SMALLEST = "file_size"
    LARGEST = "-file_size"


class Orientation(StrEnum):
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"
    SQUARE = "square"


Folder = UUID | folders.Root | None
"""A folder's direct children, the root's (`"root"`), or every folder's (None)."""


@dataclass(frozen=True)
class ItemFilter:
    """What a view of the library shows; every field left at its default filters nothing."""

    q: str | None = None
    status: MediaStatus | None = None
    folder: Folder = None
    tag: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    orientation: Orientation | None = None
    missing_alt: bool = False
    unused: bool = False
    duplicates: bool = False
    similar_to: UUID | None = None
    uploaded_after: datetime | None = None
    uploaded_before: datetime | None = None

    @classmethod
    def parse(cls, values: Mapping[str, str], *, parameter: str = "{}") -> ItemFilter:
        """From text as the API and the admin's URL carry it (`{"tag": "a,b", "missing_alt": "true"}`).

        A value that means nothing is an InvalidParameter named by `parameter` (e.g. "filter[{}]").
        """
        parsed: dict[str, object] = {}
        for name, text in values.items():
            if name not in FILTERS:
                raise InvalidParameter(
                    parameter.format(name), f"no such filter; filters: {', '.join(FILTERS)}."
                )
            try:
                parsed[name] = _PARSERS[name](text)
            except (InvalidInput, ValueError) as error:
                raise InvalidParameter(parameter.format(name), str(error)) from None
        return cls(**parsed)  # type: ignore[arg-type]

    def as_params(self) -> dict[str, str]:
        """The filters in force as text, the inverse of `parse` (for links and the admin's URL)."""
        found: dict[str, str] = {}
        for name in FILTERS:
            value = getattr(self, name)
            if value in (None, (), False, ""):
                continue
            if isinstance(value, tuple):
                found[name] = ",".join(value)
            elif isinstance(value, bool):
                found[name] = "true"
            elif isinstance(value, datetime):
                found[name] = value.isoformat()
            else:
                found[name] = str(value)
        return found

    @property
    def active(self) -> bool:
        return bool(self.as_params())


def _text(text: str) -> str | None:
    text = require_storable(text.strip(), "The search")
    if len(text) > MAX_SEARCH_LENGTH:
        raise InvalidInput(f"at most {MAX_SEARCH_LENGTH} characters.")
    return text or None


def _folder(text: str) -> Folder:
    return ROOT if text == ROOT else _uuid(text, "a folder's id, or “root”.")


def _names(text: str) -> tuple[str, ...]:
    return tuple(tags.clean_tags(part for part in text.split(",") if part.strip()))


def _types(text: str) -> tuple[str, ...]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in TYPES]
    if unknown or not names:
        raise InvalidInput(f"“{','.join(unknown)}” is no type; types: {', '.join(TYPES)}.")
    return tuple(dict.fromkeys(names))


def _flag(text: str) -> bool:
    if text not in ("true", "false"):
        raise InvalidInput("“true” or “false”.")
    return text == "true"


def _item_id(text: str) -> UUID:
    return _uuid(text, "an image's id.")


def _uuid(text: str, expected: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput(expected) from None


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("an ISO 8601 date or time, e.g. 2026-12-31 or 2026-12-31T23:00:00Z.") from None
    return as_utc(moment)  # a time without an offset is UTC, as every stored time


def _choice(kind: type[StrEnum]) -> Callable[[str], StrEnum]:
    def parse(text: str) -> StrEnum:
        try:
            return kind(text)
        except ValueError:
            raise InvalidInput(f"one of {', '.join(kind)}.") from None

    return parse


_PARSERS = {
    "q": _text,
    "status": _choice(MediaStatus),
    "folder": _folder,
    "tag": _names,
    "type": _types,
    "orientation": _choice(Orientation),
    "missing_alt": _flag,
    "unused": _flag,
    "duplicates": _flag,
    "similar_to": _item_id,
    "uploaded_after": _moment,
    "uploaded_before": _moment,
}
FILTERS: tuple[str, ...] = tuple(each.name for each in fields(ItemFilter))
assert set(FILTERS) == set(_PARSERS), "every filter has a parser"


def parse_sort(text: str, *, parameter: str = "sort") -> Sort:
    try:
        return Sort(text)
    except ValueError:
        raise InvalidParameter(parameter, f"no such sort; sorts: {', '.join(Sort)}.") from None


@dataclass(frozen=True)
class MediaPage:
    items: list[MediaItemView]
    total: int
    total_estimated: bool = False
    """More than counting.EXACT_UP_TO match on PostgreSQL: `total` is an estimate ("about")."""
    more: bool = False
    """Items follow this page."""


def list_items(
    session: Session,
    *,
    actor: Actor,
    filters: ItemFilter = ItemFilter(),
    sort: Sort = Sort.NEWEST,
    limit: int = 50,
    offset: int = 0,
) -> MediaPage:
    """One page of the items that pass every filter, in `sort` order (ties broken by id, so pages
    never repeat or skip an item), with how many pass in all."""
    authorize(actor, Action.VIEW)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"The page size must be between 1 and {MAX_PAGE_SIZE}.")
    if not 0 <= offset <= MAX_PAGE_OFFSET:
        raise InvalidInput(f"The page offset must be between 0 and {MAX_PAGE_OFFSET}.")
    matching, paging = statements(
        session, actor=actor, filters=filters, sort=sort, limit=limit + 1, offset=offset
    )
    rows = session.exec(paging).all()
    if rows and len(rows) <= limit:  # the last page: what came before it and what it holds is all there is
        total = counting.Count(offset + len(rows))
    else:
        total = counting.count(session, matching)
    return MediaPage(
        items=library.views_of(session, rows[:limit]),
        total=total.value,
        total_estimated=total.estimated,
        more=len(rows) > limit,
    )


def statements(
    session: Session, *, actor: Actor, filters: ItemFilter, sort: Sort, limit: int, offset: int
) -> tuple[SelectOfScalar[UUID], SelectOfScalar[MediaItem]]:
    """A page's two statements: the ids that pass (for counting) and the page's rows in order
    (bench.library_api prints their plans)."""
    conditions, nearest_first = _conditions(session, actor, filters)
    order = [*nearest_first, *_ORDER[sort]]
    page = select(MediaItem).where(*conditions).order_by(*order).offset(offset).limit(limit)
    return select(MediaItem.id).where(*conditions), page


def matching_ids(session: Session, *, actor: Actor, filters: ItemFilter, limit: int) -> list[UUID]:
    """The ids of the items that pass (newest first), at most `limit` (for "select all that match")."""
    authorize(actor, Action.VIEW)
    conditions, _ = _conditions(session, actor, filters)
    query = select(MediaItem.id).where(*conditions).order_by(*_ORDER[Sort.NEWEST]).limit(limit)
    return list(session.exec(query).all())


_NAME = func.lower(MediaItem.filename)
_ORDER: Mapping[Sort, tuple[UnaryExpression[Any], ...]] = {
    Sort.NEWEST: (col(MediaItem.inserted_at).desc(), col(MediaItem.id).desc()),
    Sort.OLDEST: (col(MediaItem.inserted_at).asc(), col(MediaItem.id).asc()),
    Sort.NAME: (_NAME.asc(), col(MediaItem.id).asc()),
    Sort.NAME_DESCENDING: (_NAME.desc(), col(MediaItem.id).desc()),
    Sort.SMALLEST: (col(MediaItem.file_size).asc(), col(MediaItem.id).asc()),
    Sort.LARGEST: (col(MediaItem.file_size).desc(), col(MediaItem.id).desc()),
}


def _conditions(
    session: Session, actor: Actor, filters: ItemFilter
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[int]]]:
    """The WHERE conditions of `filters`, and the order that puts the nearest first under `similar_to`."""
    conditions: list[ColumnElement[bool]] = [col(MediaItem.project_id) == actor.project_id]
    if filters.q:
        pattern = "%" + _escape_like(require_storable(filters.q, "The search").lower()) + "%"
        conditions.append(
            or_(
                func.lower(MediaItem.filename).like(pattern, escape="\\"),
                func.lower(MediaItem.alt_text).like(pattern, escape="\\"),
            )
        )
    if filters.status is not None:
        conditions.append(col(MediaItem.status) == filters.status)
    if filters.folder == ROOT:
        conditions.append(col(MediaItem.folder_id).is_(None))
    elif filters.folder is not None:
        folders.load_folder(session, actor=actor, folder_id=filters.folder)
        conditions.append(col(MediaItem.folder_id) == filters.folder)
    conditions.extend(_tag_conditions(session, actor.project_id, filters.tag))
    if filters.type:
        conditions.append(col(MediaItem.mime_type).in_([TYPES[name] for name in filters.type]))
    if filters.orientation is not None:
        conditions.append(_ORIENTATION[filters.orientation])
    if filters.missing_alt:
        conditions.append(col(MediaItem.alt_text) == "")
    if filters.unused:
        conditions.append(~exists().where(col(MediaReference.media_item_id) == MediaItem.id))
    if filters.duplicates:
        conditions.append(duplicates.has_duplicates())
    if filters.uploaded_after is not None:
        conditions.append(col(MediaItem.inserted_at) >= filters.uploaded_after)
    if filters.uploaded_before is not None:
        conditions.append(col(MediaItem.inserted_at) < filters.uploaded_before)
    if filters.similar_to is None:
        return conditions, []
    try:
        similar, distance = duplicates.similar_to(session, actor=actor, item_id=filters.similar_to)
    except NotFound:
        raise NotFound("similar_to names no image of this project.") from None
    return [*conditions, similar], [distance]


_ORIENTATION: Mapping[Orientation, ColumnElement[bool]] = {
    Orientation.LANDSCAPE: col(MediaItem.width) > col(MediaItem.height),
    Orientation.PORTRAIT: col(MediaItem.width) < col(MediaItem.height),
    Orientation.SQUARE: col(MediaItem.width) == col(MediaItem.height),
}


def _tag_conditions(session: Session, project_id: UUID, names: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """Carries every one of the tags: one indexed membership test per tag (an unknown tag: nothing)."""
    if not names:
        return []
    keys = [name.casefold() for name in names]
    ids = dict(
        session.exec(
            select(Tag.name_key, Tag.id).where(Tag.project_id == project_id, col(Tag.name_key).in_(keys))
        ).all()
    )
    if len(ids) < len(set(keys)):
        return [false()]
    return [
        col(MediaItem.id).in_(select(MediaTag.media_item_id).where(MediaTag.tag_id == ids[key]))
        for key in dict.fromkeys(keys)
    ]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
