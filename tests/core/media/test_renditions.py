"""Renditions in the modern formats: the table of which formats an original gets, the setting that names
them, and what processing makes in each (sizes, real format by its bytes, animation kept)."""

from __future__ import annotations

import pytest
import pyvips
from pydantic import ValidationError

from nexus_core.config import Settings
from nexus_core.media import formats, renditions
from nexus_core.media.processing import generate_variants
from tests import images

MAX_PIXELS = 100_000_000


def is_format(data: bytes, mime_type: str) -> bool:
    """By the magic bytes: WebP is RIFF….WEBP, AVIF an ISO-BMFF `ftyp` box of brand avif."""
    if mime_type == formats.WEBP:
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return data[4:12] == b"ftypavif"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("webp,avif", (formats.WEBP, formats.AVIF)),
        ("", ()),
        (" AVIF , webp ,", (formats.AVIF, formats.WEBP)),
        ("webp,webp", (formats.WEBP,)),
    ],
)
def test_the_setting_names_formats(text: str, expected: tuple[str, ...]) -> None:
    assert renditions.parse_modern_formats(text) == expected


def test_an_unknown_format_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="unknown format 'jxl': list any of webp, avif"):
        Settings(modern_formats="webp,jxl")


@pytest.mark.parametrize(
    ("mime_type", "animated", "expected"),
    [
        (formats.JPEG, False, (formats.WEBP, formats.AVIF)),
        (formats.PNG, False, (formats.WEBP, formats.AVIF)),
        (formats.GIF, True, (formats.WEBP,)),
        (formats.GIF, False, (formats.WEBP, formats.AVIF)),
        (formats.WEBP, False, (formats.AVIF,)),
        (formats.WEBP, True, ()),
        (formats.AVIF, False, (formats.WEBP,)),
        (formats.SVG, False, ()),
    ],
)
def test_which_modern_formats_an_original_gets(
    mime_type: str, animated: bool, expected: tuple[str, ...]
) -> None:
    wanted = (formats.WEBP, formats.AVIF)
    assert renditions.modern_formats_of(mime_type, animated=animated, wanted=wanted) == expected


@pytest.mark.parametrize("output", [formats.WEBP, formats.AVIF])
@pytest.mark.parametrize(
    ("make", "mime_type"),
    [(lambda: images.jpeg(900, 450), formats.JPEG), (lambda: images.png(900, 450, alpha=True), formats.PNG)],
    ids=["jpeg", "png-with-alpha"],
)
def test_each_variant_in_each_modern_format(make, mime_type: str, output: str) -> None:
    result = generate_variants(make(), mime_type, max_pixels=MAX_PIXELS, outputs=(output,))

    assert [(v.name, v.mime_type, v.width, v.height) for v in result.variants] == [
        ("thumb", output, 300, 150),
        ("medium", output, 800, 400),
    ]
    for variant in result.variants:
        assert is_format(variant.data, output)
        decoded = pyvips.Image.new_from_buffer(variant.data, "")
        assert (decoded.width, decoded.height) == (variant.width, variant.height)
        assert decoded.hasalpha() == (mime_type == formats.PNG)


def test_one_decode_makes_every_format_at_once() -> None:
    outputs = (formats.JPEG, formats.WEBP)
    result = generate_variants(images.jpeg(700, 350), formats.JPEG, max_pixels=MAX_PIXELS, outputs=outputs)

    assert [(v.name, v.mime_type) for v in result.variants] == [
        ("thumb", formats.JPEG),
        ("thumb", formats.WEBP),
    ]


def test_an_animated_gif_becomes_an_animated_webp_with_every_frame() -> None:
    data = images.gif(320, 240, frames=3)

    result = generate_variants(data, formats.GIF, max_pixels=MAX_PIXELS, outputs=(formats.WEBP,))

    (thumb,) = result.variants
    assert is_format(thumb.data, formats.WEBP) and result.frames == 3
    animation = pyvips.Image.new_from_buffer(thumb.data, "", n=-1)
    assert (animation.get("n-pages"), animation.get("page-height"), animation.width) == (3, 225, 300)
