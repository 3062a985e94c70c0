"""Perceptual hash of a picture: a 64-bit difference hash (dHash), so near duplicates are a few bits apart.

The picture (upright: the processing job hashes the smallest picture it decoded) is reduced, its alpha flattened onto white, made grey and slightly blurred,
then reduced to 9 × 8 pixels; each bit says whether a pixel is brighter than its right-hand neighbour.
Re-encoding and resizing change a few bits, a crop of 5 % off one side usually at most a dozen (the blur,
a third of a cell, keeps edges that a crop shifts from flipping bits); a different picture about half.
"""

from __future__ import annotations

from array import array

import pyvips

from nexus_core.errors import ImageError

HASH_BITS = 64
_COLUMNS, _ROWS = 9, 8
_OVERSAMPLE = 10
_BLUR_SIGMA = 3.0
"""In pixels of the oversampled picture: 0.3 of a cell."""
_UNSIGNED = (1 << HASH_BITS) - 1
CLEAR_STEP = 2.0
"""A step in brightness (of 255) between neighbours that noise and re-encoding do not turn around."""
MIN_CLEAR_EACH_WAY = 8
"""Clear steps up and clear steps down a picture needs for its hash to mean anything. A flat picture
would hash to (nearly) all zeros and a plain gradient to all ones or zeros, matching every other one."""


def difference_hash(image: pyvips.Image) -> int | None:
    """The dHash as a signed 64-bit integer (it fits a BIGINT), or None for a picture without texture."""
    steps = _steps(_grey_cells(image))
    rises = sum(step > CLEAR_STEP for step in steps)
    falls = sum(step < -CLEAR_STEP for step in steps)
    if min(rises, falls) < MIN_CLEAR_EACH_WAY:
        return None
    unsigned = sum(1 << bit for bit, step in enumerate(steps) if step > 0)
    return unsigned - (1 << HASH_BITS) if unsigned >> (HASH_BITS - 1) else unsigned


def hamming_distance(first: int, second: int) -> int:
    """How many of the 64 bits differ (signed or unsigned forms alike)."""
    return ((first ^ second) & _UNSIGNED).bit_count()


def _grey_cells(image: pyvips.Image) -> array[float]:
    """The picture's brightness in 9 × 8 cells, row by row."""
    try:
        image = image.thumbnail_image(_COLUMNS * _OVERSAMPLE, height=_ROWS * _OVERSAMPLE, size="force")
        if image.hasalpha():
            image = image.flatten(background=[255] * (image.bands - 1))
        grey = image.colourspace("b-w")[0].gaussblur(_BLUR_SIGMA).resize(1 / _OVERSAMPLE)
        cells = array("d")
        cells.frombytes(grey.cast("double").write_to_memory())
    except pyvips.Error as error:
        raise ImageError("The image could not be read to compare it with others.") from error
    return cells


def _steps(cells: array[float]) -> list[float]:
    """Each cell's brightness minus its right-hand neighbour's: 8 per row."""
    return [
        cells[row * _COLUMNS + column] - cells[row * _COLUMNS + column + 1]
        for row in range(_ROWS)
        for column in range(_COLUMNS - 1)
    ]
