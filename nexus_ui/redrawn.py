"""A screen drawn from one use case's answer and drawn again, with NiceGUI's refreshable, from a
fresh answer after every change, so what it shows is always what the core says now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from nicegui import ui

from nexus_ui.calls import FAILED, call
from nexus_ui.session import ProjectContext

V = TypeVar("V")


class Redrawn(Generic[V]):
    def __init__(self, context: ProjectContext, view: V, source: Callable[..., V]) -> None:
        self.context = context
        self.view = view
        self._source = source

    async def reload(self) -> None:
        view = await call(self.context, self._source)
        if view is not FAILED:
            self.view = view
            self.content.refresh()

    @ui.refreshable_method
    def content(self) -> None:
        self.draw(self.view)

    def draw(self, view: V) -> None:
        raise NotImplementedError
