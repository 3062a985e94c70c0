"""The page use cases on a real database, with real uploaded media."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from nexus_core import accounts
from nexus_core.api import router as api_router
from nexus_core.content import pages
from nexus_core.content.public import router as public_router
from nexus_core.errors import Forbidden, InvalidInput, MediaInUse, NotFound
from nexus_core.media import deletion, library, paths
from nexus_core.media import upload as uploading
from nexus_core.models import MediaItem, MediaReference, MediaStatus, PageStatus, Project, Role
from nexus_core.policies import Actor
from tests import images
from tests.factories import admin_of, make_member, make_project, stored_item
from tests.jsonapi import assert_valid_document


def upload(session: Session, actor: Actor, name: str = "harbour.jpg") -> MediaItem:
    files = [uploading.IncomingFile(name, images.jpeg(2000, 1200))]
    item = stored_item(
        session, uploading.upload(session, actor=actor, files=files, alt_text=f"About {name}")[0]
    )
    return item


def image_node(item: MediaItem) -> dict:
    return {
        "type": "image",
        "attrs": {"src": paths.url(item.variants["large"]), "alt": "", "mediaId": str(item.id)},
    }


def save(session: Session, actor: Actor, page, **changes):
    values = {
        "title": page.title,
        "slug": page.slug,
        "template_data": page.template_data,
        "body_json": page.body_json,
    } | changes
    return pages.save_page(session, actor=actor, page_id=page.id, **values)


def test_create_gives_a_unique_slug_and_an_empty_body(session: Session, admin: Actor) -> None:
    first = pages.create_page(session, actor=admin, title="Hello, World!")
    second = pages.create_page(session, actor=admin, title="Hello world")
    assert (first.slug, second.slug) == ("hello-world", "hello-world-2")
    assert first.status == PageStatus.DRAFT
    assert first.body_json["type"] == "doc"


def test_roles(session: Session, project: Project, admin: Actor) -> None:
    page = pages.create_page(session, actor=admin, title="Post")
    viewer = make_member(session, project, Role.VIEWER)
    editor = make_member(session, project, Role.EDITOR)
    assert [p.id for p in pages.list_pages(session, actor=viewer)] == [page.id]
    with pytest.raises(Forbidden):
        pages.create_page(session, actor=viewer, title="Nope")
    with pytest.raises(Forbidden):
        save(session, viewer, page, title="Changed")
    assert save(session, editor, page, title="Changed").title == "Changed"
    stranger = admin_of(session, make_project(session))
    with pytest.raises(NotFound):
        pages.get_page(session, actor=stranger, page_id=page.id)


def test_save_validates_fields(session: Session, admin: Actor) -> None:
    page = pages.create_page(session, actor=admin, title="Post")
    other = pages.create_page(session, actor=admin, title="Other")
    cases = [
        ({"title": "  "}, "needs a title"),
        ({"slug": "Not A Slug"}, "not a valid slug"),
        ({"slug": other.slug}, "already uses the slug"),
        ({"template_data": {"hero_image": "javascript:alert(1)"}}, "Hero image"),
        ({"template_data": {"summary": "x" * 2001}}, "at most 2000"),
        ({"body_json": {"type": "paragraph"}}, "TipTap document"),
    ]
    for change, message in cases:
        with pytest.raises(InvalidInput, match=message):
            save(session, admin, page, **change)


def test_save_records_media_used_by_fields_and_body(session: Session, admin: Actor) -> None:
    hero, inline, unused = (
        upload(session, admin, "hero.jpg"),
        upload(session, admin, "inline.jpg"),
        upload(session, admin),
    )
    page = pages.create_page(session, actor=admin, title="Post")
    body = {"type": "doc", "content": [{"type": "paragraph"}, image_node(inline)]}
    save(
        session, admin, page, template_data={"hero_image": paths.url(hero.variants["large"])}, body_json=body
    )
    used = {ref.media_item_id for ref in session.exec(select(MediaReference))}
    assert used == {hero.id, inline.id}
    assert unused.id not in used
    assert [p.title for p in pages.pages_using(session, actor=admin, item_id=hero.id)] == ["Post"]
    save(session, admin, page, template_data={"hero_image": ""}, body_json={"type": "doc", "content": []})
    assert session.exec(select(MediaReference)).all() == []


def test_usage_counts_count_the_pages_using_each_item(session: Session, admin: Actor) -> None:
    hero, inline, unused = (
        upload(session, admin, "hero.jpg"),
        upload(session, admin, "inline.jpg"),
        upload(session, admin),
    )
    body = {"type": "doc", "content": [image_node(inline), image_node(inline)]}
    for title in ("First", "Second"):
        page = pages.create_page(session, actor=admin, title=title)
        save(
            session,
            admin,
            page,
            template_data={"hero_image": paths.url(hero.variants["large"])},
            body_json=body,
        )
    ids = [hero.id, inline.id, unused.id]
    assert library.usage_counts(session, actor=admin, item_ids=ids) == {hero.id: 2, inline.id: 2}
    assert library.usage_counts(session, actor=admin, item_ids=[]) == {}
    stranger = admin_of(session, make_project(session))
    assert library.usage_counts(session, actor=stranger, item_ids=ids) == {}


def test_media_of_another_project_is_refused(session: Session, admin: Actor) -> None:
    elsewhere = upload(session, admin_of(session, make_project(session)))
    page = pages.create_page(session, actor=admin, title="Post")
    with pytest.raises(InvalidInput, match="not in this project's media library"):
        save(session, admin, page, body_json={"type": "doc", "content": [image_node(elsewhere)]})
    with pytest.raises(InvalidInput, match="not in this project's media library"):
        save(session, admin, page, template_data={"hero_image": {"media_id": str(elsewhere.id)}})
    assert session.exec(select(MediaReference)).all() == []


def test_deleting_media_in_use_names_the_pages_unless_forced(session: Session, admin: Actor) -> None:
    item = upload(session, admin)
    page = pages.create_page(session, actor=admin, title="Launch post")
    save(session, admin, page, template_data={"hero_image": paths.url(item.variants["large"])})
    with pytest.raises(MediaInUse, match="used by page: “Launch post”") as refused:
        deletion.delete_item(session, actor=admin, item_id=item.id)
    assert refused.value.pages == [(str(page.id), "Launch post")]
    assert session.get(MediaItem, item.id) is not None
    deletion.delete_item(session, actor=admin, item_id=item.id, force=True)
    assert session.get(MediaItem, item.id) is None
    assert session.exec(select(MediaReference)).all() == []


def test_publishing_and_the_public_page(session: Session, admin: Actor) -> None:
    item = upload(session, admin)
    page = pages.create_page(session, actor=admin, title="Launch")
    body = {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Hi"}]}, image_node(item)],
    }
    save(
        session, admin, page, template_data={"hero_image": paths.url(item.variants["large"])}, body_json=body
    )
    app = FastAPI()
    app.include_router(public_router)
    client = TestClient(app)
    project = session.get(Project, admin.project_id)
    url = f"/p/{project.slug}/{page.slug}"
    assert client.get(url).status_code == 404  # a draft is not public
    pages.set_published(session, actor=admin, page_id=page.id, published=True)
    answer = client.get(url)
    assert answer.status_code == 200
    assert '<section data-field="hero_image" data-type="image"><img src="/media/' in answer.text
    assert answer.text.count(f'data-media-id="{item.id}"') == 2
    assert 'alt="About harbour.jpg"' in answer.text
    pages.set_published(session, actor=admin, page_id=page.id, published=False)
    assert client.get(url).status_code == 404
    assert client.get(f"/p/{project.slug}/no-such-page").status_code == 404


def test_api_delete_of_media_in_use_is_409_unless_forced(session: Session, admin: Actor) -> None:
    item = upload(session, admin)
    page = pages.create_page(session, actor=admin, title="Uses it")
    save(session, admin, page, template_data={"hero_image": paths.url(item.file_path)})
    token = accounts.issue_api_key(session, project_id=admin.project_id, user_id=admin.user_id).token
    app = FastAPI()
    app.include_router(api_router)
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.delete(f"/api/v1/media_items/{item.id}", headers=headers)
    assert refused.status_code == 409
    body = refused.json()
    assert_valid_document(body)
    assert body["errors"][0]["meta"]["pages"] == [{"id": str(page.id), "title": "Uses it"}]
    assert client.delete(f"/api/v1/media_items/{item.id}?force=true", headers=headers).status_code == 204


def test_placeholders_and_unsafe_images_are_not_stored(session: Session, admin: Actor) -> None:
    item = upload(session, admin)
    page = pages.create_page(session, actor=admin, title="Post")
    body = {
        "type": "doc",
        "content": [
            {
                "type": "image",
                "attrs": {"src": "blob:http://x/1", "alt": "Uploading a.jpg…", "uploadId": "u1"},
            },
            {"type": "image", "attrs": {"src": "javascript:alert(1)"}},
            {"type": "paragraph", "content": [{"type": "text", "text": "kept"}]},
            image_node(item),
        ],
    }
    saved = save(session, admin, page, body_json=body)
    kinds = [node["type"] for node in saved.body_json["content"]]
    assert kinds == ["paragraph", "image"]
    assert saved.body_json["content"][1]["attrs"]["mediaId"] == str(item.id)


FAILED_IMAGE = re.escape("“broken.jpg” could not be processed")


def failed_upload(session: Session, actor: Actor) -> MediaItem:
    item = upload(session, actor, "broken.jpg")
    item = session.get(MediaItem, item.id)
    assert item is not None
    item.status, item.error = MediaStatus.ERROR, "The image could not be decoded."
    session.add(item)
    session.commit()
    return item


def test_an_image_whose_processing_failed_cannot_be_put_on_a_page(session: Session, admin: Actor) -> None:
    broken = failed_upload(session, admin)
    view = library.get_item(session, actor=admin, item_id=broken.id)
    assert not view.placeable
    with pytest.raises(InvalidInput, match=FAILED_IMAGE):
        pages.image_field_value(view)
    with pytest.raises(InvalidInput, match=FAILED_IMAGE):
        pages.image_node_attributes(view)

    page = pages.create_page(session, actor=admin, title="Post")
    hero = {"hero_image": paths.url(broken.file_path)}
    with pytest.raises(InvalidInput, match=FAILED_IMAGE):
        save(session, admin, page, template_data=hero)
    body = {
        "type": "doc",
        "content": [
            {"type": "image", "attrs": {"src": paths.url(broken.file_path), "mediaId": str(broken.id)}}
        ],
    }
    with pytest.raises(InvalidInput, match=FAILED_IMAGE):
        save(session, admin, page, body_json=body)
    session.expire_all()
    assert session.exec(select(MediaReference).where(MediaReference.page_id == page.id)).all() == []


def test_pending_and_processing_images_can_be_put_on_a_page(session: Session, admin: Actor) -> None:
    for status in MediaStatus.in_flight():
        item = upload(session, admin, f"{status}.jpg")
        item = session.get(MediaItem, item.id)
        assert item is not None
        item.status = status
        session.add(item)
        session.commit()
        view = library.get_item(session, actor=admin, item_id=item.id)
        assert view.placeable
        assert pages.image_node_attributes(view)["mediaId"] == str(item.id)
