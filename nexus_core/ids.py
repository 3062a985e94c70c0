"""Ids as callers give them (a URL segment, a form field, a document): text that is no UUID names
nothing, so it is the same NotFound as an id that names nothing here."""

from __future__ import annotations

from uuid import UUID

from nexus_core.errors import NotFound


def parse_id(value: UUID | str, missing: str) -> UUID:
    """The UUID in `value`; NotFound(`missing`) when it holds none."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(missing) from None
