"""Running use cases for the admin: one session per call, the member's role as it is now, plain data back."""

from __future__ import annotations

from uuid import UUID

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from nexus_core import projects, use_cases, users
from nexus_core.errors import Forbidden, NotFound
from nexus_core.media import library, listing
from nexus_core.media import upload as uploading
from nexus_core.models import Role
from nexus_core.read_models import MediaItemView, UserView
from tests import images
from tests.factories import admin_of, make_member, make_project, make_user


def upload_as(user_id: UUID, project_id: UUID) -> MediaItemView:
    files = [uploading.IncomingFile("pier.png", images.png(40, 30))]
    return use_cases.run_as_member(user_id, project_id, uploading.upload, files=files)[0]


def test_each_call_uses_the_role_the_member_has_now(session: Session) -> None:
    project = make_project(session)
    editor = make_member(session, project, Role.EDITOR)
    uploaded = upload_as(editor.user_id, project.id)
    assert uploaded.filename == "pier.png"

    projects.change_role(session, actor=admin_of(session, project), user_id=editor.user_id, role=Role.VIEWER)
    with pytest.raises(Forbidden):
        upload_as(editor.user_id, project.id)
    projects.remove_member(session, actor=admin_of(session, project), user_id=editor.user_id)
    with pytest.raises(NotFound):
        use_cases.run_as_member(editor.user_id, project.id, library.get_item, item_id=uploaded.id)


def test_use_cases_hand_back_frozen_plain_data(session: Session) -> None:
    project = make_project(session)
    admin = admin_of(session, project)
    uploaded = upload_as(admin.user_id, project.id)
    listed = use_cases.run_as_member(admin.user_id, project.id, listing.list_items).items
    assert [type(item) for item in listed] == [MediaItemView]
    assert (listed[0].id, listed[0].filename, listed[0].file_size) == (
        uploaded.id,
        uploaded.filename,
        uploaded.file_size,
    )
    with pytest.raises(ValidationError):
        listed[0].alt_text = "changed behind the database's back"  # type: ignore[misc]


def test_someone_signed_in_is_found_until_their_account_is_gone(session: Session) -> None:
    person = make_user(session)
    found = use_cases.run(users.get_user, person.id)
    assert found == UserView(id=person.id, email=person.email)
    session.delete(person)
    session.commit()
    assert use_cases.run(users.get_user, person.id) is None
