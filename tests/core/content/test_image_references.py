"""Pages store references to their images (an item id and an alt text for that usage) and show each item's
current alt text and version when they are rendered, never a stored URL of a library image."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import Session

from nexus_core.content import pages
from nexus_core.errors import InvalidInput
from nexus_core.media import deletion, editing, library
from nexus_core.media import upload as uploading
from nexus_core.models import MediaItem, Project
from nexus_core.policies import Actor
from nexus_core.read_models import PageView
from tests import images
from tests.factories import stored_item


@pytest.fixture
def item(session: Session, admin: Actor) -> MediaItem:
    files = [uploading.IncomingFile("pier.jpg", images.jpeg(2000, 1200))]
    return stored_item(session, uploading.upload(session, actor=admin, files=files, alt_text="The pier")[0])


def body_with(*attributes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "content": [{"type": "image", "attrs": attrs} for attrs in attributes]}


def published_page(
    session: Session, actor: Actor, *, hero: Any = "", body: dict[str, Any] | None = None
) -> PageView:
    page = pages.create_page(session, actor=actor, title="Harbour")
    saved = pages.save_page(
        session,
        actor=actor,
        page_id=page.id,
        title=page.title,
        slug=page.slug,
        template_data={"hero_image": hero},
        body_json=body,
    )
    return pages.set_published(session, actor=actor, page_id=saved.id, published=True)


def image_tags(session: Session, project: Project, page: PageView) -> dict[str, str]:
    """The published page's <img> of each field, by field key."""
    html = pages.published_document(session, project_slug=project.slug, page_slug=page.slug)
    sections = re.findall(r'<section data-field="(\w+)"[^>]*>(.*?)</section>', html)
    return {key: found[0] for key, inner in sections if (found := re.search(r"<img [^>]*>", inner))}


def alt_of(tag: str) -> str:
    found = re.search(r'alt="([^"]*)"', tag)
    assert found, tag
    return found.group(1)


def test_a_field_and_a_body_image_store_the_item_and_the_usages_alt_text_only(
    session: Session, admin: Actor, item: MediaItem
) -> None:
    hostile = {"src": "javascript:alert(1)", "alt": " On the pier ", "mediaId": str(item.id), "title": "x"}
    page = published_page(session, admin, hero={"media_id": str(item.id), "alt": ""}, body=body_with(hostile))
    assert page.template_data["hero_image"] == {"media_id": str(item.id), "alt": ""}
    assert page.body_json["content"][0]["attrs"] == {"mediaId": str(item.id), "alt": "On the pier"}


def test_a_page_shows_the_items_current_alt_text_without_being_saved_again(
    session: Session, admin: Actor, project: Project, item: MediaItem
) -> None:
    node = {"mediaId": str(item.id), "alt": ""}
    page = published_page(session, admin, hero={"media_id": str(item.id)}, body=body_with(node))
    assert {alt_of(tag) for tag in image_tags(session, project, page).values()} == {"The pier"}
    changes = editing.ItemChanges(alt_text="The pier at dawn")
    editing.update_item(session, actor=admin, item_id=item.id, changes=changes)
    tags = image_tags(session, project, page)
    assert [alt_of(tags["hero_image"]), alt_of(tags["body"])] == ["The pier at dawn"] * 2


def test_a_usages_alt_text_wins_and_an_empty_one_falls_back_to_the_items(
    session: Session, admin: Actor, project: Project, item: MediaItem
) -> None:
    page = published_page(
        session,
        admin,
        hero={"media_id": str(item.id), "alt": 'Boats <b>"moored"</b>'},
        body=body_with({"mediaId": str(item.id), "alt": "   "}),
    )
    tags = image_tags(session, project, page)
    assert alt_of(tags["hero_image"]) == "Boats &lt;b&gt;&quot;moored&quot;&lt;/b&gt;"
    assert alt_of(tags["body"]) == "The pier"


def test_an_edited_item_shows_its_new_version_without_the_page_being_saved(
    session: Session, admin: Actor, project: Project, item: MediaItem
) -> None:
    page = published_page(session, admin, body=body_with({"mediaId": str(item.id), "alt": ""}))
    assert f"{item.id}_large.jpg" in image_tags(session, project, page)["body"]
    crop = editing.EditChanges(crop={"left": 0, "top": 0, "width": 1800, "height": 1200})
    editing.update_item(session, actor=admin, item_id=item.id, changes=editing.ItemChanges(edits=crop))
    tag = image_tags(session, project, page)["body"]
    assert f'src="/media/{project.id}/{item.id}-v2_large.jpg"' in tag
    assert 'width="1800" height="1200"' in tag
    assert f"{item.id}_" not in tag and f"{item.id}.jpg" not in tag  # nothing of version 1 is left


