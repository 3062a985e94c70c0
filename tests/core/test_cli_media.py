"""`nexus media …` as an operator runs it: real subprocesses, real database, files and S3 server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session

from nexus_core.config import Settings
from nexus_core.media import upload as uploading
from nexus_core.media.upload import IncomingFile
from nexus_core.models import MediaItem
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles, local_only
from tests.factories import admin_of, make_project, stored_item
from tests.processes import NEXUS, child_environment

pytest_plugins = ("tests.s3server",)


def nexus(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEXUS, "media", *arguments],
        env=child_environment(**environment),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def admin(session: Session) -> Actor:
    return admin_of(session, make_project(session))


def upload(session: Session, actor: Actor) -> MediaItem:
    files = [IncomingFile("photo.jpg", images.jpeg(400, 300))]
    item = stored_item(session, uploading.upload(session, actor=actor, files=files)[0])
    return item


def test_check_exits_0_when_clean_and_1_with_a_summary_of_problems(
    session: Session, admin: Actor, stored: StoredFiles
) -> None:
    item = upload(session, admin)
    backend = stored.backend
    clean = nexus("check")
    assert clean.returncode == 0, clean.stderr
    assert f"Checked 1 items and 4 files ({backend})." in clean.stdout  # and a thumb, 16x9_thumb and _medium
    assert "No problems found." in clean.stdout

    stored.delete(item.variants["thumb"])
    for number in range(3):
        stored.write(f"stray-{number}.txt", b"x")
    found = nexus("check", "--examples", "2")
    assert found.returncode == 1
    assert f"Items with missing files: 1\n  {item.id} on {backend}: {item.variants['thumb']}" in found.stdout
    assert (
        f"Files that belong to no item: 3\n  {backend}: stray-0.txt\n  {backend}: stray-1.txt\n  … and 1 more"
        in found.stdout
    )
    assert "4 problems found." in found.stdout


def test_check_reports_renditions_a_new_setting_asks_for_and_regenerate_makes_them(
    session: Session, admin: Actor
) -> None:
    item = upload(session, admin)  # made with the suite's NEXUS_MODERN_FORMATS, none

    found = nexus("check", NEXUS_MODERN_FORMATS="webp,avif")
    assert found.returncode == 1
    assert (
        f"Items without renditions NEXUS_MODERN_FORMATS asks for: 1\n  {item.id}: 16x9_medium.avif, "
        "16x9_medium.webp, 16x9_thumb.avif, 16x9_thumb.webp, thumb.avif, thumb.webp" in found.stdout
    )
    assert (
        "Missing renditions are made by `nexus media sweep --apply` (queued) or `nexus media regenerate`."
        in found.stdout
    )

    made = nexus("regenerate", str(item.id), NEXUS_MODERN_FORMATS="webp,avif")
    assert made.returncode == 0, made.stderr
    assert f"[1/1] regenerated {item.id} (thumb; also AVIF, WebP)" in made.stdout
    assert nexus("check", NEXUS_MODERN_FORMATS="webp,avif").returncode == 0


def test_an_unknown_modern_format_is_one_line(session: Session) -> None:
    refused = nexus("check", NEXUS_MODERN_FORMATS="webp,jxl")
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "Error: Invalid settings: NEXUS_MODERN_FORMATS: Value error, unknown format 'jxl'"
    )
    assert "Traceback" not in refused.stderr


def test_sweep_only_says_what_it_would_do_until_applied(stored: StoredFiles) -> None:
    backend = stored.backend
    stored.write("old.txt", b"x", seconds_old=7200)
    stored.write("young.txt", b"x")

    dry = nexus("sweep")
    assert dry.returncode == 0, dry.stderr
    assert f"would delete orphan {backend}: old.txt" in dry.stdout
    assert f"keep {backend}: young.txt (younger than the grace period)" in dry.stdout
    assert "Dry run: nothing was changed." in dry.stdout
    assert stored.exists("old.txt")

    applied = nexus("sweep", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "Orphan files deleted: 1 (kept, younger than 60 minutes: 1)" in applied.stdout
    assert not stored.exists("old.txt")
    assert stored.exists("young.txt")


def test_regenerate_prints_progress_and_refuses_an_unclear_selection(session: Session, admin: Actor) -> None:
    item = upload(session, admin)
    done = nexus("regenerate", "--all")
    assert done.returncode == 0, done.stderr
    assert f"[1/1] regenerated {item.id} (thumb)" in done.stdout
    assert "Regenerated 1, queued 0, failed 0, skipped 0." in done.stdout

    unclear = nexus("regenerate")
    assert unclear.returncode == 1
    assert unclear.stderr.startswith("Error: Name the items")
    assert "Traceback" not in unclear.stderr


@local_only
def test_migrate_storage_to_s3_then_switch_and_delete_the_source(
    session: Session, admin: Actor, media_dir: Path, s3_settings: Settings
) -> None:
    item = upload(session, admin)
    s3 = {
        "NEXUS_S3_BUCKET": s3_settings.s3_bucket or "",
        "NEXUS_S3_ENDPOINT_URL": s3_settings.s3_endpoint_url or "",
        "NEXUS_S3_REGION": s3_settings.s3_region or "",
    }
    moved = nexus("migrate-storage", "--to", "s3", **s3)
    assert moved.returncode == 0, moved.stderr
    assert f"[1/1] copied {item.id} (4 copied, 0 already there)" in moved.stdout
    assert "The app still serves files from local" in moved.stdout
    assert "set NEXUS_STORAGE_BACKEND=s3" in moved.stdout
    assert (media_dir / item.file_path).exists()

    too_early = nexus("migrate-storage", "--to", "s3", "--delete-source", **s3)
    assert too_early.returncode == 1
    assert "set NEXUS_STORAGE_BACKEND=s3" in too_early.stderr

    switched = nexus("migrate-storage", "--to", "s3", "--delete-source", NEXUS_STORAGE_BACKEND="s3", **s3)
    assert switched.returncode == 0, switched.stderr
    assert "Deleted 4 source files." in switched.stdout
    assert not (media_dir / item.file_path).exists()
    assert nexus("check", NEXUS_STORAGE_BACKEND="s3", **s3).returncode == 0


@local_only
def test_migrate_storage_without_a_bucket_is_one_line(session: Session, admin: Actor) -> None:
    upload(session, admin)
    result = nexus("migrate-storage", "--to", "s3")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Set NEXUS_S3_BUCKET")
    assert "Traceback" not in result.stderr


def test_check_lists_an_earlier_versions_files_as_kept_and_exits_0(session: Session, admin: Actor) -> None:
    from nexus_core.media import editing
    from nexus_core.media.edits import EditChanges

    item = upload(session, admin)
    first_thumb = item.variants["thumb"]
    editing.update_item(
        session, actor=admin, item_id=item.id, changes=editing.ItemChanges(edits=EditChanges(rotate=90))
    )
    checked = nexus("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Files of earlier versions, kept for NEXUS_OLD_VERSION_GRACE" in checked.stdout
    assert f": {first_thumb} until " in checked.stdout
    assert "No problems found." in checked.stdout
