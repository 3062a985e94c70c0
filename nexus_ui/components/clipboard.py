"""Copy text to the clipboard, with feedback."""

from __future__ import annotations

import json

from nicegui import ui

# navigator.clipboard needs a secure context; plain-HTTP deployments fall back to execCommand.
_COPY_JS = """
(async (text) => {
  try { await navigator.clipboard.writeText(text); return true; }
  catch (error) {
    const area = Object.assign(document.createElement('textarea'), {value: text});
    document.body.appendChild(area); area.select();
    const copied = document.execCommand('copy'); area.remove(); return copied;
  }
})(%s)
"""


async def _copy(expression: str, what: str) -> None:
    if await ui.run_javascript(_COPY_JS % expression, timeout=5):
        ui.notify(f"{what} copied to the clipboard", type="positive", timeout=2000)
    else:
        ui.notify("The browser refused to copy; select the text and copy it by hand.", type="warning")


async def copy_text(text: str, *, what: str) -> None:
    await _copy(json.dumps(text), what)


async def copy_media_url(url_path: str) -> None:
    """A /media path, made absolute in the browser (the server may sit behind any host name)."""
    await _copy(f"location.origin + {json.dumps(url_path)}", "URL")
