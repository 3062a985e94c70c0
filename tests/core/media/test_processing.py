"""generate_variants and probe on real images: what a person uploading or viewing them would notice."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import pyvips

from nexus_core.errors import ImageError
from nexus_core.media import renditions
from nexus_core.media.pixels import ImageInfo, probe
from nexus_core.media.processing import generate_variants
from tests import images

MAX_PIXELS = 100_000_000
MAGIC = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/gif": b"GIF8",
    "image/webp": b"RIFF",
    "image/avif": b"ftypavif",
}


def opened(data: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "")


@pytest.mark.parametrize(
    ("make", "mime_type", "expected"),
    [
        (
            lambda: images.jpeg(2000, 1000),
            "image/jpeg",
            {"thumb": (300, 150), "medium": (800, 400), "large": (1600, 800)},
        ),
        (
            lambda: images.png(2000, 1000),
            "image/png",
            {"thumb": (300, 150), "medium": (800, 400), "large": (1600, 800)},
        ),
        (lambda: images.webp(1000, 500), "image/webp", {"thumb": (300, 150), "medium": (800, 400)}),
        (lambda: images.avif(900, 450), "image/avif", {"thumb": (300, 150), "medium": (800, 400)}),
        (lambda: images.gif(320, 160), "image/gif", {"thumb": (300, 150)}),
    ],
    ids=["jpeg", "png", "webp", "avif", "gif"],
)
def test_variants_have_the_named_widths_keep_the_aspect_ratio_and_the_format(
    make: Callable[[], bytes], mime_type: str, expected: dict[str, tuple[int, int]]
) -> None:
    data = make()

    result = generate_variants(data, mime_type, max_pixels=MAX_PIXELS)

    assert {variant.name: (variant.width, variant.height) for variant in result.variants} == expected
    for variant in result.variants:
        assert MAGIC[mime_type] in variant.data[:12]
        decoded = opened(variant.data)
        assert (decoded.width, decoded.height) == (variant.width, variant.height)
        assert decoded.get("vips-loader") == opened(data).get("vips-loader")


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (200, []),
        (300, []),
        (301, ["thumb"]),
        (800, ["thumb"]),
        (801, ["thumb", "medium"]),
        (1600, ["thumb", "medium"]),
        (1601, ["thumb", "medium", "large"]),
    ],
)
def test_only_variants_narrower_than_the_original_are_made(width: int, expected: list[str]) -> None:
    result = generate_variants(images.jpeg(width, 200), "image/jpeg", max_pixels=MAX_PIXELS)

    assert [variant.name for variant in result.variants] == expected
    assert (result.width, result.height) == (width, 200)


def test_widths_default_to_thumb_medium_and_large() -> None:
    assert dict(renditions.WIDTHS) == {"thumb": 300, "medium": 800, "large": 1600}


def test_png_with_transparency_keeps_it() -> None:
    result = generate_variants(images.png(1000, 500, alpha=True), "image/png", max_pixels=MAX_PIXELS)

    assert all(opened(variant.data).hasalpha() for variant in result.variants)


def test_animated_gif_variants_keep_every_frame_and_delay() -> None:
    data = images.gif(320, 240, frames=3)

    result = generate_variants(data, "image/gif", max_pixels=MAX_PIXELS)

    assert probe(data, max_pixels=MAX_PIXELS) == ImageInfo(width=320, height=240, pages=3)
    (thumb,) = result.variants
    animation = pyvips.Image.new_from_buffer(thumb.data, "", n=-1)
    assert (animation.get("n-pages"), animation.get("page-height"), animation.width) == (3, 225, 300)
    assert animation.get("delay") == [100, 100, 100]


def test_exif_orientation_is_applied_to_the_size_and_the_variants() -> None:
    data = images.jpeg_dark_left(1200, 800, orientation=6)  # shown turned a quarter clockwise

    result = generate_variants(data, "image/jpeg", max_pixels=MAX_PIXELS)

    assert (result.width, result.height) == (800, 1200)
    assert probe(data, max_pixels=MAX_PIXELS) == ImageInfo(width=800, height=1200, pages=1)
    (thumb,) = result.variants
    upright = opened(thumb.data)
    assert (thumb.width, thumb.height, upright.width, upright.height) == (300, 450, 300, 450)
    assert upright.get_typeof("orientation") == 0 or upright.get("orientation") == 1
    top, bottom = upright.crop(0, 0, 300, 100).avg(), upright.crop(0, 350, 300, 100).avg()
    assert top < 40 < 200 < bottom  # the stored left half (dark) is on top once turned


def test_variants_carry_no_camera_or_location_metadata() -> None:
    data = images.jpeg_with_camera_exif(1200, 800)
    assert "exif-ifd3-GPSLatitude" in opened(data).get_fields()

    result = generate_variants(data, "image/jpeg", max_pixels=MAX_PIXELS)

    for variant in result.variants:
        fields = opened(variant.data).get_fields()
        assert "exif-data" not in fields
        assert not [name for name in fields if "GPS" in name or name.startswith("exif-ifd0-M")]


def test_svg_gets_no_variants_and_its_declared_size() -> None:
    data = images.svg(1200, 900)

    result = generate_variants(data, "image/svg+xml", max_pixels=MAX_PIXELS)

    assert (result.width, result.height, result.variants) == (1200, 900, ())
    assert probe(data, max_pixels=MAX_PIXELS) == ImageInfo(width=1200, height=900, pages=1)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: images.jpeg(640, 480), ImageInfo(640, 480, 1)),
        (lambda: images.png(320, 200, alpha=True), ImageInfo(320, 200, 1)),
        (lambda: images.webp(300, 301), ImageInfo(300, 301, 1)),
        (lambda: images.avif(64, 48), ImageInfo(64, 48, 1)),
        (lambda: images.gif(50, 40, frames=4), ImageInfo(50, 40, 4)),
        (lambda: images.jpeg(640, 480, orientation=8), ImageInfo(480, 640, 1)),
        (lambda: images.jpeg(640, 480, orientation=3), ImageInfo(640, 480, 1)),
    ],
    ids=["jpeg", "png", "webp", "avif", "animated-gif", "jpeg-turned-8", "jpeg-upside-down"],
)
def test_probe_reads_the_displayed_size(make: Callable[[], bytes], expected: ImageInfo) -> None:
    assert probe(make(), max_pixels=MAX_PIXELS) == expected


@pytest.mark.parametrize(
    ("data", "mime_type"),
    [
        (images.truncated(images.jpeg(1200, 800)), "image/jpeg"),
        (images.truncated(images.png(1000, 700)), "image/png"),
        (images.truncated(images.jpeg(1200, 800), keep=0.3) + b"\xff\xd9", "image/jpeg"),
        (images.truncated(images.jpeg(200, 100), keep=0.6), "image/jpeg"),
    ],
    ids=["jpeg", "png", "jpeg-cut-short-but-closed", "small-jpeg-without-variants"],
)
def test_damaged_image_is_refused_with_a_reason(data: bytes, mime_type: str) -> None:
    with pytest.raises(ImageError, match="damaged or incomplete"):
        generate_variants(data, mime_type, max_pixels=MAX_PIXELS)


@pytest.mark.parametrize(
    "data", [b"", b"not an image at all", bytes(range(256)) * 40], ids=["empty", "text", "noise"]
)
def test_bytes_that_are_no_image_are_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(ImageError, match="not an image"):
        probe(data, max_pixels=MAX_PIXELS)
    with pytest.raises(ImageError, match="not an image"):
        generate_variants(data, "image/png", max_pixels=MAX_PIXELS)


@pytest.mark.parametrize(
    "check", [probe, lambda data, max_pixels: generate_variants(data, "image/png", max_pixels=max_pixels)]
)
def test_decompression_bomb_is_refused_quickly(check: Callable[..., object]) -> None:
    bomb = images.png_bomb(50_000, 50_000)
    started = time.perf_counter()

    with pytest.raises(ImageError, match="too large: 50000 × 50000 pixels; the limit is 100 megapixels"):
        check(bomb, max_pixels=MAX_PIXELS)

    assert time.perf_counter() - started < 0.5


def test_animation_counts_every_frame_against_the_limit() -> None:
    with pytest.raises(ImageError, match="in 4 frames"):
        probe(images.gif(100, 100, frames=4), max_pixels=30_000)


@pytest.mark.parametrize(
    ("make", "mime_type"),
    [
        (lambda: images.jpeg(1700, 900, orientation=6), "image/jpeg"),
        (lambda: images.png(900, 600, alpha=True), "image/png"),
        (lambda: images.webp(900, 600), "image/webp"),
        (lambda: images.avif(400, 300), "image/avif"),
        (lambda: images.gif(320, 240, frames=2), "image/gif"),
    ],
    ids=["jpeg", "png", "webp", "avif", "gif"],
)
def test_processing_twice_gives_the_same_bytes(make: Callable[[], bytes], mime_type: str) -> None:
    data = make()

    first = generate_variants(data, mime_type, max_pixels=MAX_PIXELS)
    second = generate_variants(data, mime_type, max_pixels=MAX_PIXELS)

    assert first == second
    assert first.variants


def test_unsupported_type_is_refused_with_a_reason() -> None:
    with pytest.raises(ImageError, match="image/tiff"):
        generate_variants(images.jpeg(400, 300), "image/tiff", max_pixels=MAX_PIXELS)


def test_palette_png_variants_stay_palette_pngs_and_stay_small() -> None:
    data = images.png_palette(1800, 1200)
    truecolor = bytes(opened(data).pngsave_buffer(palette=False))

    result = generate_variants(data, "image/png", max_pixels=MAX_PIXELS)
    as_truecolor = generate_variants(truecolor, "image/png", max_pixels=MAX_PIXELS)

    assert [variant.name for variant in result.variants] == ["thumb", "medium", "large"]
    for variant, truecolor_variant in zip(result.variants, as_truecolor.variants, strict=True):
        assert opened(variant.data).get("palette")
        assert len(variant.data) < 0.6 * len(truecolor_variant.data)


# Animations: a frame flood (many frames of a small file) must not take the memory of a whole strip.

PEAK_MEMORY_WORKER = """
import sys
from pathlib import Path

