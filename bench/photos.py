"""Pictures for the benchmarks.

`photo`: soft colour patches, gradients, texture and grain, the stage-1 variant benchmark's inputs
(kept, so its figures stay comparable). `natural`: a photograph's statistics rather than its content,
for the quality and upload measurements: no photographs can be downloaded here, so it draws detail whose
strength falls with its size (a 1/f spectrum, summed over octaves), hard anti-aliased edges between
shapes, and sensor grain at the pixel level, which a downscale averages away. With the default grain a
24 MP `natural` picture is about 10 MB as a quality-95 JPEG; `grain=6` gives the ~16 MB of a camera's
high-quality JPEG.
"""

from __future__ import annotations

import pyvips

_COARSEST = 1024
"""Largest octave, in pixels of the full picture; each finer octave is half as strong."""
_FINEST = 8
_STRENGTH = 60.0
"""Standard deviation of the coarsest octave, in 8-bit levels."""
_SHAPES = ((256, 0.3, (60, 10, -40)), (128, 0.8, (-40, -60, -80)))
"""Layers of shapes: feature size in pixels, threshold of a smooth field (higher: fewer shapes), and
what each adds to red, green and blue."""


def natural(width: int, height: int, *, seed: int = 0, grain: float = 3.0) -> pyvips.Image:
    """An 8-bit sRGB picture in memory with a photograph's statistics (see the module's docstring)."""
    shapes = [
        _shape_mask(width, height, size, threshold, seed + index)
        for index, (size, threshold, _) in enumerate(_SHAPES)
    ]
    channels = []
    for band in range(3):
        picture = _octaves(width, height, seed=seed + 10 * band) + (110 + 30 * band)
        for mask, (_, _, colour) in zip(shapes, _SHAPES, strict=True):
            picture = picture + mask * colour[band]
        noise = pyvips.Image.gaussnoise(width, height, sigma=grain, mean=0, seed=seed + 50 + band)
        channels.append((picture + noise).cast("uchar"))
    return channels[0].bandjoin(channels[1:]).copy(interpretation="srgb").copy_memory()


def _octaves(width: int, height: int, *, seed: int) -> pyvips.Image:
    """Soft structure with a 1/f spectrum, summed at a quarter of the size and enlarged once."""
    quarter_width, quarter_height = -(-width // 4), -(-height // 4)
    total = pyvips.Image.black(quarter_width, quarter_height)
    scale = _COARSEST
    while scale >= _FINEST:
        step = scale // 4
        octave = pyvips.Image.gaussnoise(
            quarter_width // step + 3,
            quarter_height // step + 3,
            sigma=_STRENGTH * scale / _COARSEST,
            mean=0,
            seed=seed + scale.bit_length(),
        )
        total = total + octave.resize(step, kernel="cubic").crop(0, 0, quarter_width, quarter_height)
        scale //= 2
    return total.resize(4, kernel="cubic").crop(0, 0, width, height)


def _shape_mask(width: int, height: int, size: int, threshold: float, seed: int) -> pyvips.Image:
    """1 inside the shapes, 0 outside, with edges one pixel soft."""
    field = pyvips.Image.gaussnoise(width // size + 2, height // size + 2, sigma=1, mean=0, seed=seed + 100)
    field = field.resize(size, kernel="cubic").crop(0, 0, width, height)
    return ((field > threshold) / 255).gaussblur(1.0)


def photo(width: int, height: int, *, seed: int = 0) -> pyvips.Image:
    """An sRGB picture that compresses like a photograph (about 2.3 bits per pixel as a Q90 JPEG)."""
    x, y = pyvips.Image.xyz(width, height).bandsplit()
    channels = []
    for band in range(3):
        patches = pyvips.Image.gaussnoise(
            width // 64 + 2, height // 64 + 2, sigma=40, mean=128, seed=seed + band
        )
        patches = patches.resize(64, kernel="cubic").crop(0, 0, width, height)
        texture = pyvips.Image.gaussnoise(
            width // 8 + 2, height // 8 + 2, sigma=12, mean=0, seed=seed + 10 + band
        )
        texture = texture.resize(8, kernel="linear").crop(0, 0, width, height)
        grain = pyvips.Image.gaussnoise(width, height, sigma=4, mean=0, seed=seed + 20 + band)
        gradient = x * ((60 + 30 * band) / width) + y * ((80 - 25 * band) / height)
        channels.append((patches * 0.6 + gradient + texture + grain).cast("uchar"))
    return channels[0].bandjoin(channels[1:]).copy(interpretation="srgb").copy_memory()


def jpeg(width: int, height: int, *, seed: int = 0) -> bytes:
    return bytes(photo(width, height, seed=seed).jpegsave_buffer(Q=90))


def png(width: int, height: int, *, seed: int = 0) -> bytes:
    return bytes(photo(width, height, seed=seed).pngsave_buffer())


def webp(width: int, height: int, *, seed: int = 0) -> bytes:
    return bytes(photo(width, height, seed=seed).webpsave_buffer(Q=90))


def natural_jpeg(width: int, height: int, *, seed: int = 0, quality: int = 95, grain: float = 3.0) -> bytes:
    return bytes(natural(width, height, seed=seed, grain=grain).jpegsave_buffer(Q=quality))
