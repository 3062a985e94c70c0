"""Copy a /media URL, made absolute in the browser, to the clipboard."""

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
})(location.origin + %s)
"""


async def copy_media_url(url_path: str) -> None:
    copied = await ui.run_javascript(_COPY_JS % json.dumps(url_path), timeout=5)
    if copied:
        ui.notify("URL copied to the clipboard", type="positive", timeout=2000)
    else:
        ui.notify("The browser refused to copy; select the URL and copy it by hand.", type="warning")
