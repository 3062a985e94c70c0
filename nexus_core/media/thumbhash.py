"""ThumbHash (Evan Wallace's reference algorithm, github.com/evanw/thumbhash): a picture's colours, alpha
and aspect ratio in about 25 bytes, which a front end decodes into a blurred placeholder.

Ported from the reference JavaScript (MIT). PyPI's `thumbhash` 0.1.2 (its only release) fails on every
image with transparency (an operator-precedence slip in its alpha channel), hence this module. The
tests hold it to hashes made by the reference's npm package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_SIDE = 100


def _round(value: float) -> int:
    """JavaScript's Math.round (halves up), which the reference uses; Python's round() halves to even."""
    return math.floor(value + 0.5)


def encode(width: int, height: int, rgba: bytes | Sequence[int]) -> bytes:
    """The ThumbHash of an image of at most 100 × 100 pixels, RGBA row by row, not premultiplied."""
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE) or len(rgba) != width * height * 4:
        raise ValueError(f"a ThumbHash needs 1-{MAX_SIDE} × 1-{MAX_SIDE} RGBA pixels, not {width} × {height}")
    pixels = width * height
    alphas = [rgba[index * 4 + 3] / 255 for index in range(pixels)]
    total_alpha = sum(alphas)
    average = [
        sum(alphas[index] / 255 * rgba[index * 4 + band] for index in range(pixels)) / (total_alpha or 1)
        for band in range(3)
    ]
    has_alpha = total_alpha < pixels
    limit = 5 if has_alpha else 7
    lx = max(1, _round(limit * width / max(width, height)))
    ly = max(1, _round(limit * height / max(width, height)))
    luminance, yellow_blue, red_green = [], [], []
    for index, alpha in enumerate(alphas):  # composite atop the average colour
        r, g, b = (average[band] * (1 - alpha) + alpha / 255 * rgba[index * 4 + band] for band in range(3))
        luminance.append((r + g + b) / 3)
        yellow_blue.append((r + g) / 2 - b)
        red_green.append(r - g)

    def channel(values: list[float], nx: int, ny: int) -> tuple[float, list[float], float]:
        dc, ac, scale = 0.0, [], 0.0
        for cy in range(ny):
            fy = [math.cos(math.pi / height * cy * (y + 0.5)) for y in range(height)]
            cx = 0
            while cx * ny < nx * (ny - cy):
                fx = [math.cos(math.pi / width * cx * (x + 0.5)) for x in range(width)]
                factor = (
                    sum(values[x + y * width] * fx[x] * fy[y] for y in range(height) for x in range(width))
                    / pixels
                )
                if cx or cy:
                    ac.append(factor)
                    scale = max(scale, abs(factor))
                else:
                    dc = factor
                cx += 1
        return dc, [0.5 + 0.5 / scale * factor for factor in ac] if scale else ac, scale

    l_dc, l_ac, l_scale = channel(luminance, max(3, lx), max(3, ly))
    p_dc, p_ac, p_scale = channel(yellow_blue, 3, 3)
    q_dc, q_ac, q_scale = channel(red_green, 3, 3)
    landscape = width > height
    header24 = (
        _round(63 * l_dc)
        | (_round(31.5 + 31.5 * p_dc) << 6)
        | (_round(31.5 + 31.5 * q_dc) << 12)
        | (_round(31 * l_scale) << 18)
        | (has_alpha << 23)
    )
    header16 = (ly if landscape else lx) | (_round(63 * p_scale) << 3) | (_round(63 * q_scale) << 9)
    header16 |= landscape << 15
    hash_bytes = [header24 & 255, (header24 >> 8) & 255, header24 >> 16, header16 & 255, header16 >> 8]
    factors = [*l_ac, *p_ac, *q_ac]
    if has_alpha:
        a_dc, a_ac, a_scale = channel(alphas, 5, 5)
        hash_bytes.append(_round(15 * a_dc) | (_round(15 * a_scale) << 4))
        factors += a_ac
    nibbles = [_round(15 * factor) for factor in factors]
    nibbles += [0] * (len(nibbles) % 2)
    hash_bytes += [low | (high << 4) for low, high in zip(nibbles[::2], nibbles[1::2], strict=True)]
    return bytes(hash_bytes)


def approximate_aspect_ratio(thumbhash: bytes) -> float:
    """Width / height as the hash records it (a few sevenths of precision)."""
    has_alpha, landscape, short_side = thumbhash[2] & 0x80, thumbhash[4] & 0x80, thumbhash[3] & 7
    long_side = 5 if has_alpha else 7
    return long_side / short_side if landscape else short_side / long_side
