"""Tags as chips with an input that suggests the project's tags and takes new ones (Enter adds)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nicegui import ui


def tag_input(
    value: Sequence[str],
    suggestions: Sequence[str],
    *,
    marker: str,
    label: str = "Tags",
    on_change: Callable[[Any], Any] | None = None,
) -> ui.select:
    """Tag names travel as the select's options and value (JSON), never inside a props string."""
    options = list(dict.fromkeys([*suggestions, *value]))
    field = ui.select(
        options,
        label=label,
        value=list(value),
        multiple=True,
        new_value_mode="add-unique",
        with_input=True,
        on_change=on_change,
    )
    field.props("outlined use-chips options-dense hide-dropdown-icon input-debounce=0")
    field.props["hint"] = "Type a tag and press Enter; pick one the project already uses"
    field.classes("w-full").mark(marker)
    field.props["data-testid"] = marker
    return field
