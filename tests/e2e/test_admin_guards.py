"""The admin against another site: no framing, no acting with the session cookie, no locking people out,
and every screen still working under its Content-Security-Policy."""

from __future__ import annotations

import base64
import itertools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests import images
from tests.e2e.conftest import PASSWORD, Project, Server, Team
from tests.e2e.library import (
    drop_file,
    open_detail,
    open_library,
    reload_until_counted,
    sign_in_through_form,
    tiles,
    upload_zone,
    wait_until_connected,
    wait_until_ready,
)
from tests.e2e.pages_helpers import body, create_page, drop_on_editor, wait_until_loaded

people = itertools.count(1)


def new_member(server: Server, project: Project, role: str) -> str:
    """Someone of one's own: the throttle counts per account, and the team signs in all session long."""
    email = f"guarded{next(people)}@example.com"
    server.nexus(["user", "create", email, "--password", PASSWORD])
    server.nexus(["project", "add-member", project.slug, email, "--role", role])
    return email


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_admin_answers_carry_the_security_headers(server: Server, shared_project: Project) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        for path in ("/login", "/", shared_project.library, "/logout", "/no-such-screen"):
            answer = client.get(path)
            policy = directives(answer.headers.get("Content-Security-Policy", ""))
            assert policy.get("frame-ancestors") == "frame-ancestors 'none'", path
            assert policy.get("object-src") == "object-src 'none'", path
            assert policy.get("base-uri") == "base-uri 'none'", path
            assert "http:" not in policy["script-src"] and "https:" not in policy["script-src"], path
            assert answer.headers["X-Frame-Options"] == "DENY", path
            assert answer.headers["X-Content-Type-Options"] == "nosniff", path
            assert answer.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")

        media = client.get(f"/media/{shared_project.slug}/nothing.jpg")
        api = client.get("/api/v1/media_items")
        for answer in (media, api):  # their own headers, no admin middleware on their path
            assert "X-Frame-Options" not in answer.headers
            assert "frame-ancestors" not in answer.headers.get("Content-Security-Policy", "")

        published = directives(
            client.get(f"/p/{shared_project.slug}/nothing").headers["Content-Security-Policy"]
        )
        assert published["default-src"] == "default-src 'none'"
        assert "script-src" not in published
        assert published["base-uri"] == "base-uri 'none'"
        assert published["form-action"] == "form-action 'none'"


@dataclass
class AttackerSite:
    """Another origin on loopback (another port: same site, so SameSite=Lax cookies go along).

    A real server, not a routed page: Chromium's local-network checks would block a "public" page's
    requests to loopback, hiding what the admin itself does."""

    origin: str
    pages: dict[str, str]


@pytest.fixture
def attacker_site() -> Iterator[AttackerSite]:
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.get(self.path, "").encode()
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield AttackerSite(origin=f"http://127.0.0.1:{server.server_address[1]}", pages=pages)
    server.shutdown()
    server.server_close()


def test_another_site_cannot_frame_the_admin(page: Page, server: Server, attacker_site: AttackerSite) -> None:
    attacker_site.pages["/"] = f'<iframe src="{server.base_url}/login" width=800 height=600></iframe>'
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto(attacker_site.origin)
    expect(page.frame_locator("iframe").get_by_role("button", name="Sign in")).to_have_count(0)


@pytest.fixture
def csp_errors(page: Page) -> Iterator[list[str]]:
    """What Chromium reports when the policy blocks something (it logs every violation to the console)."""
    errors: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            errors.append(f"{page.url}: {message.text}")

    page.on("console", note)
    yield errors


def test_every_admin_screen_works_under_the_policy(
    page: Page, team: Team, fresh_project: Project, csp_errors: list[str]
) -> None:
    sign_in_through_form(page, team.admin, team.password)
    expect(page.get_by_text("Your projects")).to_be_visible()

    open_library(page, fresh_project.library)
    drop_file(page, "harbour.jpg", images.jpeg(800, 600))  # posted to NiceGUI's upload route
    expect(tiles(page)).to_have_count(1)
    item_id = tiles(page).first.get_attribute("data-item-id")
    assert item_id
    thumbnail = wait_until_ready(page, item_id).locator("img").first
    assert wait_until_loaded(thumbnail) > 0
    open_detail(page, item_id)

    create_page(page, fresh_project, "Under the policy")  # the TipTap bundle is an ES module
    drop_on_editor(page, "pasted.png", images.png(300, 200))  # posted to the editor's upload route
    uploaded = body(page).locator('img[src^="/media/"]')
    expect(uploaded).to_have_count(1, timeout=30_000)
    assert wait_until_loaded(uploaded) > 0

    for screen in ("pages", "members", "api-keys"):
        page.goto(f"/admin/{fresh_project.slug}/{screen}")
        wait_until_connected(page)
        expect(page.get_by_test_id(f"nav-{screen}")).to_have_class(re.compile(r"\bactive\b"))
    page.wait_for_timeout(500)
    assert csp_errors == []


