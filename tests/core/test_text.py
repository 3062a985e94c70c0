"""A lone surrogate (JSON `"\\ud800"`, a JavaScript string) or a NUL character is a readable refusal in
every use case that stores or looks up text, never a server error from the database driver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from nexus_core import accounts, projects
from nexus_core.content import pages
from nexus_core.errors import InvalidInput
from nexus_core.media import editing, listing
from nexus_core.models import Project, Role
from tests.factories import PASSWORD, admin_of, make_project, make_user

LONE = "caf\ud800e"
NUL = "caf\x00e"


def _page(session: Session, project: Project, **changes: Any) -> None:
    actor = admin_of(session, project)
    page = pages.create_page(session, actor=actor, title="Harbour")
    fields = {"title": "Harbour", "slug": "harbour", "template_data": {}, "body_json": None, **changes}
    pages.save_page(session, actor=actor, page_id=page.id, **fields)


USE_CASES: dict[str, Callable[[Session, Project, str], object]] = {
    "user email": lambda session, _, text: accounts.create_user(
        session, email=f"{text}@example.com", password=PASSWORD
    ),
    "sign-in email": lambda session, _, text: accounts.authenticate(session, email=text, password=PASSWORD),
    "member email": lambda session, project, text: projects.add_member(
        session, actor=admin_of(session, project), email=f"{text}@example.com", role=Role.EDITOR
    ),
    "project name": lambda session, _, text: projects.create_project(
        session, name=text, slug="surrogate", owner=make_user(session)
    ),
    "api key name": lambda session, project, text: accounts.create_api_key(
        session, actor=(admin := admin_of(session, project)), user_id=admin.user_id, name=text
    ),
    "new page title": lambda session, project, text: pages.create_page(
        session, actor=admin_of(session, project), title=text
    ),
    "page title": lambda session, project, text: _page(session, project, title=text),
    "template field": lambda session, project, text: _page(session, project, template_data={"summary": text}),
    "library search": lambda session, project, text: listing.list_items(
        session, actor=admin_of(session, project), filters=listing.ItemFilter(q=text)
    ),
    "alt text": lambda session, project, text: editing.clean_alt_text(text),
    "rich text": lambda session, project, text: _page(
        session,
        project,
        body_json={
            "type": "doc",
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
        },
    ),
}


@pytest.mark.parametrize("text", [LONE, NUL], ids=["lone surrogate", "NUL"])
@pytest.mark.parametrize("use_case", USE_CASES.values(), ids=USE_CASES.keys())
def test_text_no_database_can_hold_is_refused_with_a_readable_reason(
    session: Session, use_case: Callable[[Session, Project, str], object], text: str
) -> None:
    project = make_project(session)
    with pytest.raises(InvalidInput, match="invalid character"):
        use_case(session, project, text)
