"""The perceptual hash: what a near copy keeps, what a different picture changes, what has none."""

from __future__ import annotations

import pytest
import pyvips

from nexus_core.errors import ImageError
from nexus_core.media import formats
from nexus_core.media.duplicates import NEAR_DUPLICATE_DISTANCE
from nexus_core.media.fingerprint import difference_hash, hamming_distance
from nexus_core.media.processing import generate_variants
from tests import images

NEAR = NEAR_DUPLICATE_DISTANCE


def jpeg(image: pyvips.Image, quality: int = 90) -> bytes:
    return bytes(image.jpegsave_buffer(Q=quality))


def decoded(data: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "", fail_on="truncated")


def hash_of(data: bytes) -> int:
    value = difference_hash(decoded(data))
    assert value is not None
    return value


@pytest.fixture(scope="module")
def scene() -> pyvips.Image:
    return images.scene(1200, 800, seed=1)


def test_the_hash_fits_a_signed_bigint_and_is_the_same_for_the_same_picture(scene: pyvips.Image) -> None:
    value = hash_of(jpeg(scene))
    assert -(2**63) <= value < 2**63
    assert hash_of(jpeg(scene)) == value


@pytest.mark.parametrize(
    ("change", "at_most"),
    [
        (lambda image: jpeg(image, quality=10), 4),
        (lambda image: jpeg(image.resize(0.5), quality=60), 4),
        (lambda image: bytes(image.webpsave_buffer(Q=40)), 4),
        (lambda image: bytes(image.pngsave_buffer()), 4),
        (lambda image: jpeg(image.crop(0, 0, image.width * 95 // 100, image.height)), NEAR),
        (lambda image: jpeg(image.crop(0, image.height // 20, image.width, image.height * 19 // 20)), NEAR),
    ],
    ids=["quality 10", "half size", "webp", "png", "5% off the right", "5% off the top"],
)
def test_near_copies_stay_near(scene: pyvips.Image, change, at_most: int) -> None:
    assert hamming_distance(hash_of(jpeg(scene)), hash_of(change(scene))) <= at_most


def test_different_pictures_are_far_apart() -> None:
    hashes = [hash_of(jpeg(images.scene(600, 400, seed=seed))) for seed in range(10)]
    distances = [hamming_distance(a, b) for n, a in enumerate(hashes) for b in hashes[n + 1 :]]
    assert min(distances) > NEAR


def processed_hash(data: bytes, mime_type: str) -> int | None:
    """The hash the processing job records, from the smallest picture it decoded."""
    return generate_variants(data, mime_type, max_pixels=10**8, describe=True).perceptual_hash


def test_the_job_hashes_the_picture_upright_and_alpha_on_white(scene: pyvips.Image) -> None:
    upright = processed_hash(jpeg(scene), formats.JPEG)
    assert upright is not None
    stored_sideways = scene.rot270().copy()
    stored_sideways.set_type(pyvips.GValue.gint_type, "orientation", 6)  # shown turned 90° clockwise
    sideways = processed_hash(jpeg(stored_sideways), formats.JPEG)
    assert sideways is not None and hamming_distance(sideways, upright) <= 4
    transparent_white = scene.bandjoin(255).copy(interpretation="srgb")
    on_white = processed_hash(bytes(transparent_white.pngsave_buffer()), formats.PNG)
    assert on_white is not None and hamming_distance(on_white, upright) <= 4


@pytest.mark.parametrize(
    "flat",
    [
        (pyvips.Image.black(300, 200) + 90).cast("uchar"),
        (pyvips.Image.black(300, 200) + 200).cast("uchar"),
        (pyvips.Image.gaussnoise(300, 200, sigma=1, mean=128, seed=3)).cast("uchar"),
        (pyvips.Image.xyz(300, 200)[0] * 0.8).cast("uchar"),
        (pyvips.Image.xyz(300, 200)[0] * -0.8 + 250).cast("uchar"),
    ],
    ids=["grey", "light grey", "faint noise", "gradient", "reversed gradient"],
)
def test_pictures_without_texture_have_no_hash(flat: pyvips.Image) -> None:
    assert difference_hash(decoded(jpeg(flat))) is None


def test_hamming_distance_reads_signed_and_unsigned_alike() -> None:
    assert hamming_distance(-1, 0) == 64
    assert hamming_distance(-1, 2**64 - 1) == 0
    assert hamming_distance(0b1011, 0b0001) == 2


def test_a_picture_that_cannot_be_decoded_is_an_image_error(scene: pyvips.Image) -> None:
    with pytest.raises(ImageError):
        difference_hash(decoded(jpeg(scene)[:5000]))
