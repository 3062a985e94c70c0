"""The `nexus` command as an operator uses it: real subprocesses, real database."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.processes import NEXUS, child_environment


def nexus(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEXUS, *arguments], env=child_environment(), capture_output=True, text=True, timeout=60
    )


def test_operator_sets_up_a_project_and_gets_a_working_key() -> None:
    assert nexus("migrate").returncode == 0
    created = nexus("user", "create", "ada@example.com", "--password", "a long password")
    assert created.returncode == 0, created.stderr
    assert nexus("user", "create", "bob@example.com", "--password", "another password").returncode == 0
    assert (
        nexus("project", "create", "The Blog", "--slug", "blog", "--owner", "ada@example.com").returncode == 0
    )
    added = nexus("project", "add-member", "blog", "bob@example.com", "--role", "viewer")
    assert added.returncode == 0, added.stderr
    assert "viewer" in added.stdout
    issued = nexus("apikey", "create", "blog", "bob@example.com")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("nx_")

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from nexus_core.api import router

    app = FastAPI()
    app.include_router(router)
    answer = TestClient(app).get("/api/v1/media_items", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["user", "create", "not-an-email", "--password", "a long password"], "not a valid email"),
        (["user", "create", "x@example.com", "--password", "short"], "at least 8"),
        (["project", "create", "X", "--slug", "x", "--owner", "nobody@example.com"], "No user"),
        (["project", "add-member", "nope", "nobody@example.com", "--role", "admin"], "No user"),
        (["apikey", "create", "nope", "nobody@example.com"], "No user"),
    ],
)
def test_mistakes_are_one_line_without_traceback(arguments: list[str], message: str) -> None:
    result = nexus(*arguments)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ")


def test_apikey_for_a_non_member_is_refused() -> None:
    assert nexus("user", "create", "owner@example.com", "--password", "a long password").returncode == 0
    assert nexus("user", "create", "guest@example.com", "--password", "a long password").returncode == 0
    assert (
        nexus("project", "create", "Site", "--slug", "site", "--owner", "owner@example.com").returncode == 0
    )
    result = nexus("apikey", "create", "site", "guest@example.com")
    assert result.returncode == 1
    assert "not a member of site" in result.stderr


def test_bad_settings_are_reported_plainly() -> None:
    result = subprocess.run(
        [NEXUS, "migrate"],
        env=child_environment(NEXUS_STORAGE_BACKEND="s3", NEXUS_S3_BUCKET=""),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "NEXUS_S3_BUCKET" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_on_a_fresh_machine_creates_its_home(tmp_path: Path) -> None:
    """`./dev start` runs `nexus demo` first, with nothing configured and no NEXUS_HOME yet."""
    environment = {
        key: value for key, value in child_environment().items() if not key.startswith(("NEXUS_", "AWS_"))
    }
    home = tmp_path / "fresh" / "var"
    result = subprocess.run(
        [NEXUS, "demo"],
        env={**environment, "NEXUS_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "6 images" in result.stdout
    assert {"nexus.db", "queue.db", "media"} <= {path.name for path in home.iterdir()}


def test_demo_creates_a_living_library_once() -> None:
    first = nexus("demo")
    assert first.returncode == 0, first.stderr
    assert "demo@example.com" in first.stdout
    assert "6 images" in first.stdout
    again = nexus("demo")
    assert again.returncode == 0
    assert "6 images" in again.stdout
