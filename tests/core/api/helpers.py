"""What the API tests share: a project with a key per role, and checked requests."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

from nexus_core import accounts
from nexus_core.models import Project, Role
from tests import images
from tests.factories import make_member, make_project, make_user
from tests.jsonapi import assert_valid_document

JSONAPI = "application/vnd.api+json"


@dataclass
class Team:
    project: Project
    tokens: dict[str, str | None]

    def headers(self, who: str) -> dict[str, str]:
        token = self.tokens[who]
        return {"Authorization": f"Bearer {token}"} if token else {}


def make_team(session: Session) -> Team:
    """A project with a key for each role, plus keys that must not work there."""
    project = make_project(session)
    tokens: dict[str, str | None] = {"no key": None, "garbage key": "nx_deadbeef_nothing"}
    for role in Role:
        actor = make_member(session, project, role)
        tokens[role.value] = accounts.issue_api_key(
            session, project_id=actor.project_id, user_id=actor.user_id
        ).token
    revoked_actor = make_member(session, project, Role.ADMIN)
    revoked = accounts.issue_api_key(
        session, project_id=revoked_actor.project_id, user_id=revoked_actor.user_id
    )
    accounts.revoke_api_key(session, actor=revoked_actor, key_id=revoked.key.id)
    tokens["revoked key"] = revoked.token
    outsider = make_member(session, make_project(session, owner=make_user(session)), Role.ADMIN)
    tokens["non-member"] = accounts.issue_api_key(
        session, project_id=outsider.project_id, user_id=outsider.user_id
    ).token
    return Team(project=project, tokens=tokens)


def upload(
    client: TestClient,
    team: Team,
    who: str = "admin",
    data: bytes | None = None,
    name: str = "photo.jpg",
    **form,
):
    files = {"file": (name, data if data is not None else images.jpeg(1800, 1200), "image/jpeg")}
    return client.post("/api/v1/media_items", headers=team.headers(who), files=files, data=form)


def checked(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    if status == 204:
        assert response.content == b""
        return {}
    assert response.headers["content-type"].startswith(JSONAPI)
    body = response.json()
    assert_valid_document(body)
    return body
