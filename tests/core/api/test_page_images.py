"""Changes made through the API reach published pages without the pages being saved again: a new alt text
(unless the page gives its own for that usage) and a new version after an edit."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from nexus_core.content import pages
from nexus_core.content.public import router as public_router
from nexus_core.models import Role
from tests import images
from tests.core.api.helpers import Team, checked, upload
from tests.core.api.test_edits import patch
from tests.factories import make_member


def test_alt_text_and_edits_patched_over_the_api_show_on_the_published_page(
    client: TestClient, team: Team, session: Session
) -> None:
    client.app.include_router(public_router)  # type: ignore[attr-defined]
    item = checked(upload(client, team, data=images.jpeg(2400, 1600), name="pier.jpg", alt_text="Pier"), 201)
    item_id = item["data"]["id"]
    editor = make_member(session, team.project, Role.EDITOR)
    page = pages.create_page(session, actor=editor, title="Harbour")
    body = {"type": "doc", "content": [{"type": "image", "attrs": {"mediaId": item_id, "alt": "Our pier"}}]}
    pages.save_page(
        session,
        actor=editor,
        page_id=page.id,
        title=page.title,
        slug=page.slug,
        template_data={"hero_image": {"media_id": item_id, "alt": ""}},
        body_json=body,
    )
    pages.set_published(session, actor=editor, page_id=page.id, published=True)

    def shown() -> list[str]:
        html = client.get(f"/p/{team.project.slug}/{page.slug}").text
        return re.findall(r"<img [^>]*>", html)

    checked(patch(client, team, item_id, alt_text="The old pier at dawn"), 200)
    hero, inline = shown()
    assert 'alt="The old pier at dawn"' in hero and 'alt="Our pier"' in inline

    edited = checked(
        patch(client, team, item_id, crop={"left": 0, "top": 0, "width": 1600, "height": 1600}), 200
    )
    assert edited["data"]["attributes"]["version"] == 2
    for tag in shown():
        urls = re.findall(r"/media/[^\" ,]+", tag)
        assert urls and all(f"{item_id}-v2" in url for url in urls), tag
        assert client.get(urls[0]).status_code == 200
