"""`nexus media import` and `nexus media export` as an operator runs them: real subprocesses, real files,
the real database and storage, items processed by the job queue."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, select

from nexus_core.media import folders, library, upload
from nexus_core.media.upload import IncomingFile
from nexus_core.models import Folder, MediaItem, MediaStatus, Project
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project, make_user
from tests.processes import NEXUS, child_environment

TREE = {
    "": 20,
    "Trips": 30,
    "Trips/Norway": 30,
    "Trips/Norway/Fjords": 25,
    "Trips/Norway/Fjords/Geiranger": 15,
    "Trips/Italy": 20,
    "Work": 25,
    "Work/Logos": 15,
}
"""Directories and how many distinct images each holds (180); 20 copies of them go into Copies/."""


def nexus(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEXUS, "media", *arguments], env=child_environment(), capture_output=True, text=True, timeout=300
    )


@dataclass(frozen=True)
class Tree:
    root: Path
    directory_of: dict[str, str]
    """Each file's directory, by its name (unique in the tree)."""
    copies: dict[str, str]
    """Each copy's name, and the name of the file it copies."""


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """200 small images (64 × 48) in nested directories, 20 of them copies of others, made once."""
    root = tmp_path_factory.mktemp("tree")
    directory_of: dict[str, str] = {}
    for directory, count in TREE.items():
        (root / directory).mkdir(parents=True, exist_ok=True)
        for number in range(count):
            name = f"{directory.replace('/', '-') or 'top'}-{number:02}.{'png' if number % 5 == 0 else 'jpg'}"
            data = images.png(64, 48) if name.endswith(".png") else images.jpeg(64, 48)
            (root / directory / name).write_bytes(data)
            directory_of[name] = directory
    (root / "Work/Empty").mkdir()
    copies: dict[str, str] = {}
    for number, original in enumerate(list(directory_of)[::9][:20]):
        copy = f"copy-{number:02}{Path(original).suffix}"
        (root / "Copies").mkdir(exist_ok=True)
        shutil.copyfile(root / directory_of[original] / original, root / "Copies" / copy)
        directory_of[copy], copies[copy] = "Copies", original
    return Tree(root, directory_of, copies)


def folder_paths(session: Session, project: Project) -> dict[tuple[str, ...], Folder]:
    rows = {row.id: row for row in session.exec(select(Folder).where(Folder.project_id == project.id))}

    def path(row: Folder) -> tuple[str, ...]:
        return (*path(rows[row.parent_id]), row.name) if row.parent_id else (row.name,)

    return {path(row): row for row in rows.values()}


def project_items(session: Session, project: Project) -> list[MediaItem]:
    session.expire_all()
    return list(session.exec(select(MediaItem).where(MediaItem.project_id == project.id)))


def settled(session: Session, project: Project, timeout: float = 120) -> list[MediaItem]:
    """The project's items once the job queue has processed them (at once, or by the test's workers)."""
    deadline = time.monotonic() + timeout
    while (items := project_items(session, project)) and time.monotonic() < deadline:
        if all(item.status not in MediaStatus.in_flight() for item in items):
            return items
        time.sleep(0.1)
    return items


def test_a_tree_of_200_images_is_imported_into_nested_folders_once(
    session: Session, project: Project, tree: Tree, stored: StoredFiles
) -> None:
    root = str(tree.root)
    first = nexus("import", root, "--project", project.slug, "--folders-from-dirs", "--tags", "archive")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"Imported 180, skipped 20 (already in {project.slug}), failed 0." in first.stdout
    assert "Importing" in first.stderr and "200/200" in first.stderr and "files/s" in first.stderr

    found = folder_paths(session, project)
    expected = {tuple(d.split("/")) for d in TREE if d} | {("Work", "Empty"), ("Copies",)}
    assert set(found) == expected
    for path, folder in found.items():
        parent = found[path[:-1]].id if len(path) > 1 else None
        assert (folder.parent_id, folder.depth) == (parent, len(path)), path

    items = settled(session, project)
    assert len(items) == 180
    assert {item.status for item in items} == {MediaStatus.READY}
    for item in items:  # in the folder of its own directory
        directory = tree.directory_of[item.filename]
        assert item.folder_id == (found[tuple(directory.split("/"))].id if directory else None), item.filename
    names = {item.filename for item in items}
    for copy, original in tree.copies.items():  # whichever came first stands for both
        assert (copy in names) != (original in names), copy
    assert names | set(tree.copies) | set(tree.copies.values()) == set(tree.directory_of)
    assert {view.tags for view in library.views_of(session, items)} == {("archive",)}
    originals = [path for path in stored.paths() if path.startswith(str(project.id)) and "_" not in path]
    assert len(originals) == 180

    again = nexus("import", root, "--project", project.slug, "--folders-from-dirs")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Imported 0, skipped 200 (already in {project.slug}), failed 0." in again.stdout
    assert len(project_items(session, project)) == 180
    assert len(folder_paths(session, project)) == len(expected)


