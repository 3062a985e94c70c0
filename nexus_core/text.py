"""Checks on text that people send, shared by every use case that stores it."""

from __future__ import annotations

from nexus_core.errors import InvalidInput


def require_storable(text: str, what: str) -> str:
    """`text`, unless it holds a lone UTF-16 surrogate.

    JSON (`"\\ud800"`) and JavaScript strings can carry one, but no UTF-8 encoder, database or JSON
    answer can: refused here, it is a message for the person instead of a server error later.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidInput(
            f"{what} contains an invalid character (a lone surrogate, at position {error.start + 1})."
        ) from None
    return text
