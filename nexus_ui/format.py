"""How numbers and dates read in the admin."""

from __future__ import annotations

from datetime import datetime

from nexus_core.models.base import as_utc


def human_size(size: int | None) -> str:
    if size is None:
        return "—"
    amount = float(size)
    for unit in ("bytes", "KB", "MB"):
        if amount < 1024 or unit == "MB":
            return f"{int(amount)} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GB"


def human_date(moment: datetime) -> str:
    return as_utc(moment).strftime("%-d %b %Y, %H:%M UTC")


def dimensions(width: int | None, height: int | None) -> str:
    return f"{width} × {height} px" if width and height else "—"


def exact_time(moment: datetime) -> str:
    """To the second, for logs: `7 Dec, 13:47:05 UTC`."""
    return as_utc(moment).strftime("%-d %b, %H:%M:%S UTC")