def test_files_that_fail_are_listed_with_their_reasons_and_exit_1(
    session: Session, project: Project, tmp_path: Path, stored: StoredFiles
) -> None:
    (tmp_path / "notes.jpg").write_text("Remember to buy milk.\n")
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "cut.jpg").write_bytes(images.truncated(images.jpeg(64, 48)))
    (tmp_path / "fine.jpg").write_bytes(images.jpeg(64, 48))

    result = nexus("import", str(tmp_path), "--project", project.slug)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Imported 1, skipped 0 (already in {project.slug}), failed 3." in result.stdout
    assert (
        "Failed: 3\n"
        f"  {tmp_path}/cut.jpg: “cut.jpg” is damaged or incomplete.\n"
        f"  {tmp_path}/empty.jpg: “empty.jpg” is empty.\n"
        f"  {tmp_path}/notes.jpg: “notes.jpg” is not a supported image (JPEG, PNG, GIF, WebP, AVIF or SVG).\n"
    ) in result.stdout
    (item,) = settled(session, project)
    assert item.filename == "fine.jpg"
    assert [path for path in stored.paths() if path.startswith(str(project.id)) and "_" not in path] == [
        item.file_path
    ]


def test_mistakes_are_one_line(session: Session, project: Project, tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(images.jpeg(64, 48))
    outsider = make_user(session)
    for arguments, message in [
        (("--project", "nope"), "Error: No project with the slug nope.\n"),
        (
            ("--project", project.slug, "--as", outsider.email),
            f"Error: {outsider.email} is not a member of {project.slug}; add them first.\n",
        ),
        (("--project", project.slug, "--tags", "x" * 51), "Error: A tag can have at most 50 characters"),
    ]:
        result = nexus("import", str(tmp_path), *arguments)
        assert result.returncode == 1
        assert result.stderr.startswith(message), result.stderr
    assert project_items(session, project) == []

    used = nexus("export", "--project", project.slug, str(tmp_path))
    assert used.returncode == 1
    assert used.stderr == f"Error: {tmp_path} is not empty; name a new or empty directory to export into.\n"


def test_export_then_import_into_a_new_project_brings_back_names_folders_tags_and_alt_text(
    session: Session, project: Project, tmp_path: Path
) -> None:
    admin = admin_of(session, project)
    trips = folders.create_folder(session, actor=admin, name="Trips")
    odd = folders.create_folder(session, actor=admin, name="Oslo/Bergen: 2024", parent_id=trips.id)
    folders.create_folder(session, actor=admin, name=".drafts")
    for name, folder, alt, tags in [
        ("IMG_0001.jpg", odd.id, "Boats at the quay", ["sea", "Norway"]),
        ("img_0001.jpg", odd.id, "", ["Norway"]),
        ("Harbour at dawn.png", trips.id, "Mist over the water", []),
        ("logo.svg", None, "Company logo", ["brand"]),
    ]:
        data = (
            images.svg()
            if name.endswith(".svg")
            else images.jpeg(64, 48)
            if name.endswith(".jpg")
            else images.png(64, 48)
        )
        upload.upload(
            session, actor=admin, files=[IncomingFile(name, data)], folder_id=folder, alt_text=alt, tags=tags
        )
    settled(session, project)

    exported = nexus("export", "--project", project.slug, str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert "Exported 4 images (" in exported.stdout and "and 3 folders to" in exported.stdout

    other = make_project(session)
    imported = nexus("import", str(tmp_path / "out"), "--project", other.slug, "--folders-from-dirs")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert f"Imported 4, skipped 0 (already in {other.slug}), failed 0." in imported.stdout

    def library_of(target: Project) -> set[tuple[tuple[str, ...], str, str, tuple[str, ...]]]:
        paths = {folder.id: path for path, folder in folder_paths(session, target).items()}
        items = settled(session, target)
        return {
            (paths[view.folder_id] if view.folder_id else (), view.filename, view.alt_text, view.tags)
            for view in library.views_of(session, items)
        }

    assert library_of(other) == library_of(project)
    assert library_of(other) == {
        (("Trips", "Oslo/Bergen: 2024"), "IMG_0001.jpg", "Boats at the quay", ("Norway", "sea")),
        (("Trips", "Oslo/Bergen: 2024"), "img_0001.jpg", "", ("Norway",)),
        (("Trips",), "Harbour at dawn.png", "Mist over the water", ()),
        ((), "logo.svg", "Company logo", ("brand",)),
    }
    assert set(folder_paths(session, other)) == set(folder_paths(session, project))