from nexus_core.media import processing


def high_water_mib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) // 1024


data = Path(sys.argv[1]).read_bytes()
before = high_water_mib()
processing.generate_variants(data, "image/gif", max_pixels=100_000_000)
print(high_water_mib() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
def test_a_frame_flood_is_processed_in_bounded_memory(tmp_path: Path) -> None:
    """300 frames of 400 × 400 (48 megapixels, 40 KB): holding the strip took over 1 GB."""
    flood = tmp_path / "flood.gif"
    flood.write_bytes(images.gif_frame_flood(400, 400, frames=300))

    worker = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY_WORKER, str(flood)], capture_output=True, text=True, check=True
    )

    assert int(worker.stdout) < 150  # MiB over what the process held before the job


@pytest.mark.parametrize(
    ("make", "mime_type"),
    [
        (lambda: images.gif_frame_flood(400, 200, frames=120), "image/gif"),
        (lambda: images.animated_webp(900, 450, frames=40), "image/webp"),
    ],
    ids=["gif", "webp"],
)
def test_animated_variants_keep_every_frame(make: Callable[[], bytes], mime_type: str) -> None:
    data = make()
    original = probe(data, max_pixels=MAX_PIXELS)

    result = generate_variants(data, mime_type, max_pixels=MAX_PIXELS)

    assert [variant.name for variant in result.variants] == ["thumb", "medium"][: len(result.variants)]
    for variant in result.variants:
        animation = pyvips.Image.new_from_buffer(variant.data, "", n=-1)
        assert variant.height == round(original.height * variant.width / original.width)
        assert (animation.get("n-pages"), animation.get("page-height")) == (original.pages, variant.height)
        assert animation.get("delay") == opened(data).get("delay")


