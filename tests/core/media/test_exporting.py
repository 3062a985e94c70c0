"""Exporting a library: originals in directories mirroring its folders, and a manifest of what they cannot carry."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlmodel import Session

from nexus_core.errors import InvalidInput
from nexus_core.media import exporting, folders, upload
from nexus_core.media.upload import IncomingFile
from nexus_core.models import Project
from nexus_core.policies import Actor
from nexus_core.read_models import MediaItemView
from tests import images
from tests.conftest import StoredFiles


def add(session: Session, actor: Actor, name: str, data: bytes, **options) -> MediaItemView:
    return upload.upload(session, actor=actor, files=[IncomingFile(name, data)], **options)[0]


def files_under(directory: Path) -> list[str]:
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("harbour.jpg", "harbour.jpg"),
        ("Trips/2024", "Trips_2024"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i"),
        (".hidden", "_hidden"),
        ("..", "_"),
        ("trailing. . ", "trailing"),
        ("CON", "_CON"),
        ("nul.png", "_nul.png"),
        ("tab\there", "tab_here"),
        ("é" * 150 + ".jpg", "é" * 98 + ".jpg"),
    ],
)
def test_safe_names(name: str, safe: str) -> None:
    assert exporting.safe_name(name) == safe


def test_export_writes_originals_in_folder_directories_and_a_manifest(
    session: Session, project: Project, admin: Actor, tmp_path: Path, stored: StoredFiles
) -> None:
    trips = folders.create_folder(session, actor=admin, name="Trips")
    odd = folders.create_folder(session, actor=admin, name="Oslo/Bergen", parent_id=trips.id)
    folders.create_folder(session, actor=admin, name="Empty")
    first = add(
        session,
        admin,
        "IMG_0001.jpg",
        images.jpeg(64, 48),
        folder_id=odd.id,
        alt_text="Quay",
        tags=["sea", "Norway"],
    )
    second = add(session, admin, "img_0001.jpg", images.jpeg(64, 48), folder_id=odd.id)
    loose = add(session, admin, "logo.png", images.png(40, 30))

    target = tmp_path / "export"
    result = exporting.export_library(session, project=project, directory=target)
    assert result.failed == []
    assert files_under(target) == [
        "Trips/Oslo_Bergen/IMG_0001.jpg",
        "Trips/Oslo_Bergen/img_0001 (2).jpg",
        "logo.png",
        "manifest.json",
    ]
    assert (target / "Empty").is_dir()
    for item, path in ((first, "Trips/Oslo_Bergen/IMG_0001.jpg"), (loose, "logo.png")):
        assert (target / path).read_bytes() == stored.read(item.file_path)

    manifest = json.loads((target / "manifest.json").read_text())
    assert (manifest["format"], manifest["version"]) == ("nexus-media-export", 1)
    assert manifest["project"] == {"id": str(project.id), "slug": project.slug, "name": project.name}
    assert [(f["directory"], f["name"], f["path"]) for f in manifest["folders"]] == [
        ("Empty", "Empty", ["Empty"]),
        ("Trips", "Trips", ["Trips"]),
        ("Trips/Oslo_Bergen", "Oslo/Bergen", ["Trips", "Oslo/Bergen"]),
    ]
    entries = {entry["id"]: entry for entry in manifest["items"]}
    assert entries[str(first.id)] == {
        "id": str(first.id),
        "filename": "IMG_0001.jpg",
        "path": "Trips/Oslo_Bergen/IMG_0001.jpg",
        "folder": ["Trips", "Oslo/Bergen"],
        "folder_id": str(odd.id),
        "tags": ["Norway", "sea"],
        "alt_text": "Quay",
        "mime_type": "image/jpeg",
        "sha256": hashlib.sha256(stored.read(first.file_path)).hexdigest(),
        "width": 64,
        "height": 48,
        "file_size": first.file_size,
        "status": "ready",
        "inserted_at": entries[str(first.id)]["inserted_at"],
    }
    assert (entries[str(second.id)]["filename"], entries[str(second.id)]["path"]) == (
        "img_0001.jpg",
        "Trips/Oslo_Bergen/img_0001 (2).jpg",
    )
    assert (entries[str(loose.id)]["folder"], entries[str(loose.id)]["folder_id"]) == ([], None)
    assert result.bytes_written == first.file_size + second.file_size + loose.file_size


def test_an_original_that_is_missing_or_changed_is_reported_and_left_out(
    session: Session, project: Project, admin: Actor, tmp_path: Path, stored: StoredFiles
) -> None:
    kept = add(session, admin, "kept.jpg", images.jpeg(64, 48))
    gone = add(session, admin, "gone.jpg", images.jpeg(64, 48))
    changed = add(session, admin, "changed.jpg", images.jpeg(64, 48))
    stored.delete(gone.file_path)
    stored.write(changed.file_path, images.jpeg(64, 48))

    target = tmp_path / "export"
    result = exporting.export_library(session, project=project, directory=target)
    assert result.failed == [
        (gone.id, "gone.jpg", f"Its original is missing from storage ({stored.backend}: {gone.file_path})."),
        (
            changed.id,
            "changed.jpg",
            f"Its stored original ({stored.backend}: {changed.file_path}) does not match its SHA-256.",
        ),
    ]
    assert files_under(target) == ["kept.jpg", "manifest.json"]
    manifest = json.loads((target / "manifest.json").read_text())
    assert [entry["id"] for entry in manifest["items"]] == [str(kept.id)]


def test_export_wants_a_new_or_empty_directory(session: Session, project: Project, tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used/notes.txt").write_text("mine")
    with pytest.raises(InvalidInput, match="is not empty; name a new or empty directory"):
        exporting.export_library(session, project=project, directory=tmp_path / "used")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInput, match="is a file"):
        exporting.export_library(session, project=project, directory=tmp_path / "file")
    assert (tmp_path / "used/notes.txt").read_text() == "mine"

    result = exporting.export_library(session, project=project, directory=tmp_path / "new/deeper")
    assert (result.items, files_under(tmp_path / "new/deeper")) == ([], ["manifest.json"])


def test_export_reads_items_in_batches_and_keeps_them_in_upload_order(
    session: Session, project: Project, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporting, "BATCH", 2)
    made = [add(session, admin, f"{n}.jpg", images.jpeg(32, 24)) for n in range(5)]
    seen: list[tuple[int, int]] = []
    result = exporting.export_library(
        session,
        project=project,
        directory=tmp_path / "x",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [entry.id for entry in result.items] == [item.id for item in made]
    assert seen == [(n, 5) for n in range(6)]
