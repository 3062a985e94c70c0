"""The list's `filter[…]` and `sort` query parameters, declared one by one so that the OpenAPI
document describes each and JsonApiRoute refuses any other."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from nexus_core.media import listing
from nexus_core.models import MediaStatus

NO_NUL = r"^[^\x00]*$"
"""A search with NUL is a bad parameter (400) here; PostgreSQL could not even compare it."""
FILTER = "filter[{}]"
BOOLEAN = r"^(true|false)$"
_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
UUID_PATTERN = f"^{_UUID}$"
UUID_OR_ROOT = f"^(root|{_UUID})$"
TAG_LIST = r"^[^\x00,]{0,50}(,[^\x00,]{0,50}){0,19}$"
_TYPE = "(" + "|".join(listing.TYPES) + ")"
TYPE_LIST = f"^{_TYPE}(,{_TYPE})*$"
DATE_TIME = {"format": "date-time"}


def item_filter(
    q: Annotated[
        str | None,
        Query(
            alias="filter[q]",
            max_length=listing.MAX_SEARCH_LENGTH,
            pattern=NO_NUL,
            description="In filename or alt text.",
        ),
    ] = None,
    status: Annotated[MediaStatus | None, Query(alias="filter[status]")] = None,
    folder: Annotated[
        str | None,
        Query(
            alias="filter[folder]",
            pattern=UUID_OR_ROOT,
            description="A folder's id (its direct children), or `root`.",
        ),
    ] = None,
    tag: Annotated[
        str | None,
        Query(
            alias="filter[tag]",
            pattern=TAG_LIST,
            description="Comma-separated (at most 20); carries all of them.",
        ),
    ] = None,
    type_: Annotated[
        str | None,
        Query(
            alias="filter[type]",
            pattern=TYPE_LIST,
            description=f"Comma-separated, any of: {', '.join(listing.TYPES)}.",
        ),
    ] = None,
    orientation: Annotated[listing.Orientation | None, Query(alias="filter[orientation]")] = None,
    missing_alt: Annotated[
        str | None, Query(alias="filter[missing_alt]", pattern=BOOLEAN, description="No alt text.")
    ] = None,
    unused: Annotated[
        str | None, Query(alias="filter[unused]", pattern=BOOLEAN, description="Used by no page.")
    ] = None,
    duplicates: Annotated[
        str | None,
        Query(
            alias="filter[duplicates]",
            pattern=BOOLEAN,
            description="Shares its bytes or nearly its picture with another item.",
        ),
    ] = None,
    similar_to: Annotated[
        str | None,
        Query(
            alias="filter[similar_to]",
            pattern=UUID_PATTERN,
            description="An image's id: its near duplicates by perceptual hash, nearest first.",
        ),
    ] = None,
    uploaded_after: Annotated[
        str | None,
        Query(
            alias="filter[uploaded_after]",
            description="ISO 8601 date and time (UTC unless it says), or a date; inclusive.",
            json_schema_extra=DATE_TIME,
        ),
    ] = None,
    uploaded_before: Annotated[
        str | None,
        Query(
            alias="filter[uploaded_before]",
            description="ISO 8601 date and time (UTC unless it says), or a date; exclusive.",
            json_schema_extra=DATE_TIME,
        ),
    ] = None,
) -> listing.ItemFilter:
    given = {
        "q": q,
        "status": status,
        "folder": folder,
        "tag": tag,
        "type": type_,
        "orientation": orientation,
        "missing_alt": missing_alt,
        "unused": unused,
        "duplicates": duplicates,
        "similar_to": similar_to,
        "uploaded_after": uploaded_after,
        "uploaded_before": uploaded_before,
    }
    text = {name: str(value) for name, value in given.items() if value is not None}
    return listing.ItemFilter.parse(text, parameter=FILTER)


def item_sort(sort: Annotated[listing.Sort, Query(alias="sort")] = listing.Sort.NEWEST) -> listing.Sort:
    return sort
