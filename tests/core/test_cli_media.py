"""`nexus media …` as an operator runs it: real subprocesses, real database, files and S3 server."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from sqlmodel import Session

from nexus_core.config import Settings
from nexus_core.media import service
from nexus_core.media.service import IncomingFile
from nexus_core.models import MediaItem
from nexus_core.policies import Actor
from tests import images
from tests.factories import admin_of, make_project
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
    item = service.upload(session, actor=actor, files=[IncomingFile("photo.jpg", images.jpeg(400, 300))])[0]
    session.refresh(item)
    return item


def test_check_exits_0_when_clean_and_1_with_a_summary_of_problems(
    session: Session, admin: Actor, media_dir: Path
) -> None:
    item = upload(session, admin)
    clean = nexus("check")
    assert clean.returncode == 0, clean.stderr
    assert "Checked 1 items and 2 files (local)." in clean.stdout
    assert "No problems found." in clean.stdout

    (media_dir / item.variants["thumb"]).unlink()
    for number in range(3):
        (media_dir / f"stray-{number}.txt").write_bytes(b"x")
    found = nexus("check", "--examples", "2")
    assert found.returncode == 1
    assert f"Items with missing files: 1\n  {item.id} on local: {item.variants['thumb']}" in found.stdout
    assert "Files that belong to no item: 3\n  local: stray-0.txt\n  local: stray-1.txt\n  … and 1 more" in (
        found.stdout
    )
    assert "4 problems found." in found.stdout


def test_sweep_only_says_what_it_would_do_until_applied(media_dir: Path) -> None:
    old, young = media_dir / "old.txt", media_dir / "young.txt"
    media_dir.mkdir(parents=True, exist_ok=True)
    for path in (old, young):
        path.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    dry = nexus("sweep")
    assert dry.returncode == 0, dry.stderr
    assert "would delete orphan local: old.txt" in dry.stdout
    assert "keep local: young.txt (younger than the grace period)" in dry.stdout
    assert "Dry run: nothing was changed." in dry.stdout
    assert old.exists()

    applied = nexus("sweep", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "Orphan files deleted: 1 (kept, younger than 60 minutes: 1)" in applied.stdout
    assert not old.exists()
    assert young.exists()


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
    assert f"[1/1] copied {item.id} (2 copied, 0 already there)" in moved.stdout
    assert "The app still serves files from local" in moved.stdout
    assert "set NEXUS_STORAGE_BACKEND=s3" in moved.stdout
    assert (media_dir / item.file_path).exists()

    too_early = nexus("migrate-storage", "--to", "s3", "--delete-source", **s3)
    assert too_early.returncode == 1
    assert "set NEXUS_STORAGE_BACKEND=s3" in too_early.stderr

    switched = nexus("migrate-storage", "--to", "s3", "--delete-source", NEXUS_STORAGE_BACKEND="s3", **s3)
    assert switched.returncode == 0, switched.stderr
    assert "Deleted 2 source files." in switched.stdout
    assert not (media_dir / item.file_path).exists()
    assert nexus("check", NEXUS_STORAGE_BACKEND="s3", **s3).returncode == 0


def test_migrate_storage_without_a_bucket_is_one_line(session: Session, admin: Actor) -> None:
    upload(session, admin)
    result = nexus("migrate-storage", "--to", "s3")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Set NEXUS_S3_BUCKET")
    assert "Traceback" not in result.stderr
