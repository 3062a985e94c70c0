"""Photographic test pictures for the benchmark: soft colour patches, gradients, texture and grain."""

from __future__ import annotations

import pyvips


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
