"""The renditions of an edited picture and the aspect renditions of any picture, with pyvips: cut from
the upright original, turned and flipped as its edits say (media/edits.py), resized and encoded.

One decode (`decode`) serves every rendition in every format: shrunk on load as far as the most
demanding one allows (not at all when the picture is wanted at its full size), turned upright, held in
memory. Each frame (the whole edited picture, each aspect box) is cut from it once; its widths are
resized widest first, each from the next wider, and turned after resizing (a quarter turn or a flip
moves pixels without changing them, so it is cheapest on the smallest image). Encoders run in threads
while the next width is resized, as in processing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyvips

from nexus_core.media import pixels, renditions
from nexus_core.media.edits import Box, Edits
from nexus_core.media.pixels import Description, ImageInfo, Variant

DESCRIPTION_WIDTH = 300
"""The picture described (placeholder, perceptual hash) when no variant is that small."""


@dataclass(frozen=True)
class Frame:
    """A box of the upright original and the sizes (displayed, after turning) it is rendered at."""

    box: Box
    sizes: Mapping[str, tuple[int, int]]


@dataclass(frozen=True)
class Framed:
    width: int
    height: int
    variants: tuple[Variant, ...]
    description: Description | None


def plan(
    info: ImageInfo,
    edits: Edits,
    widths: Mapping[str, int],
    aspects: Mapping[str, Any],
    *,
    full: bool = False,
) -> tuple[Frame, ...]:
    """The whole edited picture at its variant widths (with `full`, and edits that change its pixels, also
    at its own size: renditions.FULL), then each aspect's box at its widths."""
    picture_width, picture_height = edits.picture_size(info.width, info.height)
    whole = edits.source_box(info.width, info.height, Box(0, 0, picture_width, picture_height))
    sizes = {
        name: (width, max(1, round(picture_height * width / picture_width)))
        for name, width in renditions.variant_widths(picture_width, candidates=widths).items()
    }
    if full and edits.reshapes:
        sizes[renditions.FULL] = (picture_width, picture_height)
    frames = [Frame(whole, sizes)]
    made = renditions.aspect_widths(picture_width, picture_height, candidates=aspects)
    for aspect in renditions.ASPECTS:
        sizes = {name: (r.width, aspect.height_at(r.width)) for name, r in made.items() if r.aspect == aspect}
        if sizes:
            box = edits.aspect_box(info.width, info.height, aspect)
            frames.append(Frame(edits.source_box(info.width, info.height, box), sizes))
    return tuple(frames)


def render(
    working: pyvips.Image,
    info: ImageInfo,
    edits: Edits,
    frames: tuple[Frame, ...],
    kernel: str,
    options: Mapping[str, Mapping[str, Any]],
    describe: bool,
) -> Framed:
    """Every frame at every size in each output format (`options`: MIME type → save options), cut from
    the `working` image (see `decode`), which it leaves as it is: the second job's formats can be
    rendered from the same one."""
    turned = edits.rotate in (90, 270)
    scale_x, scale_y = working.width / info.width, working.height / info.height
    encoded: list[Future[Variant]] = []
    description = None
    workers = max(1, min(sum(len(frame.sizes) for frame in frames) * len(options), os.cpu_count() or 1))
    whole_at: dict[int, pyvips.Image] = {}  # the whole picture resized, by stored width (not turned yet)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for index, frame in enumerate(frames):
            image = _cut(working, frame.box, scale_x, scale_y)
            for name, (width, height) in sorted(frame.sizes.items(), key=lambda pair: -pair[1][0]):
                stored = (height, width) if turned else (width, height)
                across = None if index == 0 or turned else _across(frames[0].box, frame.box, whole_at, stored)
                if across is not None:
                    image = across.crop(*_spot(frames[0].box, frame.box, across, stored))
                elif (image.width, image.height) != stored:  # FULL is the cut itself
                    image = pixels.resize(image, *stored, kernel).copy_memory()
                if index == 0:
                    whole_at[image.width] = image
                shown = _turn(image, edits, readers=len(options))
                for output in sorted(options, key=pixels.encoding_order):
                    encoded.append(pool.submit(pixels.encode, name, shown, output, options[output], 1))
            if index == 0 and describe:
                description = Description.of(_turn(_small(image, turned, kernel), edits, readers=2))
        variants = tuple(future.result() for future in encoded)
    picture_width, picture_height = edits.picture_size(info.width, info.height)
    return Framed(picture_width, picture_height, variants, description)


