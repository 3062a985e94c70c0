"""GIF block structure, shared by the completeness check and the metadata stripper."""

from __future__ import annotations


def colour_table_size(flags: int) -> int:
    """Bytes of the colour table that the packed `flags` of a screen or image descriptor announce."""
    return 3 * (2 << (flags & 0x07)) if flags & 0x80 else 0


def skip_sub_blocks(data: bytes, position: int) -> int:
    """The position after a chain of sub-blocks (which ends with an empty one), or the end of `data`."""
    while position < len(data):
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
    return len(data)
