"""A red-team corpus of script-injection payloads, a loopback listener that must stay silent, and the
checks that no payload ran in the page the browser shows (used by test_xss.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import Dialog, Page

# Set by payloads that assign instead of calling alert(); `top` so that payloads in frames reach it too.
FLAG = "__xss"
SET_FLAG = f"top.{FLAG}=1"


def text_payloads(beacon: str) -> list[str]:
    """Payloads for text fields; each, if it ran, calls alert(), sets the flag or requests `beacon`."""
    fetch = f"fetch('{beacon}')"
    return [
        # PayloadsAllTheThings, "XSS Injection" README: common payloads and the quick list
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '"><svg onload=alert(1)>',
        f"'><svg/onload={SET_FLAG}>",
        f'"><img src=x onerror="{fetch}">',
        "<svg><script>alert&#40;1&#41;</script>",
        "<body onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
        '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
        '<a href="javascript:alert(1)">click me</a>',
        "javascript:alert(1)",
        f"<img src={beacon}img>",
        f"<script>{fetch}</script>",
        # PayloadsAllTheThings, "XSS in Angular and AngularJS" / Vue.js: client-side template injection
        "{{constructor.constructor('alert(1)')()}}",
        "{{_openBlock.constructor('alert(1)')()}}",
        "${alert(1)}",
        # Breaking out of the quoting of attributes, props strings and scripts
        "' \" ` < > & \\",
        f"Harbour at dusk onload='{SET_FLAG}' \\",  # issue 9's alt text
        "x onerror='alert(1)' src=x \\",
        '\\" onerror=alert(1) x=\\',
        "</script><script>alert(1)</script>",
        "line one\n<script>alert(1)</script>\nline three",
        "\u2028alert(1)//\u2029",
        "--><svg onload=alert(1)><!--",
        # DOMPurify test fixtures: mutation XSS through foreign content
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ]


def image_url_payloads() -> list[str]:
    """Stored values of an image field: they pass as http(s) or /media URLs but try to leave `src`."""
    return [
        f"https://images.invalid/a.png' src=x onerror='{SET_FLAG}' x=\\",
        'https://images.invalid/a.png" onerror="alert(1)',
        "https://images.invalid/a.png\\",
        '/media/x/"><img src=x onerror=alert(1)>',
        "javascript:alert(1)",
    ]


class Listener:
    """An HTTP server on loopback recording every request: a payload that runs would call it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Record(BaseHTTPRequestHandler):
            def _record(self) -> None:
                listener.requests.append(f"{self.command} {self.path}")
                self.send_response(204)
                self.end_headers()

            do_GET = do_POST = do_HEAD = do_OPTIONS = do_PUT = _record

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test reports what was requested."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Record)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @contextmanager
    def serving(self) -> Iterator[Listener]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


class ScriptWatch:
    """Dialogs a page opened, and the checks to run before leaving each screen."""

    def __init__(self, page: Page, listener: Listener) -> None:
        self.page = page
        self.listener = listener
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        if dialog.type != "beforeunload":  # the editor's own warning about unsaved work
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_nothing_ran(self, screen: str) -> None:
        """Once the screen's images have loaded or failed (handlers like onload/onerror have fired)."""
        self.page.wait_for_function(
            "Array.from(document.images).every((image) => image.complete || image.loading === 'lazy')"
        )
        self.page.wait_for_timeout(100)
        found = self.page.evaluate(TRACES_JS, FLAG)
        assert self.dialogs == [], f"{screen}: a payload opened a dialog: {self.dialogs}"
        assert found["flag"] is None, f"{screen}: a payload set window.{FLAG}"
        assert self.listener.requests == [], f"{screen}: a payload called out: {self.listener.requests}"
        assert found["injected"] == [], f"{screen}: payload markup became elements: {found['injected']}"


# The flag, and markup that only an injection would put in the admin: event-handler attributes,
# javascript: URLs, frames and plugins (Vue and Quasar bind events with addEventListener, not attributes).
TRACES_JS = """(flag) => {
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data'];
  const found = [];
  for (const element of document.querySelectorAll('*')) {
    if (['iframe', 'object', 'embed', 'frame'].includes(element.localName)) found.push(element.outerHTML);
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on') || name === 'srcdoc'
          || (urlAttributes.includes(name) && value.startsWith('javascript:'))) {
        found.push(`<${element.localName} ${attribute.name}="${attribute.value}">`);
      }
    }
  }
  return {flag: window[flag] ?? null, injected: found};
}"""
