"""Pictures for the demo library, drawn rather than shipped: sky, sun, layered hills and a little grain.

Drawing is not image processing, so it lives here with pyvips of its own instead of in
`nexus_core.media.processing`; the library's code never calls it.
"""

from __future__ import annotations

import pyvips

_SCENES = (
    # sky top, sky at the horizon, sun, three hills from far to near
    ((46, 64, 128), (250, 170, 120), (255, 226, 160), (120, 96, 140), (84, 70, 110), (44, 40, 72)),
    ((90, 160, 220), (200, 230, 250), (255, 250, 220), (120, 170, 120), (70, 130, 80), (36, 90, 56)),
    ((18, 24, 60), (70, 60, 130), (240, 240, 255), (60, 60, 110), (40, 40, 84), (20, 20, 50)),
    ((120, 190, 230), (240, 220, 170), (255, 240, 190), (210, 170, 110), (190, 140, 80), (150, 100, 60)),
)


def sample_photo(width: int, height: int, *, seed: int = 0) -> bytes:
    """A JPEG landscape, one of a few scenes picked by `seed`, so the demo library looks alive."""
    sky_top, sky_bottom, sun, *hills = _SCENES[seed % len(_SCENES)]
    x, y = pyvips.Image.xyz(width, height).bandsplit()
    depth = (y / height).bandjoin([y / height, y / height])
    scene = depth.linear([b - t for t, b in zip(sky_top, sky_bottom, strict=True)], list(sky_top))
    sun_x, sun_y = width * (0.25 + 0.5 * ((seed * 37) % 10) / 10), height * 0.35
    distance = ((x - sun_x) ** 2 + (y - sun_y) ** 2) ** 0.5
    scene = (distance < min(width, height) * 0.08).ifthenelse(list(sun), scene)
    for layer, colour in enumerate(hills):
        horizon = height * (0.55 + 0.12 * layer) + height * 0.06 * (
            (x * (0.2 + 0.1 * layer) + 47 * seed).sin()
        )
        scene = (y > horizon).ifthenelse(list(colour), scene)
    grain = pyvips.Image.gaussnoise(width, height, sigma=3, mean=0, seed=seed)
    photo = (scene + grain).cast("uchar").copy(interpretation="srgb")
    return bytes(photo.jpegsave_buffer(Q=88, keep="none"))
