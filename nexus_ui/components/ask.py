"""Small dialogs that ask one thing — a name, a place, some tags — and hand back the answer, or None."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from nicegui import ui

from nexus_ui.components.heading import heading
from nexus_ui.components.tag_input import tag_input


@contextmanager
def _dialog(title: str) -> Iterator[ui.dialog]:
    with ui.dialog() as dialog, ui.card().classes("p-6 gap-4 w-[28rem] max-w-[92vw] rounded-xl"):
        dialog.props["aria-label"] = title
        heading(title, level=2).classes("break-words")
        yield dialog


def _buttons(dialog: ui.dialog, action: str, marker: str, answer: Any) -> None:
    with ui.row().classes("w-full justify-end gap-2"):
        ui.button("Cancel", on_click=lambda: dialog.submit(None)).props("flat")
        button = ui.button(action, on_click=lambda: dialog.submit(answer()))
        button.props("unelevated").mark(marker)
        button.props["data-testid"] = marker


async def _answer(dialog: ui.dialog) -> Any:
    """Removed once hidden, when Quasar has given the focus back to what opened it."""
    dialog.on("hide", dialog.delete)
    dialog.open()
    return await dialog


async def ask_text(title: str, label: str, *, action: str, marker: str, value: str = "") -> str | None:
    """The text typed (Enter or `action`), or None when cancelled."""
    with _dialog(title) as dialog:
        field = ui.input(label, value=value).props("outlined autofocus").classes("w-full")
        field.props["data-testid"] = f"{marker}-input"
        field.mark(f"{marker}-input")
        field.on("keydown.enter", lambda: dialog.submit(field.value))
        _buttons(dialog, action, marker, lambda: field.value)
    answer = await _answer(dialog)
    return answer if isinstance(answer, str) else None


async def ask_choice(
    title: str, label: str, options: Mapping[str, str], *, action: str, marker: str
) -> str | None:
    """The key of the option chosen, or None when cancelled."""
    with _dialog(title) as dialog:
        first = next(iter(options), None)
        field = ui.select(dict(options), label=label, value=first, with_input=True)
        field.props("outlined options-dense autofocus").classes("w-full").mark(f"{marker}-input")
        field.props["data-testid"] = f"{marker}-input"
        _buttons(dialog, action, marker, lambda: field.value)
    answer = await _answer(dialog)
    return answer if isinstance(answer, str) else None


async def ask_tags(title: str, suggestions: Sequence[str], *, action: str, marker: str) -> list[str] | None:
    """Tags chosen from the project's or typed new (Enter adds one), or None when cancelled."""
    with _dialog(title) as dialog:
        field = tag_input([], suggestions, marker=f"{marker}-input").props("autofocus")
        _buttons(dialog, action, marker, lambda: list(field.value or []))
    answer = await _answer(dialog)
    return answer if isinstance(answer, list) and answer else None
