"""Which items are selected for a bulk action, as a file manager does it: a click toggles one,
Shift extends from the last one clicked (the anchor) over the items in between."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Gesture:
    """How a tile was clicked (or Space pressed on it)."""

    extend: bool = False
    toggle: bool = False

    @classmethod
    def of(cls, args: Any) -> Gesture:
        args = args if isinstance(args, dict) else {}
        return cls(extend=bool(args.get("shiftKey")), toggle=bool(args.get("ctrlKey") or args.get("metaKey")))


GESTURE_ARGS = ["shiftKey", "ctrlKey", "metaKey"]


class Selection:
    def __init__(self) -> None:
        self._ids: dict[UUID, None] = {}
        self.anchor: UUID | None = None

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[UUID]:
        return list(self._ids)

    def toggle(self, item_id: UUID) -> None:
        if self._ids.pop(item_id, False) is False:
            self._ids[item_id] = None
        self.anchor = item_id

    def extend_to(self, item_id: UUID, order: Sequence[UUID]) -> None:
        """Select every item from the anchor to `item_id` in `order` (the page as shown)."""
        if self.anchor not in order or item_id not in order:
            self._ids[item_id] = None
            self.anchor = item_id
            return
        start, end = sorted((order.index(self.anchor), order.index(item_id)))
        self._ids.update(dict.fromkeys(order[start : end + 1]))

    def add(self, item_ids: Iterable[UUID]) -> None:
        self._ids.update(dict.fromkeys(item_ids))

    def remove(self, item_ids: Iterable[UUID]) -> None:
        for item_id in item_ids:
            self._ids.pop(item_id, None)

    def clear(self) -> None:
        self._ids.clear()
        self.anchor = None