def test_an_edited_picture_ends_its_srcset_with_itself_at_full_size(
    session: Session, admin: Actor, project: Project, item: MediaItem
) -> None:
    page = published_page(session, admin, body=body_with({"mediaId": str(item.id), "alt": ""}))
    crop = editing.EditChanges(crop={"left": 0, "top": 0, "width": 1000, "height": 600})
    editing.update_item(session, actor=admin, item_id=item.id, changes=editing.ItemChanges(edits=crop))
    tag = image_tags(session, project, page)["body"]
    full = f"/media/{project.id}/{item.id}-v2_full.jpg"
    assert f'src="{full}"' in tag  # no `large`: the picture is narrower
    srcset = re.search(r'srcset="([^"]*)"', tag)
    assert srcset and srcset.group(1).endswith(f"-v2_medium.jpg 800w, {full} 1000w")
    assert 'width="1000" height="600"' in tag


def test_an_item_deleted_since_shows_nothing(
    session: Session, admin: Actor, project: Project, item: MediaItem
) -> None:
    page = published_page(
        session, admin, hero={"media_id": str(item.id)}, body=body_with({"mediaId": str(item.id)})
    )
    deletion.delete_item(session, actor=admin, item_id=item.id, force=True)
    html = pages.published_document(session, project_slug=project.slug, page_slug=page.slug)
    assert "<img" not in html and str(item.id) not in html
    editing_view = pages.page_for_editing(session, actor=admin, page_id=page.id)
    assert editing_view.page.template_data["hero_image"] == ""
    assert editing_view.page.body_json["content"] == []


def test_the_editor_gets_each_images_current_url_and_the_items_alt_text(
    session: Session, admin: Actor, item: MediaItem
) -> None:
    node = {"mediaId": str(item.id), "alt": "Mine"}
    page = published_page(session, admin, hero={"media_id": str(item.id)}, body=body_with(node))
    editing_view = pages.page_for_editing(session, actor=admin, page_id=page.id)
    placed = editing_view.images[str(item.id)]
    assert (placed.alt_text, placed.url) == ("The pier", f"/media/{item.variants['large']}")
    assert editing_view.page.body_json["content"][0]["attrs"] == {"src": placed.url} | node
    assert editing_view.page.template_data["hero_image"] == {"media_id": str(item.id), "alt": ""}


def test_pages_saved_with_media_urls_are_read_as_references(
    session: Session, admin: Actor, project: Project, item: MediaItem
) -> None:
    url = f"/media/{item.variants['medium']}"
    page = published_page(session, admin, hero=url, body=body_with({"src": url, "alt": ""}))
    assert page.template_data["hero_image"] == {"media_id": str(item.id), "alt": ""}
    assert page.body_json["content"][0]["attrs"] == {"mediaId": str(item.id), "alt": ""}
    assert alt_of(image_tags(session, project, page)["body"]) == "The pier"


def test_an_image_from_elsewhere_keeps_its_url_and_alt_text(
    session: Session, admin: Actor, project: Project
) -> None:
    node = {"src": "https://cdn.example.com/boat.jpg", "alt": "A boat"}
    page = published_page(session, admin, hero="https://cdn.example.com/hero.jpg", body=body_with(node))
    assert page.body_json["content"][0]["attrs"] == node
    tags = image_tags(session, project, page)
    assert 'src="https://cdn.example.com/hero.jpg"' in tags["hero_image"]
    assert 'src="https://cdn.example.com/boat.jpg"' in tags["body"] and alt_of(tags["body"]) == "A boat"


@pytest.mark.parametrize(
    ("hero", "body", "message"),
    [
        ({"media_id": "nope"}, None, "needs the id of a media item"),
        ({"media_id": "{item}", "src": "/x"}, None, "has no “src”"),
        ({"media_id": "{item}", "alt": 3}, None, "must be text"),
        ({"media_id": "{item}", "alt": "x" * 1001}, None, "at most 1000 characters"),
        (["{item}"], None, "must be an image reference"),
        ("/media/../../etc/passwd", None, "from the media library or an http"),
        ("", body_with({"mediaId": "nope"}), "names no media item"),
        ("", body_with({"mediaId": "{item}", "alt": "x" * 1001}), "an image in the body: Alt text"),
        ("", body_with({"mediaId": "01a21500-0000-7000-8000-0000000000aa"}), "not in this project"),
    ],
)
def test_bad_image_references_are_refused_with_a_reason(
    session: Session, admin: Actor, item: MediaItem, hero: Any, body: Any, message: str
) -> None:
    def filled(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{item}", str(item.id))
        if isinstance(value, dict):
            return {key: filled(inner) for key, inner in value.items()}
        return [filled(inner) for inner in value] if isinstance(value, list) else value

    with pytest.raises(InvalidInput, match=re.escape(message)):
        published_page(session, admin, hero=filled(hero), body=filled(body))


def test_the_picker_gives_a_field_a_reference_with_no_alt_text_of_its_own(
    session: Session, admin: Actor, item: MediaItem
) -> None:
    view = library.get_item(session, actor=admin, item_id=item.id)
    assert pages.image_field_value(view) == {"media_id": str(item.id), "alt": ""}
    assert pages.image_node_attributes(view) == {
        "src": f"/media/{item.variants['large']}",
        "mediaId": str(item.id),
        "alt": "",
    }
