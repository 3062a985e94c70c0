"""The format and rendition tables: each row is recognised, stored, resized and served as it says."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest

from nexus_core.errors import ImageError
from nexus_core.media import formats, paths, renditions, validation
from nexus_core.media.processing import generate_variants
from tests import images

LIMITS = {"max_bytes": 1 << 26, "max_pixels": 100_000_000}
# A real file of every supported type, small (AVIF and GIF encoders are slow); animated where it can be.
SAMPLES: dict[str, Callable[[], bytes]] = {
    formats.JPEG: lambda: images.jpeg(120, 80),
    formats.PNG: lambda: images.png(120, 80),
    formats.GIF: lambda: images.gif(120, 80, frames=2),
    formats.WEBP: lambda: images.animated_webp(120, 80, frames=2),
    formats.AVIF: lambda: images.avif(120, 80),
    formats.SVG: lambda: images.svg(120, 80),
}
# The renditions at a twentieth of their width, so that the samples are wider than every one.
SMALL_WIDTHS = {rendition.name: rendition.width // 20 for rendition in renditions.RENDITIONS}
ROWS = [pytest.param(row, id=row.name) for row in formats.FORMATS]
RASTERS = [pytest.param(row, id=row.name) for row in formats.FORMATS if row.encoder is not None]


def test_every_supported_type_has_a_sample_here() -> None:
    assert set(SAMPLES) == formats.SUPPORTED_MIME_TYPES == {row.mime_type for row in formats.FORMATS}


@pytest.mark.parametrize("row", ROWS)
def test_each_type_is_recognised_by_its_content_and_stored_under_its_extension(
    row: formats.ImageFormat,
) -> None:
    accepted = validation.validate_upload("upload.bin", SAMPLES[row.mime_type](), **LIMITS)
    assert accepted.mime_type == row.mime_type
    assert accepted.filename == f"upload.{row.extension}"
    path = paths.generate_path(uuid4(), uuid4(), row.mime_type)
    assert path.endswith(f".{row.extension}")
    assert paths.mime_type_from_path(path) == row.mime_type


@pytest.mark.parametrize("row", ROWS)
def test_every_accepted_extension_maps_back_to_its_type(row: formats.ImageFormat) -> None:
    for extension in row.extensions:
        assert paths.mime_type_from_path(f"photo.{extension.upper()}") == row.mime_type
        assert validation.sanitize_filename(f"photo.{extension}", row.mime_type) == f"photo.{row.extension}"


@pytest.mark.parametrize("row", RASTERS)
def test_each_raster_type_has_a_completeness_check(row: formats.ImageFormat) -> None:
    with pytest.raises(ImageError, match="damaged or incomplete"):
        validation.validate_upload("cut.bin", images.truncated(SAMPLES[row.mime_type]()), **LIMITS)


@pytest.mark.parametrize("row", RASTERS)
def test_each_raster_type_is_resized_into_every_rendition_in_its_own_format(row: formats.ImageFormat) -> None:
    sample = SAMPLES[row.mime_type]()
    result = generate_variants(sample, row.mime_type, max_pixels=LIMITS["max_pixels"], widths=SMALL_WIDTHS)
    assert {variant.name: variant.width for variant in result.variants} == SMALL_WIDTHS
    for variant in result.variants:
        assert validation.detect_mime_type(variant.data) == row.mime_type


def test_svg_alone_has_no_encoder_and_gets_no_variants() -> None:
    assert [row.mime_type for row in formats.FORMATS if row.encoder is None] == [formats.SVG]
    result = generate_variants(SAMPLES[formats.SVG](), formats.SVG, max_pixels=LIMITS["max_pixels"])
    assert result.variants == ()


def test_the_file_picker_accepts_every_extension_and_type_and_nothing_else() -> None:
    accepted = formats.ACCEPT.split(",")
    expected = [f".{extension}" for row in formats.FORMATS for extension in row.extensions]
    assert sorted(accepted) == sorted(expected + [row.mime_type for row in formats.FORMATS])


def test_the_types_are_named_for_people_in_table_order() -> None:
    assert formats.NAMES == "JPEG, PNG, GIF, WebP, AVIF or SVG"


def test_renditions_have_distinct_names_and_widths_and_their_paths_parse_back() -> None:
    assert len(set(renditions.NAMES)) == len(set(renditions.WIDTHS.values())) == len(renditions.RENDITIONS)
    project_id, item_id = uuid4(), uuid4()
    for rendition in renditions.RENDITIONS:
        path = paths.generate_path(project_id, item_id, formats.JPEG, rendition.name)
        assert paths.parse_path(path) == paths.MediaPath(project_id, item_id, rendition.name, "jpg")
