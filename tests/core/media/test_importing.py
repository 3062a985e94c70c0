"""Importing files and directory trees through the upload use case, on real files and a real database."""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from nexus_core.errors import Forbidden, InvalidInput
from nexus_core.media import folders, importing, library, metadata, upload
from nexus_core.media.formats import JPEG
from nexus_core.media.importing import Outcome
from nexus_core.models import Folder, MediaItem, MediaStatus, Role
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_member, make_project


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def run(session: Session, actor: Actor, *paths: Path, folders_from_dirs: bool = False, **options: Any):
    plan = importing.plan_import(paths, folders_from_dirs=folders_from_dirs)
    return importing.import_files(session, actor=actor, plan=plan, **options)


def outcomes(result: importing.ImportResult, root: Path) -> dict[str, tuple[Outcome, str | None]]:
    return {r.path.relative_to(root).as_posix(): (r.outcome, r.message) for r in result.results}


def folder_paths(session: Session, actor: Actor) -> set[tuple[str, ...]]:
    rows = {row.id: row for row in session.exec(select(Folder).where(Folder.project_id == actor.project_id))}

    def path(row: Folder) -> tuple[str, ...]:
        return (*path(rows[row.parent_id]), row.name) if row.parent_id else (row.name,)

    return {path(row) for row in rows.values()}


def items_by_name(session: Session, actor: Actor) -> dict[str, MediaItem]:
    session.expire_all()
    rows = session.exec(select(MediaItem).where(MediaItem.project_id == actor.project_id))
    return {row.filename: row for row in rows}


