"""Re-making a picture's renditions after an edit, against its first processing (part of `bench.variants`).

Run from the repository root: `.venv/bin/python -m bench.edits` (about 2 minutes on 2 cores with nothing else running). A 24 MP
JPEG (6000 × 4000) goes through the image work of both processing jobs exactly as they call it
(`head_start.process`: its own format's variants and aspect renditions with placeholder and hash; then
every width and aspect in WebP and AVIF, as `delivery` asks), first unedited (the upload), then after
each edit below, from the same untouched original. Rounds are interleaved (one of each per round, in
an order that turns by one each round) so a busy machine slows all alike; the median counts, after a
warm-up. The target: no edit takes longer than the first processing (ratio at most 1.00).

Variants are made by width, so a quarter turn of a landscape photo makes a portrait picture whose
renditions hold more pixels (its `large` is 1600 × 2400, not 1600 × 1067): the first processing of the
same photo uploaded already turned (a 4000 × 6000 JPEG) is shown beside it, the work that picture
costs whichever way it came. For reference, also the first processing without the 16:9 renditions (as
stage 1 made it): what making them for every picture costs.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

from bench import photos
from nexus_core.config import Settings
from nexus_core.media import formats, head_start, processing, renditions
from nexus_core.media.edits import ORIGINAL, Crop, Edits, Flip, FocalPoint

ROUNDS = 5
WIDTH, HEIGHT = 6000, 4000
TARGET = 1.0
FIRST = "first processing (no edits)"
EDITS: dict[str, Edits] = {
    FIRST: ORIGINAL,
    "focal point only": Edits(focal_point=FocalPoint(0.9, 0.9)),
    "crop 4800 × 3200, focal point": Edits(crop=Crop(600, 400, 4800, 3200), focal_point=FocalPoint(0.3, 0.4)),
    "flip horizontal": Edits(flip=Flip(horizontal=True)),
    "rotate 90": Edits(rotate=90),
    "crop, rotate 270, flip, focal point": Edits(
        crop=Crop(0, 0, 5400, 3600), rotate=270, flip=Flip(horizontal=True), focal_point=FocalPoint(0.7, 0.2)
    ),
}
QUARTER_TURNS = {"rotate 90", "crop, rotate 270, flip, focal point"}
TURNED = "first processing of it uploaded turned"
WITHOUT_ASPECTS = "first processing without 16:9 (stage 1)"


def both_jobs(data: bytes, edits: Edits, settings: Settings, *, aspects: bool = True) -> int:
    """The image work of the two jobs for one version; the bytes made."""
    if aspects:
        first = head_start.process(data, formats.JPEG, settings, edits)
    else:
        first = processing.generate_variants(
            data, formats.JPEG, max_pixels=settings.max_image_pixels, describe=True
        )
    names = [*renditions.variant_widths(first.width)]
    if aspects:
        names += renditions.aspect_widths(first.width, first.height)
    second = processing.generate_variants(
        data,
        formats.JPEG,
        max_pixels=settings.max_image_pixels,
        widths={name: renditions.WIDTHS[name] for name in names if name in renditions.WIDTHS},
        aspects=[name for name in names if name in renditions.ASPECT_RENDITIONS],
        outputs=settings.modern_mime_types,
        edits=edits,
    )
    return sum(len(variant.data) for variant in (*first.variants, *second.variants))


def measure(rounds: int = ROUNDS) -> dict[str, list[float]]:
    data = photos.jpeg(WIDTH, HEIGHT)
    turned = bytes(photos.photo(WIDTH, HEIGHT).rot90().jpegsave_buffer(Q=90))
    settings = Settings(modern_formats="webp,avif")
    runs: dict[str, Callable[[], int]] = {
        label: partial(both_jobs, data, edits, settings) for label, edits in EDITS.items()
    }
    runs[TURNED] = partial(both_jobs, turned, ORIGINAL, settings)
    runs[WITHOUT_ASPECTS] = partial(both_jobs, data, ORIGINAL, settings, aspects=False)
    seconds: dict[str, list[float]] = {label: [] for label in runs}
    for run in runs.values():
        run()  # warm-up
    labels = list(runs)
    for round_number in range(rounds):
        print(f"round {round_number + 1}/{rounds} …", file=sys.stderr, flush=True)
        turn = round_number % len(labels)
        for label in labels[turn:] + labels[:turn]:
            start = time.perf_counter()
            runs[label]()
            processing.release_memory()
            seconds[label].append(time.perf_counter() - start)
    return seconds


def report(seconds: dict[str, list[float]]) -> tuple[str, bool]:
    median = {label: statistics.median(values) for label, values in seconds.items()}
    first, turned = median[FIRST], median[TURNED]
    lines = [
        f"A {WIDTH} × {HEIGHT} JPEG, both jobs' image work (own format + WebP + AVIF, variants and 16:9), "
        f"median of {len(seconds[FIRST])} interleaved rounds:",
        f"  {'':42} {'seconds':>8} {'vs first':>9} {'vs turned':>10}",
    ]
    for label, value in median.items():
        against_turned = f"{value / turned:9.2f}x" if label in QUARTER_TURNS else ""
        lines.append(f"  {label:42} {value:8.2f} {value / first:8.2f}x {against_turned}")
    lines.append("Target: re-making after an edit takes no longer than the first processing")
    passed = True
    for label in EDITS:
        if label == FIRST:
            continue
        ratio = median[label] / first
        passed &= ratio <= TARGET
        turned_ratio = (
            f" ({median[label] / turned:.2f}x the photo uploaded turned)" if label in QUARTER_TURNS else ""
        )
        lines.append(f"  {'PASS' if ratio <= TARGET else 'FAIL'}  {label:42} {ratio:.2f}x{turned_ratio}")
    return "\n".join(lines), passed


def main() -> None:
    table, passed = report(measure())
    print(table)
    print(f"\n{'Target met.' if passed else 'Target missed.'}")


if __name__ == "__main__":
    main()
