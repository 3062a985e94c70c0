"""Checks on text that people send, shared by every use case that stores or looks up text."""

from __future__ import annotations

from nexus_core.errors import InvalidInput


def require_storable(text: str, what: str) -> str:
    """`text`, unless it holds a lone UTF-16 surrogate or a NUL character.

    JSON (`"\\ud800"`, `"\\u0000"`) and JavaScript strings can carry both, but no UTF-8 encoder can
    write a lone surrogate and PostgreSQL's text columns cannot hold NUL: refused here, either is a
    message for the person instead of a server error later (on one database and not the other).
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidInput(
            f"{what} contains an invalid character (a lone surrogate, at position {error.start + 1})."
        ) from None
    if "\x00" in text:
        raise InvalidInput(
            f"{what} contains an invalid character (NUL, at position {text.index(chr(0)) + 1})."
        )
    return text


def require_storable_document(document: object, what: str) -> None:
    """require_storable on every key and string inside a JSON document (walked without recursion)."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            require_storable(value, what)
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
