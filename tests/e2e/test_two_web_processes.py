"""Two web processes behind nginx, configured with README.md's "Several web processes" block: a person
signs in, uploads, waits for the picture, makes a page with it and publishes it through nginx; then the
web process their browser was using is killed, and after a reload on the other one they are still
signed in and nothing is lost. Production configuration only (`./dev test --production`): PostgreSQL,
S3, jobs run by the session's `nexus worker` processes on Redis, sign-ins shared through Redis."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests import images, workers
from tests.e2e.conftest import Project, Server, Team
from tests.e2e.library import notification, open_library, sign_in_through_form, upload, wait_until_ready
from tests.e2e.pages_helpers import (
    choose_in_picker,
    create_page,
    library_image,
    save_state,
    wait_for_editor,
)
from tests.nginx import NGINX, readme_nginx_block, user_directive
from tests.processes import free_port, running, wait_until_serving

SESSIONS_URL = os.environ.get("NEXUS_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.production_flow,
    pytest.mark.skipif(
        not (workers.COUNT and SESSIONS_URL),
        reason="the production configuration: NEXUS_TEST_WORKERS and NEXUS_TEST_REDIS_URL (./dev test --production)",
    ),
]

# The README block (its example addresses replaced) inside what the rest of an nginx.conf holds.
# The access log records which web process answered each request, by the browser's route.
NGINX_CONF = """\
{user}daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
events {{
    worker_connections 256;
}}
http {{
    log_format routes '$nexus_route $status $request_method $uri $upstream_addr';
    access_log {directory}/access.log routes;
    client_body_temp_path {directory}/nginx-body;
    proxy_temp_path {directory}/nginx-proxy;
    fastcgi_temp_path {directory}/nginx-fastcgi;
{recommended}
}}
"""
README_ADDRESSES = ("10.0.0.11:8080", "10.0.0.12:8080")


@dataclass(frozen=True)
class Site:
    """nginx in front of the web processes, which are known by the address nginx logs for them."""

    url: str
    processes: dict[str, subprocess.Popen[bytes]]
    access_log: Path

    def answered(self, route: str, path: str = "") -> list[str]:
        """Which process answered each request of the browser with this route (under `path`), in order:
        the last address nginx logged for it (earlier ones refused the connection)."""
        answers = []
        for line in self.access_log.read_text().splitlines():
            line_route, _status, _method, uri, upstreams = line.split(" ", 4)
            if line_route == route and uri.startswith(path):
                answers.append(upstreams.split(", ")[-1])
        return answers


@pytest.fixture
def site(server: Server, tmp_path: Path) -> Iterator[Site]:
    """Two `nexus serve --no-worker`, each with its own NEXUS_HOME as on its own machine, sharing what
    the README says they must share (database, storage, queue, NEXUS_SECRET_KEY, NICEGUI_REDIS_URL),
    behind nginx."""
    import redis

    redis.Redis.from_url(SESSIONS_URL).flushdb()
    nginx_port = free_port()
    url = f"http://127.0.0.1:{nginx_port}"
    addresses = [f"127.0.0.1:{free_port()}" for _ in README_ADDRESSES]
    homes = {address: tmp_path / f"web-{number}" for number, address in enumerate(addresses, 1)}
    with ExitStack() as stack:
        processes: dict[str, subprocess.Popen[bytes]] = {}
        for address, home in homes.items():
            home.mkdir()
            environment = {
                **server.environment,
                "NEXUS_HOME": str(home),
                "NEXUS_SECRET_KEY": "the same key on every web process, for the test",
                "NICEGUI_REDIS_URL": SESSIONS_URL,
                "NEXUS_PUBLIC_URL": url,
            }
            arguments = ["serve", "--no-worker", "--port", address.rpartition(":")[2]]
            processes[address] = stack.enter_context(running(arguments, environment, home / "serve.log"))
        for address, process in processes.items():
            wait_until_serving(f"http://{address}", process, homes[address] / "serve.log")
        recommended = readme_nginx_block(
            1,
            {
                "listen 80;": f"listen 127.0.0.1:{nginx_port};",
                **{
                    f"server {example};": f"server {ours};"
                    for example, ours in zip(README_ADDRESSES, addresses, strict=True)
                },
            },
        )
        config = tmp_path / "nginx.conf"
        config.write_text(
            NGINX_CONF.format(user=user_directive(), directory=tmp_path, recommended=recommended)
        )
        log = tmp_path / "nginx.log"
        nginx = stack.enter_context(
            running(
                [
                    NGINX or "nginx",
                    "-e",
                    str(tmp_path / "nginx-error.log"),
                    "-p",
                    f"{tmp_path}/",
                    "-c",
                    str(config),
                ],
                dict(os.environ),
                log,
                program=None,
            )
        )
        wait_until_serving(url, nginx, log)
        yield Site(url=url, processes=processes, access_log=tmp_path / "access.log")


def test_a_person_keeps_working_when_their_web_process_stops(
    site: Site,
    browser: Browser,
    browser_context_args: dict[str, Any],
    team: Team,
    make_project: Callable[[str], Project],
    tmp_path: Path,
) -> None:
    project = make_project("Two Processes")
    context = browser.new_context(**{**browser_context_args, "base_url": site.url})
    page = context.new_page()
    try:
        sign_in_through_form(page, team.editor, team.password)
        photo = tmp_path / "harbour.jpg"
        photo.write_bytes(images.jpeg(2400, 1600))
        open_library(page, project.library)
        item_id = upload(page, photo)
        harbour = library_image(page, item_id, photo.name, "", 2400)
        page_id = create_page(page, project, "Boats behind two processes")
        page.get_by_test_id("select-hero_image").click()
        choose_in_picker(page, harbour)
        page.get_by_test_id("save-page").click()
        expect(save_state(page)).to_have_text("All changes saved")
        page.get_by_test_id("publish-page").click()
        expect(notification(page, "Published")).to_be_visible()
        editor_path = page.url.removeprefix(site.url)
        page_slug = page.get_by_test_id("field-slug").input_value()

        # Sticky: every request of this browser went to one process. Kill it.
        route = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "nexus_route")
        used = set(site.answered(route))
        assert len(used) == 1, used
        (stopped,) = used
        (other,) = set(site.processes) - used
        site.processes[stopped].kill()
        site.processes[stopped].wait()

        # Still signed in on the other process, with the page published and the picture there.
        page.reload()
        wait_for_editor(page)
        expect(page).to_have_url(re.compile(re.escape(editor_path) + "$"))
        assert editor_path.endswith(page_id)
        expect(page.get_by_test_id("page-status")).to_have_text("Published")
        expect(page.get_by_test_id("image-field-preview")).to_have_attribute("src", harbour.hero_url)
        page.get_by_role("button", name="Account").click()
        expect(page.get_by_text(team.editor)).to_be_visible()
        page.keyboard.press("Escape")
        open_library(page, project.library)
        wait_until_ready(page, item_id)
        expect(page.get_by_test_id("media-count")).to_have_text("1 image")
        assert site.answered(route, "/admin/")[-2:] == [other, other]

        published = page.request.get(f"/p/{project.slug}/{page_slug}")
        assert published.status == 200, published.status
        assert "Boats behind two processes" in published.text()
    finally:
        context.close()
