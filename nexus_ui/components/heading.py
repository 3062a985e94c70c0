"""Headings as real `<h1>`/`<h2>` elements, so screen readers can list and jump between them."""

from __future__ import annotations

from nicegui import ui

LOOK = {1: "text-2xl font-semibold", 2: "text-lg font-semibold"}


def heading(text: str, level: int = 1) -> ui.label:
    label = ui.label(text).classes(f"{LOOK.get(level, LOOK[2])} leading-tight m-0")
    label.tag = f"h{level}"
    return label
