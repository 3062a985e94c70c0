"""Cleaned SVGs stay harmless wherever a front end puts them: every hostile SVG of the red-team corpus,
cleaned by the real upload validation, is inlined into an HTML page with `innerHTML` (HTML parsing) and
opened as an SVG document without the `/media` CSP (XML parsing) in Chromium. Nothing may run — no
dialog, no call recorded by the page — and nothing may be fetched: no request but the page's own (a
relative reference would ask the page's made-up origin), and no connection to the loopback listener the
payloads' absolute references aim at. No nexus server is needed."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route

from nexus_core.config import MEGABYTE
from nexus_core.errors import ImageError
from nexus_core.media import svg
from nexus_core.media.validation import validate_upload
from tests.svg_corpus import HostileSvg, hostile_svgs, svg_document, use_bomb, xlink_laughs

SITE = "http://nexus.test"
PAGE = f"{SITE}/page.html"
DRAWING = f"{SITE}/drawing.svg"
RECORD_CALLS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const original = window[name];
  window[name] = (...args) => { window.__ran.push(name); return original.apply(window, args); };
}
"""
# Dispatched to every element, so handlers and links that wait for someone (clicks, hovers) are tried too.
PROVOKE = """async root => {
  for (const element of root.querySelectorAll("*")) {
    for (const type of ["click", "mouseover", "focus"]) {
      element.dispatchEvent(new MouseEvent(type, {bubbles: true}));
    }
  }
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await new Promise(done => setTimeout(done, 150));
}"""


class Listener:
    """A loopback port standing for the attacker's server: every connection to it is recorded."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.host = f"127.0.0.1:{self._socket.getsockname()[1]}"
        self.connections: list[str] = []
        threading.Thread(target=self._record, daemon=True).start()

    def _record(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(0.5)
                try:
                    first_line = connection.recv(512).split(b"\r\n")[0].decode(errors="replace")
                except OSError:
                    first_line = "(nothing sent)"
            self.connections.append(first_line)

    def close(self) -> None:
        self._socket.close()


@dataclass
class Browsing:
    """One Chromium page and everything it did that a harmless drawing must not do."""

    page: Page
    listener: Listener = field(init=False)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open_inlined(self, cleaned: bytes) -> None:
        self._serve(b"<!doctype html><html><body><div id=host></div></body></html>", cleaned)
        self.page.goto(PAGE)
        self.page.evaluate("svg => { document.getElementById('host').innerHTML = svg; }", cleaned.decode())
        assert self.page.locator("#host > svg #keep").count() == 1, "the drawing was not inlined"
        self.page.evaluate(PROVOKE, self.page.query_selector("#host"))

    def open_as_document(self, cleaned: bytes) -> None:
        self._serve(b"", cleaned)
        self.page.goto(DRAWING)
        assert self.page.evaluate("document.documentElement.localName") == "svg", "not shown as SVG"
        assert self.page.evaluate("document.getElementById('keep') !== null"), "the drawing was not shown"
        self.page.evaluate(PROVOKE, self.page.query_selector(":root"))

    def record_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def harm(self) -> list[str]:
        ran = self.page.evaluate("window.__ran || []")
        requests = [url for url in self.requests if url not in (PAGE, DRAWING)]
        return [
            *(f"dialog {text!r}" for text in self.dialogs),
            *(f"called {name}" for name in ran),
            *(f"requested {url}" for url in requests),
            *(f"listener reached: {line}" for line in self.listener.connections),
        ]

    def _serve(self, html: bytes, cleaned: bytes) -> None:
        self.dialogs.clear()
        self.requests.clear()
        self.listener.connections.clear()
        self.page.unroute("**/*")

        def answer(route: Route) -> None:
            if route.request.url == PAGE:
                route.fulfill(body=html, content_type="text/html")
            elif route.request.url == DRAWING:
                route.fulfill(body=cleaned, content_type="image/svg+xml")
            else:
                route.continue_()

        self.page.route("**/*", answer)


@pytest.fixture
def listener() -> Iterator[Listener]:
    """One per test, so a connection that Chromium opens late is blamed on the test that caused it."""
    attacker = Listener()
    yield attacker
    attacker.close()


@pytest.fixture(scope="module")
def watched_page(browser: Browser) -> Iterator[Browsing]:
    context = browser.new_context()
    context.add_init_script(RECORD_CALLS)
    watched = Browsing(page=context.new_page())
    watched.page.on("dialog", watched.record_dialog)
    watched.page.on("request", lambda request: watched.requests.append(request.url))
    yield watched
    context.close()


@pytest.fixture
def browsing(watched_page: Browsing, listener: Listener) -> Browsing:
    watched_page.listener = listener
    return watched_page


@pytest.fixture
def corpus(listener: Listener) -> dict[str, HostileSvg]:
    """The corpus with every external reference aimed at the listener."""
    return {case.name: case for case in hostile_svgs(host=listener.host)}


def cleaned(data: bytes) -> bytes:
    return validate_upload("drawing.svg", data, max_bytes=MEGABYTE, max_pixels=10_000_000).data


NAMES = [case.name for case in hostile_svgs()]


@pytest.mark.parametrize("name", NAMES)
def test_cleaned_svg_inlined_with_inner_html_runs_and_fetches_nothing(
    browsing: Browsing, corpus: dict[str, HostileSvg], name: str
) -> None:
    browsing.open_inlined(cleaned(corpus[name].data))
    assert browsing.harm() == []


@pytest.mark.parametrize("name", NAMES)
def test_cleaned_svg_opened_as_a_document_runs_and_fetches_nothing(
    browsing: Browsing, corpus: dict[str, HostileSvg], name: str
) -> None:
    browsing.open_as_document(cleaned(corpus[name].data))
    assert browsing.harm() == []


@pytest.mark.parametrize(
    "data", [use_bomb(), xlink_laughs()], ids=["groups-using-the-next-twice", "xlink-laughs"]
)
def test_use_bomb_is_refused_before_any_browser_draws_it(data: bytes) -> None:
    with pytest.raises(ImageError, match="more than 10,000 copies"):
        cleaned(data)


def test_the_most_copies_the_limit_allows_draw_quickly(browsing: Browsing) -> None:
    """Half the limit in uses of a two-element group: exactly the copies a stored SVG may ask for."""
    uses = '<use href="#dot"/>' * (svg.MAX_REFERENCED_ELEMENTS // 2)
    drawing = cleaned(svg_document(f'<defs><g id="dot"><circle r="1"/></g></defs>{uses}<rect id="keep"/>'))
    started = time.perf_counter()
    browsing.open_inlined(drawing)
    assert time.perf_counter() - started < 5
    assert browsing.harm() == []


def test_the_browser_check_sees_an_uncleaned_payload(browsing: Browsing, listener: Listener) -> None:
    """The harness itself: payloads of the corpus, stored as uploaded, do run and fetch here."""
    hidden = "<!--><img src=x onerror=alert(1)><!-->"
    fetching = f'<desc><image srcset="http://{listener.host}/s.png 1x"/></desc>'
    browsing.open_inlined(svg_document(f'<rect id="keep"/>{hidden}{fetching}'))
    expected = {"dialog '1'", "called alert", f"requested http://{listener.host}/s.png"}
    # The image's error (and so the alert) waits for its request to fail: on a busy machine that can
    # come after the provocation's pause, so the harness waits for what it knows must happen.
    deadline = time.monotonic() + 5
    while not (expected <= set(browsing.harm()) and listener.connections) and time.monotonic() < deadline:
        browsing.page.wait_for_timeout(50)
    assert expected <= set(browsing.harm())
    assert listener.connections, "the listener never heard of the request"