ATTACK = """async ([socketUrl, uploadUrl, jpeg]) => {
    const socket = await new Promise((resolve) => {
        const ws = new WebSocket(socketUrl);
        ws.onmessage = (event) => { resolve(`open: ${event.data}`); ws.close(); };
        ws.onerror = () => resolve("refused");
        ws.onclose = () => resolve("refused");
    });
    const form = new FormData();
    const bytes = Uint8Array.from(atob(jpeg), (char) => char.charCodeAt(0));
    form.append("file", new File([bytes], "forged.jpg", {type: "image/jpeg"}));
    await fetch(uploadUrl, {method: "POST", body: form, credentials: "include"}).catch(() => null);
    return socket;
}"""


def test_another_origin_cannot_act_with_the_session(
    page: Page,
    context: BrowserContext,
    team: Team,
    server: Server,
    fresh_project: Project,
    attacker_site: AttackerSite,
) -> None:
    """The attacker's page is on the same host but another port: same site, so the browser sends the
    SameSite=Lax cookie with its WebSocket and its POST; only the origin check stands in the way."""
    sign_in_through_form(page, team.editor, team.password)  # a session of its own, not the cached one
    open_library(page, fresh_project.library)
    element_id = upload_zone(page).get_attribute("id")
    assert element_id
    upload_url = f"/_nicegui/client/{page.evaluate('window.clientId')}/upload/{element_id.removeprefix('c')}"
    attacker_site.pages["/prize"] = "<p>You won!</p>"
    attack = context.new_page()
    attack.goto(f"{attacker_site.origin}/prize")

    socket_url = (
        server.base_url.replace("http", "ws", 1) + "/_nicegui_ws/socket.io/?EIO=4&transport=websocket"
    )
    jpeg = base64.b64encode(images.jpeg(320, 240)).decode()
    assert attack.evaluate(ATTACK, [socket_url, server.base_url + upload_url, jpeg]) == "refused"
    attack.goto(f"{server.base_url}/logout")  # a link on the attacker's page
    expect(attack.get_by_text("Sign out?")).to_be_visible()

    forged = {"file": {"name": "forged.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg(320, 240)}}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": attacker_site.origin},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        answer = page.request.post(upload_url, multipart=forged, headers=headers)
        assert answer.status == 403, headers
    own = {"Origin": server.base_url, "Sec-Fetch-Site": "same-origin"}
    assert page.request.post(upload_url, multipart=forged, headers=own).status == 200

    reload_until_counted(page, "1 image")  # still signed in; only the same-origin upload was kept


def test_sign_out_from_the_account_menu(page: Page, team: Team, shared_project: Project) -> None:
    sign_in_through_form(page, team.viewer, team.password)  # signs out this session, not the cached one
    open_library(page, shared_project.library)
    page.get_by_role("button", name="Account").click()
    page.get_by_text("Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(shared_project.library)
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_an_attacker_elsewhere_cannot_lock_a_member_out(
    browser: Browser, browser_context_args: dict[str, Any], server: Server, shared_project: Project
) -> None:
    """Behind a proxy on loopback (nginx's `X-Forwarded-For $proxy_add_x_forwarded_for`), the attacker
    may put anything in front of the address the proxy appends: a new forged address each try."""
    email = new_member(server, shared_project, role="admin")
    attacker = browser.new_context(**browser_context_args)
    page = attacker.new_page()

    def try_password(password: str, forged: str) -> None:
        page.set_extra_http_headers({"X-Forwarded-For": f"{forged}, 203.0.113.66"})
        page.goto("/login")
        wait_until_connected(page)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    for attempt in range(5):
        try_password("a wrong guess", forged=f"10.0.0.{attempt}")
        expect(page.get_by_test_id("login-error")).to_have_text("Wrong email or password.")
    try_password(PASSWORD, forged="10.0.0.99")
    expect(page.get_by_test_id("login-error")).to_contain_text("Too many failed sign-ins")

    owner = browser.new_context(
        **browser_context_args, extra_http_headers={"X-Forwarded-For": "198.51.100.7"}
    )
    sign_in_through_form(owner.new_page(), email, PASSWORD)
    attacker.close()
    owner.close()