def test_animation_over_the_frame_limit_is_refused_with_both_numbers() -> None:
    data = images.gif(20, 20, frames=12)

    with pytest.raises(ImageError, match="The animation has 12 frames; the limit is 10 frames"):
        probe(data, max_pixels=MAX_PIXELS, max_frames=10)
    with pytest.raises(ImageError, match="12 frames; the limit is 10"):
        generate_variants(data, "image/gif", max_pixels=MAX_PIXELS, max_frames=10)
    assert probe(data, max_pixels=MAX_PIXELS, max_frames=12).pages == 12


def test_a_gif_counts_its_logical_screen_against_the_limit() -> None:
    """Browsers allocate the logical screen, whatever the size of the frames drawn on it."""
    bomb = images.gif_on_screen(65535, 65535)
    assert (opened(bomb).width, opened(bomb).height) == (1, 1)  # what libvips reads

    with pytest.raises(ImageError, match="too large: 65535 × 65535 pixels; the limit is 100 megapixels"):
        probe(bomb, max_pixels=MAX_PIXELS)
    with pytest.raises(ImageError, match="65535 × 65535 pixels in 3 frames"):
        probe(images.gif_on_screen(65535, 65535, frames=3), max_pixels=MAX_PIXELS)
    with pytest.raises(ImageError, match="2000 × 2000 pixels in 30 frames"):
        probe(images.gif_on_screen(2000, 2000, frames=30), max_pixels=MAX_PIXELS)
    assert probe(images.gif_on_screen(2000, 2000, frames=20), max_pixels=MAX_PIXELS).pages == 20
