"""Image fields with an aspect ratio, and edited pictures, on published pages (real uploads, processing
and rendering): the hero is exactly 16:9 around the focal point, and a page shows an item's current
version without being saved again."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from nexus_core.content import pages, templates
from nexus_core.content.templates import FieldType, TemplateField
from nexus_core.media import editing, renditions
from nexus_core.media import upload as uploading
from nexus_core.media.edits import EditChanges
from nexus_core.media.upload import IncomingFile
from nexus_core.models import Project
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles
from tests.factories import page_using
from tests.images import colour_at, is_red, size_of


def published(session: Session, actor: Actor, project: Project, item_id: object) -> str:
    page = page_using(session, actor, item_id, title="Harbour")
    pages.set_published(session, actor=actor, page_id=page.id, published=True)
    return pages.published_document(session, project_slug=project.slug, page_slug=page.slug)


def hero(html: str) -> str:
    found = re.search(r'<section data-field="hero_image".*?</section>', html)
    assert found, html
    return found.group(0)


def src_of(section: str) -> str:
    found = re.search(r'<img [^>]*src="/media/([^"]+)"', section)
    assert found, section
    return found.group(1)


def test_the_blog_posts_hero_declares_16_by_9() -> None:
    assert templates.BLOG_POST.field("hero_image").aspect == renditions.WIDE
    with pytest.raises(ValueError, match="no image field"):
        TemplateField("summary", "Summary", FieldType.TEXT, aspect=renditions.WIDE)
    with pytest.raises(ValueError, match="no renditions"):
        TemplateField("square", "Square", FieldType.IMAGE, aspect=renditions.Aspect(1, 1))


@pytest.mark.parametrize(("focal_y", "red_at_top"), [(0.05, True), (0.95, False)])
def test_the_published_hero_is_exactly_16_by_9_and_holds_the_focal_point(
    session: Session, admin: Actor, project: Project, stored: StoredFiles, focal_y: float, red_at_top: bool
) -> None:
    files = [IncomingFile("tall.png", images.marked_corner(1800, 2400, kind="png"))]
    item = uploading.upload(session, actor=admin, files=files)[0]
    editing.update_item(
        session,
        actor=admin,
        item_id=item.id,
        changes=editing.ItemChanges(edits=EditChanges(focal_point={"x": 0.1, "y": focal_y})),
    )
    section = hero(published(session, admin, project, item.id))
    assert 'width="1600" height="900"' in section
    source = stored.read(src_of(section))
    assert size_of(source) == (1600, 900)
    assert "-v2_16x9_large.png" in src_of(section)
    assert is_red(colour_at(source, 0.05, 0.05)) is red_at_top  # the focal point's corner is in the box
    candidates = [url for srcset in re.findall(r'srcset="([^"]+)"', section) for url in srcset.split(", ")]
    assert candidates and all("-v2_16x9_" in url for url in candidates)  # every source is 16:9


def test_a_published_page_shows_the_items_current_version_without_being_saved(
    session: Session, admin: Actor, project: Project, stored: StoredFiles
) -> None:
    files = [IncomingFile("wide.jpg", images.marked_corner(2400, 1350))]
    item = uploading.upload(session, actor=admin, files=files)[0]
    page = page_using(session, admin, item.id, title="Pier")
    body = {
        "type": "doc",
        "content": [
            {"type": "image", "attrs": {"src": f"/media/{item.variants['medium']}", "mediaId": str(item.id)}}
        ],
    }
    pages.save_page(
        session,
        actor=admin,
        page_id=page.id,
        title=page.title,
        slug=page.slug,
        template_data=page.template_data,
        body_json=body,
    )
    pages.set_published(session, actor=admin, page_id=page.id, published=True)
    before = pages.published_document(session, project_slug=project.slug, page_slug=page.slug)
    assert f"{item.id}_medium.jpg" in before
    editing.update_item(
        session, actor=admin, item_id=item.id, changes=editing.ItemChanges(edits=EditChanges(rotate=90))
    )
    after = pages.published_document(session, project_slug=project.slug, page_slug=page.slug)
    assert f"{item.id}_medium.jpg" not in after and f"{item.id}-v2_medium.jpg" in after
    body_img = re.search(r"<img [^>]*data-media-id[^>]*>", after.split('data-field="body"', 1)[1])
    assert body_img and 'width="1350" height="2400"' in body_img.group(0)
    assert f"{item.id}.jpg" not in after  # the untouched original no longer stands in for the picture
