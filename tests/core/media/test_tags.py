"""Tags: trimmed, 1 to 50 characters, one tag per spelling ignoring case, counted per project."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session

from nexus_core import use_cases
from nexus_core.db import session_scope
from nexus_core.errors import Forbidden, InvalidInput
from nexus_core.media import library, tags
from nexus_core.media import upload as uploading
from nexus_core.models import MediaItem, Project, Role
from nexus_core.policies import Actor
from nexus_core.read_models import MediaItemView
from tests import images
from tests.factories import admin_of, make_member, make_project


def upload(session: Session, actor: Actor, name: str) -> MediaItemView:
    return uploading.upload(session, actor=actor, files=[uploading.IncomingFile(name, images.png(30, 20))])[0]


def counted(session: Session, actor: Actor) -> list[tuple[str, int]]:
    return [(tag.name, tag.count) for tag in tags.list_tags(session, actor=actor)]


def test_tags_are_trimmed_deduplicated_and_keep_the_first_spelling(session: Session, admin: Actor) -> None:
    first, second = upload(session, admin, "a.png"), upload(session, admin, "b.png")
    assert tags.set_tags(session, actor=admin, item_id=first.id, tags=["  Harbour ", "boats", "HARBOUR"]) == [
        "Harbour",
        "boats",
    ]
    assert tags.set_tags(session, actor=admin, item_id=second.id, tags=["harbour"]) == ["Harbour"]
    assert library.tags_of(session, [first.id, second.id]) == {
        first.id: ["boats", "Harbour"],
        second.id: ["Harbour"],
    }
    assert counted(session, admin) == [("boats", 1), ("Harbour", 2)]


def test_setting_tags_replaces_them(session: Session, admin: Actor) -> None:
    item = upload(session, admin, "a.png")
    tags.set_tags(session, actor=admin, item_id=item.id, tags=["one", "two"])
    tags.set_tags(session, actor=admin, item_id=item.id, tags=["two"])
    assert library.tags_of(session, [item.id]) == {item.id: ["two"]}
    tags.set_tags(session, actor=admin, item_id=item.id, tags=[])
    assert library.tags_of(session, [item.id]) == {}
    assert tags.list_tags(session, actor=admin) == []


@pytest.mark.parametrize("bad", [[""], ["  "], ["x" * 51], ["nul\x00"], [3]])
def test_a_bad_tag_is_refused_and_nothing_changes(session: Session, admin: Actor, bad: list) -> None:
    item = upload(session, admin, "a.png")
    tags.set_tags(session, actor=admin, item_id=item.id, tags=["kept"])
    with pytest.raises(InvalidInput):
        tags.set_tags(session, actor=admin, item_id=item.id, tags=["new", *bad])
    assert library.tags_of(session, [item.id]) == {item.id: ["kept"]}


def test_tags_belong_to_their_project(session: Session, admin: Actor) -> None:
    other = admin_of(session, make_project(session))
    tags.set_tags(session, actor=admin, item_id=upload(session, admin, "a.png").id, tags=["harbour"])
    tags.set_tags(session, actor=other, item_id=upload(session, other, "b.png").id, tags=["Harbour"])
    assert counted(session, admin) == [("harbour", 1)]
    assert counted(session, other) == [("Harbour", 1)]


def test_viewers_cannot_tag(session: Session, project: Project, admin: Actor) -> None:
    viewer = make_member(session, project, Role.VIEWER)
    with pytest.raises(Forbidden):
        tags.set_tags(session, actor=viewer, item_id=upload(session, admin, "a.png").id, tags=["mine"])


def test_two_people_tagging_with_the_same_new_tag_at_once_share_one_tag(
    session: Session, admin: Actor
) -> None:
    first, second = upload(session, admin, "a.png"), upload(session, admin, "b.png")
    with session_scope() as holding:
        item = holding.get(MediaItem, first.id)
        assert item is not None
        tags.replace_tags(holding, item, ["Regatta"])  # written, not committed yet
        other = threading.Thread(
            target=lambda: use_cases.run_as_member(
                admin.user_id, admin.project_id, tags.set_tags, item_id=second.id, tags=["regatta"]
            )
        )
        other.start()
        other.join(timeout=0.5)  # it waits for the first transaction (its tag, or the write lock)
        holding.commit()
    other.join(timeout=30)
    assert not other.is_alive()
    assert library.tags_of(session, [first.id, second.id]) == {first.id: ["Regatta"], second.id: ["Regatta"]}
    assert counted(session, admin) == [("Regatta", 2)]
