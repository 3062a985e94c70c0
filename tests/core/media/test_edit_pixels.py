"""What each edit does to the pixels of the renditions, and where aspect renditions are cut: made by
processing from a picture whose stored top-left corner is red."""

from __future__ import annotations

import random

import pytest

from nexus_core.media import processing, renditions
from nexus_core.media.edits import Box, Crop, Edits, Flip, FocalPoint
from tests import images
from tests.images import colour_at, is_red, size_of

MAX_PIXELS = 100_000_000
ASPECTS = tuple(renditions.ASPECT_RENDITIONS)


def made(data: bytes, edits: Edits, *, mime_type: str = "image/jpeg", aspects: tuple[str, ...] = ()) -> dict:
    result = processing.generate_variants(
        data, mime_type, max_pixels=MAX_PIXELS, edits=edits, aspects=aspects, describe=True, full=True
    )
    return {variant.name: variant for variant in result.variants} | {"": result}


def red_corner(data: bytes) -> str:
    """Which corner of the picture is red: tl, tr, bl or br."""
    corners = {"tl": (0.05, 0.05), "tr": (0.95, 0.05), "bl": (0.05, 0.95), "br": (0.95, 0.95)}
    red = [name for name, (x, y) in corners.items() if is_red(colour_at(data, x, y))]
    assert len(red) == 1, red
    return red[0]


@pytest.mark.parametrize(
    ("edits", "corner", "size"),
    [
        (Edits(), "tl", (800, 533)),
        (Edits(rotate=90), "tr", (800, 1200)),
        (Edits(rotate=180), "br", (800, 533)),
        (Edits(rotate=270), "bl", (800, 1200)),
        (Edits(flip=Flip(horizontal=True)), "tr", (800, 533)),
        (Edits(flip=Flip(vertical=True)), "bl", (800, 533)),
        (Edits(flip=Flip(True, True)), "br", (800, 533)),
        (Edits(rotate=90, flip=Flip(horizontal=True)), "tl", (800, 1200)),
    ],
    ids=["none", "90", "180", "270", "flip-h", "flip-v", "flip-both", "90-then-flip-h"],
)
def test_rotation_and_flips_move_the_marked_corner(edits: Edits, corner: str, size: tuple[int, int]) -> None:
    variants = made(images.marked_corner(1800, 1200, kind="png"), edits, mime_type="image/png")
    medium = variants["medium"].data
    assert size_of(medium) == size
    assert red_corner(medium) == corner
    turned = edits.rotate in (90, 270)
    picture = (1200, 1800) if turned else (1800, 1200)
    assert (variants[""].width, variants[""].height) == picture  # the picture's size swaps when turned
    if edits.reshapes:  # the edited picture at its full size, the same way round
        assert size_of(variants["full"].data) == picture
        assert red_corner(variants["full"].data) == corner
    else:
        assert "full" not in variants  # the original is the picture


def test_a_crop_makes_the_picture_that_size_and_shows_only_that_part() -> None:
    data = images.marked_corner(1200, 800)
    corner_only = made(data, Edits(crop=Crop(0, 0, 300, 200)))
    assert (corner_only[""].width, corner_only[""].height) == (300, 200)
    assert (corner_only[""].original_width, corner_only[""].original_height) == (1200, 800)
    assert set(corner_only) == {"", "full"}  # no variant is narrower; the picture itself is the widest
    assert size_of(corner_only["full"].data) == (300, 200)
    assert all(is_red(colour_at(corner_only["full"].data, x, y)) for x in (0.1, 0.9) for y in (0.1, 0.9))
    elsewhere = made(data, Edits(crop=Crop(600, 400, 600, 400)))
    assert {name: size_of(v.data) for name, v in elsewhere.items() if name} == {
        "thumb": (300, 200),
        "full": (600, 400),
    }
    assert not is_red(colour_at(elsewhere["full"].data, 0.02, 0.02))


def test_an_unedited_picture_keeps_stage_one_variants_and_its_placeholder_comes_from_the_edit() -> None:
    data = images.marked_corner(1200, 800)
    plain = made(data, Edits())
    assert set(plain) == {"", "thumb", "medium"}  # the original stands in for the widest
    focused = made(data, Edits(focal_point=FocalPoint(0.1, 0.1)))
    assert set(focused) == {"", "thumb", "medium"}  # a focal point alone leaves the pixels as they are
    red = made(data, Edits(crop=Crop(0, 0, 300, 200)))
    assert red[""].placeholder.color != plain[""].placeholder.color


