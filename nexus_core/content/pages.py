"""Page use cases: create, edit, publish, and the record of which media items each page uses."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from sqlmodel import Session, col, delete, select

from nexus_core.content import rich_text
from nexus_core.content.pictures import MediaCatalog, PageImages, library_item_id
from nexus_core.content.renderer import render_document, render_rich_text
from nexus_core.content.sanitize import is_safe_image_url
from nexus_core.content.templates import DEFAULT_TEMPLATE, FieldType, get_template
from nexus_core.errors import InvalidInput, NotFound
from nexus_core.ids import parse_id
from nexus_core.media import paths, renditions
from nexus_core.models import MediaItem, MediaReference, MediaStatus, Page, PageStatus, Project
from nexus_core.models.base import utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView, PageView
from nexus_core.text import require_storable, require_storable_document

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
MISSING_PAGE = "No such page in this project."
EMPTY_DOCUMENT: dict[str, Any] = {"type": "doc", "content": [{"type": "paragraph"}]}


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100].strip("-") or "page"


def _unique_slug(session: Session, project_id: UUID, wanted: str, *, page_id: UUID | None = None) -> str:
    taken = set(session.exec(select(Page.slug).where(Page.project_id == project_id, col(Page.id) != page_id)))
    slug, number = wanted, 2
    while slug in taken:
        slug = f"{wanted[:95]}-{number}"
        number += 1
    return slug


def create_page(session: Session, *, actor: Actor, title: str, template: str = DEFAULT_TEMPLATE) -> PageView:
    authorize(actor, Action.EDIT_PAGES)
    get_template(template)
    title = _clean_title(title)
    page = Page(
        project_id=actor.project_id,
        title=title[:200],
        slug=_unique_slug(session, actor.project_id, slugify(title)),
        template=template,
        body_json=EMPTY_DOCUMENT,
    )
    session.add(page)
    session.commit()
    return PageView.of(page)


def list_pages(session: Session, *, actor: Actor) -> list[PageView]:
    authorize(actor, Action.VIEW)
    query = select(Page).where(Page.project_id == actor.project_id).order_by(col(Page.updated_at).desc())
    return [PageView.of(page) for page in session.exec(query)]


def get_page(session: Session, *, actor: Actor, page_id: UUID | str) -> PageView:
    return PageView.of(_load_page(session, actor=actor, page_id=page_id))


def _load_page(session: Session, *, actor: Actor, page_id: UUID | str) -> Page:
    authorize(actor, Action.VIEW)
    page = session.get(Page, parse_id(page_id, MISSING_PAGE))
    if page is None or page.project_id != actor.project_id:
        raise NotFound(MISSING_PAGE)
    return page


def save_page(
    session: Session,
    *,
    actor: Actor,
    page_id: UUID | str,
    title: str,
    slug: str,
    template_data: Mapping[str, Any],
    body_json: Mapping[str, Any] | None,
) -> PageView:
    """Validate and store every field, render the body's HTML on the server and record the media used."""
    page = _load_page(session, actor=actor, page_id=page_id)
    authorize(actor, Action.EDIT_PAGES)
    template = get_template(page.template)
    title = _clean_title(title)
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise InvalidInput(f"“{slug}” is not a valid slug: use lowercase letters, digits and inner hyphens.")
    if _unique_slug(session, actor.project_id, slug, page_id=page.id) != slug:
        raise InvalidInput(f"Another page of this project already uses the slug “{slug}”.")
    data = _clean_template_data(template.data_fields, template_data)
    document = dict(body_json) if body_json else EMPTY_DOCUMENT
    if document.get("type") != "doc":
        raise InvalidInput("The body must be a TipTap document.")
    require_storable_document(document, "The body")
    document = rich_text.without_images_where(document, _not_a_stored_image)
    used = _referenced_items(session, actor.project_id, data, document)
    page.title, page.slug, page.template_data, page.body_json = title[:200], slug, data, document
    page.body_html = render_rich_text(document, PageImages(used))
    page.updated_at = utcnow()
    session.add(page)
    session.exec(delete(MediaReference).where(col(MediaReference.page_id) == page.id))
    session.add_all(MediaReference(page_id=page.id, media_item_id=item_id) for item_id in used)
    session.commit()
    return PageView.of(page)


def _clean_title(title: str) -> str:
    title = require_storable(title.strip(), "The title")
    if not title:
        raise InvalidInput("A page needs a title.")
    return title


