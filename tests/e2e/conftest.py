"""The browser suite's set-up: one real `nexus serve` subprocess for the whole session, exactly as a
person starts it (embedded SQLite queue, consumer in the web process), people and projects made with
the `nexus` command against the same NEXUS_HOME, and Debian's Chromium driven by pytest-playwright.

With NEXUS_TEST_WORKERS (`./dev test --production`) the server runs as in production instead:
`nexus serve --no-worker` on the test database and S3 bucket, its jobs run by the session's separate
`nexus worker` processes on Redis (tests/workers.py); tests marked `production_flow` run that way."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests import workers
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.library import open_library, sign_in_through_form
from tests.processes import NEXUS, child_environment, free_port, running, wait_until_serving

PASSWORD = "e2e correct horse battery"
# Settings of the test process that must not reach the server: it runs with its own home and the
# embedded default queue (the top-level conftest sets NEXUS_QUEUE_URL=memory:// for in-process tests).
NOT_INHERITED = (
    "NEXUS_QUEUE_URL",
    "NEXUS_MEDIA_DIR",
    "NEXUS_STORAGE_BACKEND",
    "NEXUS_HOST",
    "NEXUS_PORT",
    "NICEGUI_STORAGE_PATH",
)


@dataclass(frozen=True)
class Server:
    base_url: str
    home: Path
    environment: dict[str, str]
    log: Path

    @property
    def media_dir(self) -> Path:
        return self.home / "media"

    def nexus(self, *commands: list[str]) -> None:
        """Run `nexus` commands against the server's home, side by side; fail loudly on any error."""
        started = [
            (
                command,
                subprocess.Popen(
                    [NEXUS, *command],
                    env=self.environment,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
            for command in commands
        ]
        for command, process in started:
            output, errors = process.communicate(timeout=120)
            if process.returncode != 0:
                raise RuntimeError(f"nexus {' '.join(command)} failed:\n{output}{errors}")


@dataclass(frozen=True)
class Team:
    admin: str
    editor: str
    viewer: str
    password: str = PASSWORD


@dataclass(frozen=True)
class Project:
    name: str
    slug: str

    @property
    def library(self) -> str:
        return f"/admin/{self.slug}/media"


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """The top-level conftest empties the test process's database after each test; the e2e tests keep
    their people and projects for the session (they matter when NEXUS_TEST_DATABASE_URL is shared)."""


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("nexus-e2e-home")
    environment = child_environment(
        NEXUS_HOME=str(home),
        NEXUS_DATABASE_URL=os.environ.get("NEXUS_TEST_DATABASE_URL") or f"sqlite:///{home / 'nexus.db'}",
        NEXUS_WEBHOOK_ALLOW_PRIVATE="true",  # test_webhooks.py's receiver listens on loopback
    )
    for name in NOT_INHERITED:
        environment.pop(name, None)
    arguments = ["serve", "--port", str(port := free_port())]
    if workers.COUNT:
        environment.update(
            NEXUS_QUEUE_URL=workers.QUEUE_URL,
            NEXUS_STORAGE_BACKEND=os.environ.get("NEXUS_STORAGE_BACKEND", "local"),
        )
        arguments.append("--no-worker")
    base_url = f"http://127.0.0.1:{port}"
    log = home / "serve.log"
    with running(arguments, environment, log) as process:
        wait_until_serving(base_url, process, log)
        yield Server(base_url=base_url, home=home, environment=environment, log=log)


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    """pytest-playwright gives this to every browser context, so tests use paths like `/login`."""
    return server.base_url


@pytest.fixture(scope="session")
def team(server: Server) -> Team:
    people = Team(
        admin="ada.admin@example.com", editor="eve.editor@example.com", viewer="vic.viewer@example.com"
    )
    server.nexus(
        *(
            ["user", "create", email, "--password", PASSWORD]
            for email in (people.admin, people.editor, people.viewer)
        )
    )
    return people


@pytest.fixture(scope="session")
def make_project(server: Server, team: Team) -> Callable[[str], Project]:
    """A new project owned by the admin, with the editor and the viewer as members."""
    numbers = itertools.count(1)

    def make(name: str) -> Project:
        slug = f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}-{next(numbers)}"
        server.nexus(["project", "create", name, "--slug", slug, "--owner", team.admin])
        server.nexus(
            ["project", "add-member", slug, team.editor, "--role", "editor"],
            ["project", "add-member", slug, team.viewer, "--role", "viewer"],
        )
        return Project(name=name, slug=slug)

    return make


@pytest.fixture(scope="session")
def shared_project(make_project: Callable[[str], Project]) -> Project:
    """For tests that only look at their own items."""
    return make_project("Harbour Photos")


@pytest.fixture
def fresh_project(make_project: Callable[[str], Project]) -> Project:
    """For tests that look at the whole library (counts, empty state, what another role sees)."""
    return make_project("Summer Campaign")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": {"width": 1440, "height": 900},
        "permissions": ["clipboard-read", "clipboard-write"],
    }


@pytest.fixture(scope="session")
def _signed_in_cookies() -> dict[str, list[Any]]:
    return {}


@pytest.fixture
def sign_in(page: Page, team: Team, _signed_in_cookies: dict[str, list[Any]]) -> Callable[..., None]:
    """Sign a browser context in as someone: through the form the first time, with that cookie after."""

    def sign_in_as(email: str, on: Page | None = None) -> None:
        target = on or page
        cookies = _signed_in_cookies.get(email)
        if cookies:
            target.context.add_cookies(cookies)
            return
        sign_in_through_form(target, email, team.password)
        _signed_in_cookies[email] = target.context.cookies()

    return sign_in_as


@pytest.fixture
def new_library(
    page: Page, team: Team, make_project: Callable[[str], Project], sign_in: Callable[..., None]
) -> Callable[..., Project]:
    """A new project with its empty library open, for someone (the admin unless told)."""

    def open_new(name: str, email: str | None = None) -> Project:
        project = make_project(name)
        sign_in(email or team.admin)
        open_library(page, project.library)
        return project

    return open_new


@pytest.fixture(scope="session")
def screenshots(pytestconfig: pytest.Config) -> Path:
    """Full-page screenshots of the main screens, kept next to pytest-playwright's own artifacts."""
    folder = Path(pytestconfig.getoption("--output")).absolute() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
