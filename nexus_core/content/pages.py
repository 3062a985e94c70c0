"""Page use cases: create, edit, publish, and the record of which media items each page uses."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from sqlmodel import Session, col, delete, select

from nexus_core.content import references, rich_text
from nexus_core.content.pictures import MediaCatalog, PageImages, current_url
from nexus_core.content.references import ImageReference
from nexus_core.content.renderer import render_document, render_rich_text
from nexus_core.content.templates import DEFAULT_TEMPLATE, FieldType, Template, TemplateField, get_template
from nexus_core.errors import InvalidInput, NotFound
from nexus_core.ids import parse_id
from nexus_core.media import library, paths, renditions
from nexus_core.media.renditions import Aspect
from nexus_core.models import MediaItem, MediaReference, MediaStatus, Page, PageStatus, Project
from nexus_core.models.base import utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView, PageForEditing, PageView, PlacedImage
from nexus_core.text import require_storable, require_storable_document
from nexus_core.webhooks import events

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


def page_for_editing(session: Session, *, actor: Actor, page_id: UUID | str) -> PageForEditing:
    """The page as the editor shows it: each library image with its item's current URL and alt text (the
    placeholder of the usage's own); images whose items were deleted since are left out."""
    page = _load_page(session, actor=actor, page_id=page_id)
    placed = {item.id: placed_image(MediaItemView.of(item)) for item in media_of(session, page).values()}

    def shown(reference: ImageReference | None) -> ImageReference | None:
        return (
            None
            if reference is None or (reference.media_id and reference.media_id not in placed)
            else reference
        )

    def node(attributes: Mapping[str, Any]) -> dict[str, str] | None:
        if (reference := shown(references.read_node(attributes))) is None:
            return None
        source = {"src": placed[reference.media_id].url} if reference.media_id else {}
        return source | reference.node_attributes()

    template = get_template(page.template)
    data = dict(page.template_data)
    for field in template.data_fields:
        if field.type is FieldType.IMAGE:
            reference = shown(references.read_field(data.get(field.key)))
            data[field.key] = reference.field_value() if reference else ""
    view = PageView.of(page).model_copy(
        update={"template_data": data, "body_json": rich_text.map_images(page.body_json, node)}
    )
    return PageForEditing(page=view, images={str(item_id): image for item_id, image in placed.items()})


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
    document = rich_text.map_images(document, _stored_node)
    used = _referenced_items(session, actor.project_id, _images_of(template, data, document))
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


def _stored_node(attributes: Mapping[str, Any]) -> dict[str, str] | None:
    """What a body image keeps: its reference; uploads still in flight and unsafe sources are dropped."""
    reference = references.clean_node(attributes)
    return reference.node_attributes() if reference else None


def _clean_template_data(fields: Iterable[TemplateField], values: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in fields:
        value = values.get(field.key) or ""
        if field.type is FieldType.IMAGE:
            reference = references.clean_field(value, field.label)
            value = reference.field_value() if reference else ""
        elif not isinstance(value, str):
            raise InvalidInput(f"“{field.label}” must be text.")
        else:
            value = require_storable(value.strip(), f"“{field.label}”")
        if isinstance(value, str) and len(value) > field.max_length:
            raise InvalidInput(f"“{field.label}” can have at most {field.max_length} characters.")
        data[field.key] = value
    return data


def _images_of(
    template: Template, data: Mapping[str, Any], document: Mapping[str, Any]
) -> list[ImageReference]:
    """Every image a page shows: its image fields', then its body's."""
    found = [references.read_field(data.get(field.key)) for field in template.data_fields]
    found += [references.read_node(attributes) for attributes in rich_text.image_sources(document)]
    return [reference for reference in found if reference is not None]


def _referenced_items(
    session: Session, project_id: UUID, images: Iterable[ImageReference]
) -> dict[UUID, MediaItem]:
    """The project's media items the images refer to; each must be there and placeable."""
    wanted = {image.media_id for image in images if image.media_id}
    if not wanted:
        return {}
    items = session.exec(
        select(MediaItem).where(col(MediaItem.id).in_(wanted), MediaItem.project_id == project_id)
    )
    found = {item.id: item for item in items}
    if len(found) < len(wanted):
        raise InvalidInput(
            "An image on this page is not in this project's media library (deleted since, or from another "
            "project): remove it or choose another."
        )
    for item in found.values():
        _refuse_unplaceable(item.status, item.filename)
    return found


def _refuse_unplaceable(status: MediaStatus, filename: str) -> None:
    if status == MediaStatus.ERROR:
        raise InvalidInput(
            f"“{filename}” could not be processed, so it cannot be on a page; remove it or choose another image."
        )


def set_published(session: Session, *, actor: Actor, page_id: UUID | str, published: bool) -> PageView:
    page = _load_page(session, actor=actor, page_id=page_id)
    authorize(actor, Action.EDIT_PAGES)
    page.status = PageStatus.PUBLISHED if published else PageStatus.DRAFT
    page.published_at = utcnow() if published else None
    page.updated_at = utcnow()
    session.add(page)
    session.commit()
    view = PageView.of(page)
    if published:
        events.page_published(session, view)
    return view


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


def placed_image(item: MediaItemView) -> PlacedImage:
    """A library image as the editor shows it: its `large` variant (else the picture at its full size) and
    its alt text."""
    _refuse_unplaceable(item.status, item.filename)
    url = paths.url(
        item.variants.get(renditions.LARGE.name) or paths.picture_path(item.file_path, item.renditions)
    )
    return PlacedImage(media_id=item.id, url=url, alt_text=item.alt_text)


def image_field_value(item: MediaItemView) -> dict[str, str]:
    """What an image field stores for a chosen item: a reference with no alt text of its own."""
    return {"media_id": str(placed_image(item).media_id), "alt": ""}


def field_preview(session: Session, *, actor: Actor, image: PlacedImage, aspect: Aspect) -> str:
    """What the editor shows in an image field of that aspect: the item's current rendition of that shape
    (as the published page does), or the picture as placed while those are not made."""
    try:
        item = library.load_item(session, actor=actor, item_id=image.media_id)
    except NotFound:
        return image.url
    return current_url(item, aspect) or image.url


def image_node_attributes(item: MediaItemView) -> dict[str, str]:
    """The TipTap image node for a chosen item: its reference, and its current URL for the editor to show."""
    return {"src": placed_image(item).url} | ImageReference(media_id=item.id).node_attributes()
