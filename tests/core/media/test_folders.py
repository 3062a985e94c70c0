"""Folders: nesting, names unique among siblings ignoring case, moves, and deletes that never lose images."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session

from nexus_core.errors import Conflict, Forbidden, InvalidInput, NotFound
from nexus_core.media import bulk, folders, library
from nexus_core.media import upload as uploading
from nexus_core.media.storage import storage_named
from nexus_core.models import Project, Role
from nexus_core.models.organisation import MAX_FOLDER_DEPTH
from nexus_core.policies import Actor
from tests import images
from tests.factories import admin_of, make_member, make_project, stored_item


@pytest.fixture
def editor(session: Session, project: Project) -> Actor:
    return make_member(session, project, Role.EDITOR)


def test_folders_nest_and_list_by_name(session: Session, editor: Actor) -> None:
    trips = folders.create_folder(session, actor=editor, name="  Trips  ")
    folders.create_folder(session, actor=editor, name="archive")
    spring = folders.create_folder(session, actor=editor, name="Spring 2026", parent_id=trips.id)
    assert (trips.name, trips.depth, spring.depth, spring.parent_id) == ("Trips", 1, 2, trips.id)
    assert [f.name for f in folders.list_folders(session, actor=editor)] == ["archive", "Trips"]
    assert [f.name for f in folders.list_folders(session, actor=editor, parent_id=trips.id)] == [
        "Spring 2026"
    ]


def test_names_are_unique_among_siblings_ignoring_case(session: Session, editor: Actor) -> None:
    trips = folders.create_folder(session, actor=editor, name="Trips")
    with pytest.raises(Conflict, match="already there"):
        folders.create_folder(session, actor=editor, name="TRIPS")
    folders.create_folder(session, actor=editor, name="trips", parent_id=trips.id)  # another level: fine
    other = folders.create_folder(session, actor=editor, name="Other")
    with pytest.raises(Conflict):
        folders.rename_folder(session, actor=editor, folder_id=other.id, name="trips ")
    assert [f.name for f in folders.list_folders(session, actor=editor)] == ["Other", "Trips"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "bad\x00name"])
def test_a_folder_name_must_be_1_to_100_storable_characters(
    session: Session, editor: Actor, name: str
) -> None:
    with pytest.raises(InvalidInput):
        folders.create_folder(session, actor=editor, name=name)
    assert folders.list_folders(session, actor=editor) == []


def test_at_most_ten_levels(session: Session, editor: Actor) -> None:
    parent = None
    for level in range(MAX_FOLDER_DEPTH):
        parent = folders.create_folder(
            session, actor=editor, name=f"L{level}", parent_id=parent.id if parent else None
        )
    assert parent is not None and parent.depth == MAX_FOLDER_DEPTH
    with pytest.raises(InvalidInput, match="at most 10 levels"):
        folders.create_folder(session, actor=editor, name="too deep", parent_id=parent.id)


def test_moving_keeps_depths_and_refuses_its_own_subtree(session: Session, editor: Actor) -> None:
    a = folders.create_folder(session, actor=editor, name="A")
    b = folders.create_folder(session, actor=editor, name="B", parent_id=a.id)
    c = folders.create_folder(session, actor=editor, name="C", parent_id=b.id)
    for target in (a.id, b.id, c.id):
        with pytest.raises(InvalidInput, match="cannot move into itself"):
            folders.move_folder(session, actor=editor, folder_id=a.id, parent_id=target)
    moved = folders.move_folder(session, actor=editor, folder_id=b.id, parent_id=None)
    assert moved.depth == 1
    assert folders.list_folders(session, actor=editor, parent_id=b.id)[0].depth == 2
    assert [f.name for f in folders.list_folders(session, actor=editor)] == ["A", "B"]


def test_a_move_that_would_nest_too_deep_is_refused(session: Session, editor: Actor) -> None:
    deep = None
    for level in range(MAX_FOLDER_DEPTH - 1):
        deep = folders.create_folder(
            session, actor=editor, name=f"D{level}", parent_id=deep.id if deep else None
        )
    pair = folders.create_folder(session, actor=editor, name="Pair")
    folders.create_folder(session, actor=editor, name="Inner", parent_id=pair.id)
    assert deep is not None
    with pytest.raises(InvalidInput, match="at most 10 levels"):
        folders.move_folder(session, actor=editor, folder_id=pair.id, parent_id=deep.id)


def test_a_folder_that_holds_anything_is_not_deleted(
    session: Session, project: Project, editor: Actor
) -> None:
    trips = folders.create_folder(session, actor=editor, name="Trips")
    inner = folders.create_folder(session, actor=editor, name="Inner", parent_id=trips.id)
    files = [uploading.IncomingFile("quay.png", images.png(40, 30))]
    item = uploading.upload(session, actor=admin_of(session, project), files=files)[0]
    bulk.move(session, actor=editor, item_ids=[item.id], folder=trips.id)
    with pytest.raises(Conflict, match="“Trips” holds 1 image and 1 folder"):
        folders.delete_folder(session, actor=editor, folder_id=trips.id)
    folders.delete_folder(session, actor=editor, folder_id=inner.id)
    bulk.move(session, actor=editor, item_ids=[item.id], folder=None)
    folders.delete_folder(session, actor=editor, folder_id=trips.id)
    assert folders.list_folders(session, actor=editor) == []
    assert library.get_item(session, actor=editor, item_id=item.id).folder_id is None


def test_folders_of_another_project_are_not_found(session: Session, project: Project, editor: Actor) -> None:
    stranger = admin_of(session, make_project(session))
    files = [uploading.IncomingFile("quay.png", images.png(40, 30))]
    mine = uploading.upload(session, actor=admin_of(session, project), files=files)[0]
    theirs = folders.create_folder(session, actor=stranger, name="Theirs")
    for attempt in (
        lambda: folders.create_folder(session, actor=editor, name="Mine", parent_id=theirs.id),
        lambda: folders.rename_folder(session, actor=editor, folder_id=theirs.id, name="Taken"),
        lambda: folders.delete_folder(session, actor=editor, folder_id=theirs.id),
        lambda: bulk.move(session, actor=editor, item_ids=[mine.id], folder=theirs.id),
    ):
        with pytest.raises(NotFound):
            attempt()


def test_viewers_cannot_organise(session: Session, project: Project, editor: Actor) -> None:
    viewer = make_member(session, project, Role.VIEWER)
    trips = folders.create_folder(session, actor=editor, name="Trips")
    assert [f.name for f in folders.list_folders(session, actor=viewer)] == ["Trips"]
    with pytest.raises(Forbidden):
        folders.create_folder(session, actor=viewer, name="Mine")
    with pytest.raises(Forbidden):
        folders.delete_folder(session, actor=viewer, folder_id=trips.id)


def test_an_upload_records_the_sha256_of_the_stored_bytes(session: Session, project: Project) -> None:
    data = images.png(40, 30)
    item = uploading.upload(
        session, actor=admin_of(session, project), files=[uploading.IncomingFile("a.png", data)]
    )[0]
    row = stored_item(session, item)
    stored = storage_named(row.storage_backend).read_bytes(row.file_path)
    assert item.sha256 == row.sha256 == hashlib.sha256(stored).hexdigest()


def test_the_tree_is_every_folder_of_the_project_by_name(session: Session, editor: Actor) -> None:
    trips = folders.create_folder(session, actor=editor, name="Trips")
    folders.create_folder(session, actor=editor, name="spring", parent_id=trips.id)
    folders.create_folder(session, actor=editor, name="Archive")
    folders.create_folder(session, actor=admin_of(session, make_project(session)), name="Elsewhere")
    tree = folders.folder_tree(session, actor=editor)
    assert [(f.name, f.parent_id) for f in tree] == [("Archive", None), ("spring", trips.id), ("Trips", None)]