def decode(
    data: pixels.Readable, header: pyvips.Image, info: ImageInfo, edits: Edits, frames: tuple[Frame, ...]
) -> pyvips.Image:
    """The working image: the upright original in memory, shrunk on load as far as every frame's widest
    size allows."""
    turned = edits.rotate in (90, 270)
    room = min(
        (
            min(
                frame.box.width / (height if turned else width),
                frame.box.height / (width if turned else height),
            )
            for frame in frames
            for width, height in frame.sizes.values()
        ),
        default=1.0,
    )
    shrink = next((factor for factor in (8, 4, 2) if factor <= room), 1)
    image = pixels.open_image(data, pixels.fail_on(header), **pixels.load_options(header, shrink))
    image = image.copy_memory()
    return image.autorot().copy_memory() if pixels.orientation(header) != 1 else image


def _across(
    whole: Box, box: Box, whole_at: Mapping[int, pyvips.Image], stored: tuple[int, int]
) -> pyvips.Image | None:
    """The whole picture already resized to this width, when a frame spans all of its width (an aspect box
    of a picture taller than the aspect, as most photographs are for 16:9): the frame is then a strip of
    it, cut without resizing again."""
    width, height = stored
    resized = whole_at.get(width)
    if resized is None or box.left != whole.left or box.width != whole.width or resized.height < height:
        return None
    return resized


def _spot(whole: Box, box: Box, resized: pyvips.Image, stored: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where the frame's strip lies in the whole picture resized (left, top, width, height)."""
    width, height = stored
    top = round((box.top - whole.top) * resized.width / whole.width)
    return 0, min(max(top, 0), resized.height - height), width, height


def _cut(image: pyvips.Image, box: Box, scale_x: float, scale_y: float) -> pyvips.Image:
    left = min(max(round(box.left * scale_x), 0), image.width - 1)
    top = min(max(round(box.top * scale_y), 0), image.height - 1)
    right = min(max(round((box.left + box.width) * scale_x), left + 1), image.width)
    bottom = min(max(round((box.top + box.height) * scale_y), top + 1), image.height)
    if (left, top, right, bottom) == (0, 0, image.width, image.height):
        return image
    return image.crop(left, top, right - left, bottom - top)


def _turn(image: pyvips.Image, edits: Edits, readers: int = 1) -> pyvips.Image:
    """Rotated clockwise, then mirrored, as the edits say: for several `readers` (encoders), in memory,
    once, so that each reads plain pixels; for one, lazily, which spares a copy (40–55 ms for a 24 MP
    picture at its full size)."""
    turned = image
    if edits.rotate:
        turned = turned.rot(f"d{edits.rotate}")
    if edits.flip.horizontal:
        turned = turned.flip("horizontal")
    if edits.flip.vertical:
        turned = turned.flip("vertical")
    return turned.copy_memory() if turned is not image and readers > 1 else turned


def _small(image: pyvips.Image, turned: bool, kernel: str) -> pyvips.Image:
    """The frame's smallest image, or one DESCRIPTION_WIDTH wide when even that is larger (a picture
    narrower than every variant)."""
    shown_width = image.height if turned else image.width
    if shown_width <= DESCRIPTION_WIDTH:
        return image
    factor = DESCRIPTION_WIDTH / shown_width
    return pixels.resize(
        image, max(1, round(image.width * factor)), max(1, round(image.height * factor)), kernel
    ).copy_memory()
