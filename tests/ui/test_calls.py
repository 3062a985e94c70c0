"""The admin's one way into the core: off the event loop, as the member now, failures told once."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session

from nexus_core.errors import Forbidden, MediaInUse, NexusError
from nexus_core.models import Project, Role, User
from nexus_core.policies import Actor
from nexus_core.read_models import ProjectView, UserView
from nexus_ui import calls
from nexus_ui.session import ProjectContext
from tests.factories import admin_of, make_member, make_project


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[Exception]:
    shown: list[Exception] = []
    monkeypatch.setattr(calls, "notify_error", shown.append)
    return shown


def context_of(session: Session, actor: Actor, role_at_open: Role) -> ProjectContext:
    project = session.get(Project, actor.project_id)
    person = session.get(User, actor.user_id)
    assert project is not None and person is not None
    return ProjectContext(UserView.of(person), ProjectView.of(project), role_at_open)


async def test_a_use_case_runs_off_the_event_loop_as_the_member_now(session: Session, told: list) -> None:
    project = make_project(session)
    editor = make_member(session, project, Role.EDITOR)
    context = context_of(session, editor, Role.ADMIN)  # the page was opened as admin, long ago
    seen: dict[str, object] = {}

    def use_case(_session: Session, *, actor: Actor, word: str) -> str:
        seen["thread"], seen["role"] = threading.get_ident(), actor.role
        return word.upper()

    assert await calls.call(context, use_case, word="ok") == "OK"
    assert seen == {"thread": seen["thread"], "role": Role.EDITOR}
    assert seen["thread"] != threading.get_ident()
    assert told == []


async def test_a_failure_is_told_once_and_returned_as_failed(session: Session, told: list) -> None:
    project = make_project(session)
    context = context_of(session, admin_of(session, project), Role.ADMIN)

    def refused(_session: Session, *, actor: Actor) -> None:
        raise Forbidden("Viewers cannot do that.")

    assert await calls.call(context, refused) is calls.FAILED
    assert [str(error) for error in told] == ["Viewers cannot do that."]


async def test_an_expected_failure_reaches_the_caller_untold(session: Session, told: list) -> None:
    project = make_project(session)
    context = context_of(session, admin_of(session, project), Role.ADMIN)

    def in_use(_session: Session, *, actor: Actor) -> None:
        raise MediaInUse("Used by “Home”.", [])

    with pytest.raises(MediaInUse):
        await calls.call(context, in_use, expect=(MediaInUse,))
    assert told == []

    def wrong_password(_session: Session) -> None:
        raise NexusError("Wrong email or password.")

    with pytest.raises(NexusError):
        await calls.call_unscoped(wrong_password, expect=(NexusError,))
    assert told == []
