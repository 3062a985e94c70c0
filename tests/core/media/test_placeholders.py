"""Placeholders: the ThumbHash against the reference implementation, and the colour, ThumbHash and LQIP
the processing job records for what a person would see."""

from __future__ import annotations

import base64

import pytest
import pyvips
from sqlmodel import Session

from nexus_core.media import formats, placeholders, thumbhash
from nexus_core.media import upload as uploading
from nexus_core.media.processing import generate_variants
from nexus_core.media.upload import IncomingFile
from nexus_core.policies import Actor
from tests import images
from tests.factories import admin_of, make_project, stored_item

MAX_PIXELS = 100_000_000


def pattern(width: int, height: int, alpha: bool) -> list[int]:
    return [
        value
        for y in range(height)
        for x in range(width)
        for value in (
            (x * 37 + y * 11) % 256,
            (x * 5 + y * 53) % 256,
            (x * x + y * 7) % 256,
            (x * 40 + y * 20) % 256 if alpha else 255,
        )
    ]


@pytest.mark.parametrize(
    ("width", "height", "alpha", "expected"),
    [  # made by `rgbaToThumbHash` of the reference's npm package (thumbhash 0.1.1) from the same pixels
        (12, 8, False, "mRkKLYpgkXhyhnljeSd4ii95Y3f4"),
        (6, 10, True, "mQqGCwYXhHKJC4hAWgb0dEd2B6ZmfWg="),
        (32, 32, False, "3/cBFwBlRWUBIqc0hkpnZ3Zmd9ifb30C"),
    ],
)
def test_thumbhash_matches_the_reference(width: int, height: int, alpha: bool, expected: str) -> None:
    assert (
        base64.b64encode(thumbhash.encode(width, height, pattern(width, height, alpha))).decode() == expected
    )


def test_thumbhash_refuses_more_than_100_pixels_a_side() -> None:
    with pytest.raises(ValueError, match="1-100"):
        thumbhash.encode(101, 1, [0] * 404)


def flat(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    image = (pyvips.Image.black(width, height) + list(rgb)).cast("uchar").copy(interpretation="srgb")
    return bytes(image.pngsave_buffer())


@pytest.mark.parametrize(("width", "height"), [(900, 450), (200, 100)], ids=["with-variants", "small"])
def test_a_flat_picture_has_its_colour(width: int, height: int) -> None:
    result = generate_variants(
        flat(width, height, (200, 30, 60)), formats.PNG, max_pixels=MAX_PIXELS, describe=True
    )

    assert result.placeholder is not None
    assert result.placeholder.color == "#c81e3c"
    assert result.placeholder.opaque


@pytest.mark.parametrize(
    ("data", "mime_type", "ratio"),
    [
        (images.jpeg(1200, 400), formats.JPEG, 3.0),
        (images.jpeg(1200, 800, orientation=6), formats.JPEG, 800 / 1200),  # shown upright
        (images.png(500, 1000, alpha=True), formats.PNG, 0.5),
        (images.gif(400, 300, frames=3), formats.GIF, 4 / 3),
    ],
    ids=["wide", "turned-by-exif", "tall-transparent", "animated"],
)
def test_the_thumbhash_keeps_the_aspect_ratio_and_the_lqip_is_a_small_webp(
    data: bytes, mime_type: str, ratio: float
) -> None:
    result = generate_variants(data, mime_type, max_pixels=MAX_PIXELS, describe=True)

    assert result.placeholder is not None
    decoded_ratio = thumbhash.approximate_aspect_ratio(base64.b64decode(result.placeholder.thumbhash))
    assert decoded_ratio == pytest.approx(ratio, rel=0.2)
    lqip = result.placeholder.lqip
    assert len(lqip) <= placeholders.LQIP_MAX_BYTES
    prefix = "data:image/webp;base64,"
    assert lqip.startswith(prefix)
    tiny = pyvips.Image.new_from_buffer(base64.b64decode(lqip.removeprefix(prefix), validate=True), "")
    assert tiny.get("vips-loader").startswith("webpload")
    assert tiny.width / tiny.height == pytest.approx(ratio, rel=0.2)


def test_a_transparent_picture_says_so() -> None:
    result = generate_variants(
        images.png(640, 480, alpha=True), formats.PNG, max_pixels=MAX_PIXELS, describe=True
    )

    assert result.placeholder is not None and not result.placeholder.opaque


def test_processing_records_the_placeholder(session: Session) -> None:
    admin: Actor = admin_of(session, make_project(session))
    files = [IncomingFile("red.png", flat(640, 480, (200, 30, 60)))]
    view = uploading.upload(session, actor=admin, files=files)[0]

    item = stored_item(session, view)

    assert item.placeholder is not None and item.placeholder["color"] == "#c81e3c"
    assert set(item.placeholder) == {"color", "thumbhash", "lqip", "opaque"}