def _not_a_stored_image(attributes: Mapping[str, Any]) -> bool:
    """Placeholders of uploads still in flight (blob: URLs) and unsafe sources are never stored."""
    return bool(attributes.get("uploadId")) or not is_safe_image_url(str(attributes.get("src") or ""))


def _clean_template_data(fields: Iterable[Any], values: Mapping[str, Any]) -> dict[str, str]:
    data: dict[str, str] = {}
    for field in fields:
        value = values.get(field.key) or ""
        if not isinstance(value, str):
            raise InvalidInput(f"“{field.label}” must be text.")
        value = require_storable(value.strip(), f"“{field.label}”")
        if len(value) > field.max_length:
            raise InvalidInput(f"“{field.label}” can have at most {field.max_length} characters.")
        if field.type is FieldType.IMAGE and value and not is_safe_image_url(value):
            raise InvalidInput(f"“{field.label}” must be an image from the media library or an http(s) URL.")
        data[field.key] = value
    return data


def _referenced_items(
    session: Session, project_id: UUID, data: Mapping[str, str], document: Mapping[str, Any]
) -> dict[UUID, MediaItem]:
    """The project's media items used by the field values and the body's images."""
    wanted: set[UUID] = {item_id for value in data.values() if (item_id := library_item_id(value))}
    for attributes in rich_text.image_sources(document):
        wanted.update(_image_item_ids(attributes))
    if not wanted:
        return {}
    items = session.exec(
        select(MediaItem).where(col(MediaItem.id).in_(wanted), MediaItem.project_id == project_id)
    )
    found = {item.id: item for item in items}
    for item in found.values():
        _refuse_unplaceable(item.status, item.filename)
    return found


def _refuse_unplaceable(status: MediaStatus, filename: str) -> None:
    if status == MediaStatus.ERROR:
        raise InvalidInput(
            f"“{filename}” could not be processed, so it cannot be on a page; remove it or choose another image."
        )


def _image_item_ids(attributes: Mapping[str, Any]) -> set[UUID]:
    """An image node names its item by `mediaId` (set by the editor) and, for pasted HTML, by its src."""
    found = set()
    if (from_src := library_item_id(str(attributes.get("src") or ""))) is not None:
        found.add(from_src)
    with contextlib.suppress(KeyError, ValueError):
        found.add(UUID(str(attributes["mediaId"])))
    return found


def set_published(session: Session, *, actor: Actor, page_id: UUID | str, published: bool) -> PageView:
    page = _load_page(session, actor=actor, page_id=page_id)
    authorize(actor, Action.EDIT_PAGES)
    page.status = PageStatus.PUBLISHED if published else PageStatus.DRAFT
    page.published_at = utcnow() if published else None
    page.updated_at = utcnow()
    session.add(page)
    session.commit()
    return PageView.of(page)


def pages_using(session: Session, *, actor: Actor, item_id: UUID) -> list[PageView]:
    authorize(actor, Action.VIEW)
    query = (
        select(Page)
        .join(MediaReference, col(MediaReference.page_id) == Page.id)
        .where(MediaReference.media_item_id == item_id, Page.project_id == actor.project_id)
        .order_by(Page.title)
    )
    return [PageView.of(page) for page in session.exec(query)]


def media_of(session: Session, page: Page) -> MediaCatalog:
    items = session.exec(
        select(MediaItem)
        .join(MediaReference, col(MediaReference.media_item_id) == MediaItem.id)
        .where(MediaReference.page_id == page.id)
    )
    return {item.id: item for item in items}


def published_document(session: Session, *, project_slug: str, page_slug: str) -> str:
    """The public HTML of a published page; drafts and unknown pages are NotFound."""
    row = session.exec(
        select(Page, Project)
        .join(Project, col(Project.id) == Page.project_id)
        .where(Project.slug == project_slug, Page.slug == page_slug, Page.status == PageStatus.PUBLISHED)
    ).first()
    if row is None:
        raise NotFound("No such page.")
    page, project = row
    return render_document(
        page, get_template(page.template), media_of(session, page), project_name=project.name
    )


def image_field_value(item: MediaItemView) -> str:
    """What an image field stores for a chosen item: its `large` variant's URL, else the original's."""
    _refuse_unplaceable(item.status, item.filename)
    return paths.url(item.variants.get(renditions.LARGE.name) or item.file_path)


def image_node_attributes(item: MediaItemView) -> dict[str, str]:
    """The TipTap image node for an item: it keeps the item's id and carries its alt text."""
    return {"src": image_field_value(item), "alt": item.alt_text, "mediaId": str(item.id)}
