"""Colours and the page chrome shared by every screen."""

from __future__ import annotations

from nicegui import ui

PRIMARY = "#4f46e5"


def apply_theme() -> None:
    ui.colors(primary=PRIMARY, secondary="#64748b", accent="#0ea5e9", positive="#16a34a", negative="#dc2626")
    ui.query("body").classes("bg-slate-50 text-slate-900")
    ui.add_css(
        """
        .nexus-nav a { color: #334155; text-decoration: none; }
        .nexus-nav a.active { background: #eef2ff; color: #4338ca; font-weight: 600; }
        .nexus-nav a:hover:not(.active) { background: #f1f5f9; }
        .nexus-tile { transition: box-shadow .15s, transform .15s; }
        .nexus-tile:hover { box-shadow: 0 6px 18px rgba(15, 23, 42, .12); }
        .nexus-tile.selected { outline: 3px solid #4f46e5; outline-offset: 2px; }
        .nexus-checker { background-color: #f8fafc; background-image:
            linear-gradient(45deg, #e2e8f0 25%, transparent 25%), linear-gradient(-45deg, #e2e8f0 25%, transparent 25%),
            linear-gradient(45deg, transparent 75%, #e2e8f0 75%), linear-gradient(-45deg, transparent 75%, #e2e8f0 75%);
            background-size: 16px 16px; background-position: 0 0, 0 8px, 8px -8px, -8px 0; }
        """
    )
