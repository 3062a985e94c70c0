"""What the library shows — folder, filters, search, sort, grid or list, page — and its URL query,
so a reload or a shared link opens the same view (`?folder=<id>&tag=a,b&sort=-file_size&view=list`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from nexus_core.errors import InvalidParameter
from nexus_core.media import listing

View = Literal["grid", "list"]
VIEWS: tuple[View, ...] = ("grid", "list")
SORT_LABELS = {
    listing.Sort.NEWEST: "Newest first",
    listing.Sort.OLDEST: "Oldest first",
    listing.Sort.NAME: "Name A–Z",
    listing.Sort.NAME_DESCENDING: "Name Z–A",
    listing.Sort.LARGEST: "Largest first",
    listing.Sort.SMALLEST: "Smallest first",
}


@dataclass(frozen=True)
class LibraryView:
    filters: listing.ItemFilter = dataclasses.field(default_factory=listing.ItemFilter)
    sort: listing.Sort = listing.Sort.NEWEST
    view: View = "grid"
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> tuple[LibraryView, str | None]:
        """The view a URL asks for; with what was wrong in it (then that part is left at its default)."""
        problems: list[str] = []
        known = {name: text for name, text in query.items() if name in listing.FILTERS}
        try:
            filters = listing.ItemFilter.parse(known)
        except InvalidParameter as error:
            filters, problems = listing.ItemFilter(), [str(error)]
        try:
            sort = listing.parse_sort(query.get("sort") or listing.Sort.NEWEST)
        except InvalidParameter as error:
            sort = listing.Sort.NEWEST
            problems.append(str(error))
        view: View = "list" if query.get("view") == "list" else "grid"
        page = int(text) if (text := query.get("page", "")).isdigit() and int(text) > 0 else 1
        return cls(filters=filters, sort=sort, view=view, page=page), "; ".join(problems) or None

    def query(self) -> str:
        """The URL query of this view, without what is at its default."""
        params = self.filters.as_params()
        if self.sort != listing.Sort.NEWEST:
            params["sort"] = self.sort.value
        if self.view != "grid":
            params["view"] = self.view
        if self.page > 1:
            params["page"] = str(self.page)
        return urlencode(params, safe=",:")

    def changed(self, **changes: Any) -> LibraryView:
        """A copy with some parts changed; a new folder, filter or sort starts again at page 1."""
        if "page" not in changes:
            changes["page"] = 1
        return dataclasses.replace(self, **changes)

    def filtered(self, **changes: Any) -> LibraryView:
        return self.changed(filters=dataclasses.replace(self.filters, **changes))

    def list_arguments(self, page_size: int) -> dict[str, Any]:
        """The list_items arguments for this view's page."""
        return {
            "filters": self.filters,
            "sort": self.sort,
            "limit": page_size,
            "offset": (self.page - 1) * page_size,
        }