def test_the_plan_walks_directories_in_name_order_mirroring_every_subdirectory(tmp_path: Path) -> None:
    for name in ("b.jpg", "a.jpg", "Trips/x.jpg", "Trips/Norway/y.jpg", ".hidden/z.jpg", ".DS_Store"):
        write(tmp_path / name, b"x")
    (tmp_path / "Empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "Trips", target_is_directory=True)

    plan = importing.plan_import([tmp_path], folders_from_dirs=True)
    assert [(s.path.relative_to(tmp_path).as_posix(), s.folder) for s in plan.files] == [
        ("Trips/Norway/y.jpg", ("Trips", "Norway")),
        ("Trips/x.jpg", ("Trips",)),
        ("a.jpg", ()),
        ("b.jpg", ()),
    ]
    assert plan.folders == [("Empty",), ("Trips",), ("Trips", "Norway")]

    flat = importing.plan_import([tmp_path / "Trips", tmp_path / "a.jpg"])
    assert [(s.path.name, s.folder) for s in flat.files] == [("y.jpg", ()), ("x.jpg", ()), ("a.jpg", ())]
    assert flat.folders == []


def test_a_manifest_names_files_and_folders_and_lists_what_is_missing(tmp_path: Path) -> None:
    write(tmp_path / "export/A_B/one.jpg", b"x")
    write(tmp_path / "export/loose.jpg", b"x")
    manifest = {
        "format": "nexus-media-export",
        "version": 1,
        "folders": [{"directory": "A_B", "name": "A/B"}],
        "items": [
            {"path": "A_B/one.jpg", "filename": "IMG 1.jpg", "alt_text": "A harbour", "tags": ["sea"]},
            {"path": "gone.jpg", "filename": "gone.jpg"},
        ],
    }
    write(tmp_path / "export/manifest.json", json.dumps(manifest).encode())

    plan = importing.plan_import([tmp_path / "export"], folders_from_dirs=True)
    assert plan.folders == [("A/B",)]
    one, loose = plan.files
    assert (one.folder, one.filename, one.alt_text, one.tags) == (
        ("A/B",),
        "IMG 1.jpg",
        "A harbour",
        ("sea",),
    )
    assert (loose.folder, loose.filename, loose.alt_text, loose.tags) == ((), None, "", ())
    assert plan.missing == [tmp_path / "export/gone.jpg"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "Invalid JSON"),
        (b'{"format": "something-else", "version": 1}', "format: Input should be 'nexus-media-export'"),
        (
            b'{"format": "nexus-media-export", "version": 1, "items": [{"alt_text": "x"}]}',
            "items.0.path: Field required",
        ),
        (
            b'{"format": "nexus-media-export", "version": 1, "items": [{"path": "a.jpg"}, {"path": "a.jpg"}]}',
            "the item path 'a.jpg' is listed twice",
        ),
    ],
)
def test_a_manifest_that_is_not_ours_stops_the_import_before_anything_happens(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    write(tmp_path / "photos/a.jpg", b"x")
    write(tmp_path / "photos/sub/manifest.json", content)
    with pytest.raises(InvalidInput) as refused:
        importing.plan_import([tmp_path / "photos"])
    message = str(refused.value)
    assert message.startswith(
        f"{tmp_path / 'photos/sub/manifest.json'} is not a valid Nexus Media manifest: "
    )
    assert problem in message
    assert message.endswith("Fix it, or rename it to import the directory without it.")


def test_import_uploads_into_mirrored_folders_with_tags_and_skips_what_is_there(
    session: Session, admin: Actor, tmp_path: Path, stored: StoredFiles
) -> None:
    photo = images.jpeg(64, 48)
    write(tmp_path / "Trips/Norway/fjord.jpg", photo)
    write(tmp_path / "Trips/boat.png", images.png(40, 30))
    write(tmp_path / "top.jpg", images.jpeg(64, 48))
    (tmp_path / "Empty").mkdir()
    folders.create_folder(session, actor=admin, name="trips")  # found again, ignoring case

    result = run(session, admin, tmp_path, folders_from_dirs=True, tags=["Imported", "2024"])
    assert {path: outcome for path, (outcome, _) in outcomes(result, tmp_path).items()} == {
        "Trips/Norway/fjord.jpg": Outcome.IMPORTED,
        "Trips/boat.png": Outcome.IMPORTED,
        "top.jpg": Outcome.IMPORTED,
    }
    assert folder_paths(session, admin) == {("trips",), ("trips", "Norway"), ("Empty",)}
    items = items_by_name(session, admin)
    assert set(items) == {"fjord.jpg", "boat.png", "top.jpg"}
    by_id = {row.id: row for row in session.exec(select(Folder))}
    assert by_id[items["fjord.jpg"].folder_id].name == "Norway"
    assert items["top.jpg"].folder_id is None
    views = library.views_of(session, list(items.values()))
    assert {view.tags for view in views} == {("2024", "Imported")}
    assert {row.status for row in items.values()} == {MediaStatus.READY}  # processed by the queue
    assert len([path for path in stored.paths() if "_" not in path.rsplit("/", 1)[1]]) == 3  # originals

    write(tmp_path / "later.jpg", images.jpeg(64, 48))
    write(tmp_path / "Trips/again.jpg", photo)
    again = run(session, admin, tmp_path, folders_from_dirs=True)
    assert [r.path.name for r in again.having(Outcome.IMPORTED)] == ["later.jpg"]
    skipped = {r.path.name: r.item_id for r in again.having(Outcome.SKIPPED)}
    assert skipped == {
        "fjord.jpg": items["fjord.jpg"].id,
        "again.jpg": items["fjord.jpg"].id,
        "boat.png": items["boat.png"].id,
        "top.jpg": items["top.jpg"].id,
    }
    assert len(items_by_name(session, admin)) == 4
    assert len(folder_paths(session, admin)) == 3


def test_copies_in_one_run_are_stored_once_even_when_they_arrive_together(
    session: Session, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files whose bytes differ only in metadata (the same once stripped) reach the duplicate check
    at the same moment; the guard makes the second wait for the first one's commit."""
    with_camera = images.jpeg_with_camera_exif(64, 48)
    write(tmp_path / "a.jpg", with_camera)
    write(tmp_path / "b.jpg", metadata.strip_private_metadata(with_camera, JPEG))
    arrived = threading.Barrier(2)
    find_copy = upload.find_copy

    def both_at_once(*args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):  # the guard kept the other one waiting
            arrived.wait(timeout=1)
        return find_copy(*args, **kwargs)

    monkeypatch.setattr(upload, "find_copy", both_at_once)
    result = run(session, admin, tmp_path, workers=2)
    assert sorted(r.outcome for r in result.results) == [Outcome.IMPORTED, Outcome.SKIPPED]
    assert len(items_by_name(session, admin)) == 1


def test_files_that_are_not_images_fail_with_their_reason_and_leave_nothing(
    session: Session, admin: Actor, tmp_path: Path, stored: StoredFiles
) -> None:
    write(tmp_path / "notes.jpg", b"Remember to buy milk.\n")
    write(tmp_path / "empty.png", b"")
    write(tmp_path / "cut.jpg", images.truncated(images.jpeg(64, 48)))
    write(tmp_path / "bomb.png", images.png_bomb())
    write(
        tmp_path / "entity.svg",
        b'<!DOCTYPE svg [<!ENTITY a "a">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    )
    write(tmp_path / "script.svg", images.svg(body='<script>alert(1)</script><circle r="4"/>'))

    result = run(session, admin, tmp_path)
    found = outcomes(result, tmp_path)
    assert found.pop("script.svg") == (
        Outcome.IMPORTED,
        "“script.svg”: removed 1 script, which SVG uploads may not contain.",
    )
    assert found == {
        "notes.jpg": (
            Outcome.FAILED,
            "“notes.jpg” is not a supported image (JPEG, PNG, GIF, WebP, AVIF or SVG).",
        ),
        "empty.png": (Outcome.FAILED, "“empty.png” is empty."),
        "cut.jpg": (Outcome.FAILED, "“cut.jpg” is damaged or incomplete."),
        "bomb.png": (Outcome.FAILED, found["bomb.png"][1]),
        "entity.svg": (
            Outcome.FAILED,
            "“entity.svg” declares XML entities or a custom DOCTYPE, which are not allowed in SVG uploads.",
        ),
    }
    assert "too large" in (found["bomb.png"][1] or "")
    assert list(items_by_name(session, admin)) == ["script.svg"]
    (item,) = items_by_name(session, admin).values()
    assert all(path.startswith(f"{admin.project_id}/{item.id}") for path in stored.paths())


def test_an_unreadable_file_and_a_folder_too_deep_fail_alone(
    session: Session, admin: Actor, tmp_path: Path
) -> None:
    deep = tmp_path.joinpath(*(f"level{n}" for n in range(1, 12)))
    write(deep / "deepest.jpg", images.jpeg(64, 48))
    write(deep.parent / "ten.jpg", images.jpeg(64, 48))
    locked = write(tmp_path / "locked.jpg", images.jpeg(64, 48))
    plan = importing.plan_import([tmp_path], folders_from_dirs=True)
    locked.unlink()  # gone between the walk and the upload

    result = importing.import_files(session, actor=admin, plan=plan)
    found = {r.path.name: (r.outcome, r.message) for r in result.results}
    assert found["ten.jpg"][0] == Outcome.IMPORTED
    level_path = "/".join(f"level{n}" for n in range(1, 12))
    assert found["deepest.jpg"] == (
        Outcome.FAILED,
        f"Its folder “{level_path}” cannot be made: Folders nest at most 10 levels deep.",
    )
    assert found["locked.jpg"] == (Outcome.FAILED, "It cannot be read: No such file or directory.")
    assert list(items_by_name(session, admin)) == ["ten.jpg"]


def test_items_carry_the_manifest_s_names_alt_text_and_tags(
    session: Session, admin: Actor, tmp_path: Path
) -> None:
    write(tmp_path / "a.jpg", images.jpeg(64, 48))
    write(tmp_path / "b.jpg", images.jpeg(64, 48))
    manifest = {
        "format": "nexus-media-export",
        "version": 1,
        "items": [{"path": "a.jpg", "filename": "Harbour at dawn.jpg", "alt_text": "Boats", "tags": ["sea"]}],
    }
    write(tmp_path / "manifest.json", json.dumps(manifest).encode())

    result = run(session, admin, tmp_path, tags=["import"])
    assert [r.outcome for r in result.results] == [Outcome.IMPORTED, Outcome.IMPORTED]
    items = items_by_name(session, admin)
    assert set(items) == {"Harbour at dawn.jpg", "b.jpg"}
    views = {view.filename: view for view in library.views_of(session, list(items.values()))}
    assert (views["Harbour at dawn.jpg"].alt_text, views["Harbour at dawn.jpg"].tags) == (
        "Boats",
        ("import", "sea"),
    )
    assert (views["b.jpg"].alt_text, views["b.jpg"].tags) == ("", ("import",))


def test_the_uploader_needs_the_right_to_upload(session: Session, tmp_path: Path) -> None:
    project = make_project(session)
    editor = make_member(session, project, Role.EDITOR)
    viewer = make_member(session, project, Role.VIEWER)
    write(tmp_path / "a.jpg", images.jpeg(64, 48))
    with pytest.raises(Forbidden):
        run(session, viewer, tmp_path)
    run(session, editor, tmp_path)
    (item,) = session.exec(select(MediaItem).where(col(MediaItem.project_id) == project.id))
    assert item.uploaded_by_id == editor.user_id


def test_bad_tags_are_refused_before_anything_is_imported(
    session: Session, admin: Actor, tmp_path: Path
) -> None:
    write(tmp_path / "a.jpg", images.jpeg(64, 48))
    with pytest.raises(InvalidInput, match="A tag can have at most 50 characters"):
        run(session, admin, tmp_path, tags=["x" * 51])
    assert items_by_name(session, admin) == {}


def test_a_same_bytes_guard_is_only_for_uploads_of_one_file(session: Session, admin: Actor) -> None:
    files = [upload.IncomingFile(f"{n}.jpg", images.jpeg(32, 24)) for n in range(2)]
    with pytest.raises(ValueError, match="for uploads of one file each"):
        upload.upload(session, actor=admin, files=files, same_bytes=upload.SameBytesGuard())
    assert items_by_name(session, admin) == {}