def test_the_crop_is_in_upright_pixels_of_a_turned_jpeg() -> None:
    data = images.marked_corner(1200, 800, orientation=6)  # shown turned a quarter clockwise: 800 × 1200
    whole = made(data, Edits())
    assert (whole[""].width, whole[""].height) == (800, 1200)
    assert red_corner(whole["thumb"].data) == "tr"
    corner = made(data, Edits(crop=Crop(600, 0, 200, 300)))
    assert all(is_red(colour_at(corner["full"].data, x, y)) for x in (0.1, 0.9) for y in (0.1, 0.9))


def test_aspect_renditions_are_exactly_their_shape() -> None:
    result = made(images.jpeg(2000, 1500), Edits(), aspects=ASPECTS)
    assert size_of(result["16x9_large"].data) == (1600, 900)
    assert size_of(result["16x9_medium"].data) == (800, 450)
    assert size_of(result["16x9_thumb"].data) == (300, 169)
    assert size_of(result["large"].data) == (1600, 1200)  # the variants stay the picture's shape


@pytest.mark.parametrize(("focal_y", "red_shown"), [(0.05, True), (0.5, False), (0.95, False)])
def test_the_aspect_crop_follows_the_focal_point(focal_y: float, red_shown: bool) -> None:
    data = images.marked_corner(800, 1200, kind="png")  # red: the top 300 of 1200 rows, left quarter
    edits = Edits(focal_point=FocalPoint(0.5, focal_y))
    wide = made(data, edits, mime_type="image/png", aspects=ASPECTS)["16x9_medium"].data
    assert size_of(wide) == (800, 450)
    assert is_red(colour_at(wide, 0.05, 0.05)) is red_shown


def test_the_aspect_crop_stays_inside_the_items_crop() -> None:
    data = images.marked_corner(1200, 800, kind="png")
    edits = Edits(crop=Crop(600, 0, 600, 800), focal_point=FocalPoint(0.0, 0.0))  # the focus is left of it
    wide = made(data, edits, mime_type="image/png", aspects=ASPECTS)
    assert size_of(wide["16x9_medium"].data) == (600, 338)  # the crop's width, not the picture's
    assert not is_red(colour_at(wide["16x9_medium"].data, 0.02, 0.02))


def random_edits(chance: random.Random, width: int, height: int) -> Edits:
    crop = None
    if chance.random() < 0.7:
        crop_width, crop_height = chance.randint(1, width), chance.randint(1, height)
        crop = Crop(
            chance.randint(0, width - crop_width),
            chance.randint(0, height - crop_height),
            crop_width,
            crop_height,
        )
    focal = FocalPoint(chance.random(), chance.random())
    flip = Flip(chance.random() < 0.5, chance.random() < 0.5)
    return Edits(focal_point=focal, crop=crop, rotate=chance.choice((0, 90, 180, 270)), flip=flip)


def test_every_aspect_box_holds_the_focal_point_and_lies_inside_the_crop() -> None:
    chance = random.Random(14)
    for _ in range(2000):
        width, height = chance.randint(1, 5000), chance.randint(1, 5000)
        edits = random_edits(chance, width, height)
        picture_width, picture_height = edits.picture_size(width, height)
        crop = edits.crop_box(width, height)
        for aspect in (*renditions.ASPECTS, renditions.Aspect(1, 1), renditions.Aspect(4, 5)):
            box = edits.aspect_box(width, height, aspect)
            assert box.width / box.height == pytest.approx(aspect.ratio)
            x, y = edits.focus(width, height)
            assert box.left - 1e-6 <= x <= box.left + box.width + 1e-6
            assert box.top - 1e-6 <= y <= box.top + box.height + 1e-6
            assert box.left >= -1e-6 and box.left + box.width <= picture_width + 1e-6
            assert box.top >= -1e-6 and box.top + box.height <= picture_height + 1e-6
            source = edits.source_box(width, height, box)
            assert (
                crop.left - 1e-6 <= source.left
                and source.left + source.width <= crop.left + crop.width + 1e-6
            )
            assert (
                crop.top - 1e-6 <= source.top and source.top + source.height <= crop.top + crop.height + 1e-6
            )


def test_a_focal_point_inside_the_crop_maps_into_the_edited_picture_where_it_is() -> None:
    chance = random.Random(7)
    for _ in range(500):
        width, height = chance.randint(10, 4000), chance.randint(10, 4000)
        edits = random_edits(chance, width, height)
        crop = edits.crop_box(width, height)
        point = FocalPoint(
            (crop.left + chance.random() * crop.width) / width,
            (crop.top + chance.random() * crop.height) / height,
        )
        edits = Edits(focal_point=point, crop=edits.crop, rotate=edits.rotate, flip=edits.flip)
        x, y = edits.focus(width, height)
        back = edits.source_box(width, height, Box(x, y, 0, 0))
        assert back.left == pytest.approx(point.x * width)
        assert back.top == pytest.approx(point.y * height)
