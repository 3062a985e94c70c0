"""A lone surrogate (JSON `"\\ud800"`, a JavaScript string) is a readable refusal in every use case
that stores or looks up text, never a server error from the database driver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from nexus_core import accounts, projects
from nexus_core.content import pages
from nexus_core.errors import InvalidInput
from nexus_core.models import Project, Role
from tests.factories import PASSWORD, admin_of, make_project, make_user

LONE = "caf\ud800e"


def _page(session: Session, project: Project, **changes: Any) -> None:
    actor = admin_of(session, project)
    page = pages.create_page(session, actor=actor, title="Harbour")
    fields = {"title": "Harbour", "slug": "harbour", "template_data": {}, "body_json": None, **changes}
    pages.save_page(session, actor=actor, page_id=page.id, **fields)


USE_CASES: dict[str, Callable[[Session, Project], object]] = {
    "user email": lambda session, _: accounts.create_user(
        session, email=f"{LONE}@example.com", password=PASSWORD
    ),
    "sign-in email": lambda session, _: accounts.authenticate(session, email=LONE, password=PASSWORD),
    "member email": lambda session, project: projects.add_member(
        session, actor=admin_of(session, project), email=f"{LONE}@example.com", role=Role.EDITOR
    ),
    "project name": lambda session, _: projects.create_project(
        session, name=LONE, slug="surrogate", owner=make_user(session)
    ),
    "api key name": lambda session, project: accounts.create_api_key(
        session, actor=(admin := admin_of(session, project)), user_id=admin.user_id, name=LONE
    ),
    "new page title": lambda session, project: pages.create_page(
        session, actor=admin_of(session, project), title=LONE
    ),
    "page title": lambda session, project: _page(session, project, title=LONE),
    "template field": lambda session, project: _page(session, project, template_data={"summary": LONE}),
    "rich text": lambda session, project: _page(
        session,
        project,
        body_json={
            "type": "doc",
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": LONE}]}],
        },
    ),
}


@pytest.mark.parametrize("use_case", USE_CASES.values(), ids=USE_CASES.keys())
def test_a_lone_surrogate_is_refused_with_a_readable_reason(
    session: Session, use_case: Callable[[Session, Project], object]
) -> None:
    project = make_project(session)
    with pytest.raises(InvalidInput, match="invalid character"):
        use_case(session, project)
