"""Search, filters, sort and grid/list for a view of the library (the library page and the picker).
Every control hands back a new LibraryView; the caller loads it and keeps it in the URL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from nicegui import ui

from nexus_core.media import formats, listing
from nexus_core.models import MediaStatus
from nexus_ui.components.library_view import SORT_LABELS, LibraryView

TYPE_LABELS = {row.name.lower(): row.name for row in formats.FORMATS}
ORIENTATIONS = {"": "Any orientation", **{o.value: o.value.capitalize() for o in listing.Orientation}}
STATUSES = {"": "Any status", **{status.value: status.value.capitalize() for status in MediaStatus}}
FLAGS = (
    ("missing_alt", "Missing alt text"),
    ("unused", "Not used on any page"),
    ("duplicates", "Duplicates"),
)
DAY = timedelta(days=1)


def _day(moment: datetime | None, shift: timedelta = timedelta()) -> str:
    return (moment - shift).date().isoformat() if moment else ""


def _moment(text: str, shift: timedelta = timedelta()) -> datetime | None:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC) + shift if text else None
    except ValueError:
        return None


class LibraryFilters:
    def __init__(
        self,
        view: LibraryView,
        tag_names: Sequence[str],
        on_change: Callable[[LibraryView], Awaitable[None]],
        *,
        arrangement: bool = True,
        marker: str = "media",
    ) -> None:
        """`arrangement` adds sort and grid/list (the library has them, the picker does not)."""
        self.view = view
        self._on_change = on_change
        self._tag_names = tag_names
        with ui.row().classes("w-full items-center gap-2"):
            search = ui.input(placeholder="Search filename or alt text", value=view.filters.q or "")
            search.props("outlined dense clearable debounce=300").classes("grow sm:grow-0 sm:w-72")
            search.props.update({"aria-label": "Search images", "data-testid": f"{marker}-search"})
            search.add_slot("prepend", '<q-icon name="search" />')
            search.on_value_change(lambda e: self._filter(q=(e.value or "").strip() or None))
            search.mark(f"{marker}-search")
            self._toggle = ui.button("Filters", icon="tune", on_click=self._toggle_panel)
            self._toggle.props("outline color=grey-9").mark("filters-toggle")
            self._toggle.props["data-testid"] = "filters-toggle"
            if arrangement:
                ui.space()
                self._arrangement()
        self.panel = ui.row().classes("nexus-filters w-full items-center gap-3 rounded-xl px-3 py-3")
        self.panel.props.update({"role": "group", "aria-label": "Filters", "data-testid": "filters"})
        self._toggle.props["aria-controls"] = f"c{self.panel.id}"
        with self.panel:
            self._controls(tag_names)
        self._show_panel(self.narrowed)

    @property
    def narrowed(self) -> bool:
        """Some filter besides the folder and the search is on."""
        return bool(set(self.view.filters.as_params()) - {"q", "folder"})

    def follow(self, view: LibraryView) -> None:
        """The view changed elsewhere (a folder chosen, a page turned)."""
        self.view = view

    def _arrangement(self) -> None:
        sort = ui.select({s.value: label for s, label in SORT_LABELS.items()}, value=self.view.sort.value)
        sort.props("outlined dense options-dense").classes("w-40").mark("sort")
        sort.props.update({"aria-label": "Sort", "data-testid": "sort"})
        sort.on_value_change(lambda e: self._set(self.view.changed(sort=listing.Sort(e.value))))
        view = ui.toggle({"grid": "Grid", "list": "List"}, value=self.view.view)
        view.props("no-caps unelevated toggle-color=primary color=white text-color=grey-8").mark("view")
        view.props.update({"aria-label": "Show as", "data-testid": "view"})
        view.on_value_change(lambda e: self._set(self.view.changed(view=e.value, page=self.view.page)))

    def _controls(self, tag_names: Sequence[str]) -> None:
        filters = self.view.filters
        self._select("type", TYPE_LABELS, list(filters.type), "Type", multiple=True)
        self._select("orientation", ORIENTATIONS, filters.orientation or "", "Orientation")
        self._select("status", STATUSES, filters.status or "", "Status")
        self._select(
            "tag", list(dict.fromkeys([*tag_names, *filters.tag])), list(filters.tag), "Tags", multiple=True
        )
        after = self._date("Uploaded from", _day(filters.uploaded_after), "uploaded-after")
        after.on_value_change(lambda e: self._filter(uploaded_after=_moment(e.value)))
        before = self._date("Uploaded until", _day(filters.uploaded_before, DAY), "uploaded-before")
        before.on_value_change(lambda e: self._filter(uploaded_before=_moment(e.value, DAY)))
        for name, label in FLAGS:
            box = ui.checkbox(label, value=getattr(filters, name)).mark(f"filter-{name}")
            box.props["data-testid"] = f"filter-{name}"
            box.on_value_change(lambda e, name=name: self._filter(**{name: bool(e.value)}))
        clear = ui.button("Clear filters", icon="filter_alt_off", on_click=self._clear).props("flat dense")
        clear.mark("clear-filters").props["data-testid"] = "clear-filters"

    def _select(self, name: str, options: Any, value: Any, label: str, *, multiple: bool = False) -> None:
        field = ui.select(options, value=value, label=label, multiple=multiple, clearable=multiple)
        field.props("outlined dense options-dense" + (" use-chips" if multiple else "")).classes(
            "min-w-[9rem]"
        )
        field.props["data-testid"] = f"filter-{name}"
        field.mark(f"filter-{name}")

        def changed(event: Any) -> Awaitable[None]:
            value = event.value
            if multiple:
                return self._filter(**{name: tuple(value or ())})
            return self._filter(**{name: value or None})

        field.on_value_change(changed)

    def _date(self, label: str, value: str, marker: str) -> ui.input:
        field = ui.input(label, value=value).props("outlined dense type=date stack-label").classes("w-40")
        field.props["data-testid"] = marker
        return field.mark(marker)

    def _toggle_panel(self) -> None:
        self._show_panel(not self.panel.visible)

    def _show_panel(self, shown: bool) -> None:
        self.panel.set_visibility(shown)
        self._toggle.props["aria-expanded"] = str(shown).lower()
        self._toggle.update()

    async def _clear(self) -> None:
        """Every filter off; the folder and the search stay."""
        kept = listing.ItemFilter(q=self.view.filters.q, folder=self.view.filters.folder)
        self.view = self.view.changed(filters=kept)
        self.panel.clear()
        with self.panel:
            self._controls(self._tag_names)
        await self._on_change(self.view)

    async def _filter(self, **changes: Any) -> None:
        await self._set(self.view.filtered(**changes))

    async def _set(self, view: LibraryView) -> None:
        if view == self.view:
            return
        self.view = view
        await self._on_change(view)
