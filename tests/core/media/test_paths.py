from __future__ import annotations

import uuid

import pytest

from nexus_core.media import formats
from nexus_core.media.paths import (
    MediaPath,
    full_picture,
    generate_path,
    mime_type_from_path,
    parse_path,
    picture_path,
    url,
)
from nexus_core.media.renditions import MadeRendition

PROJECT = uuid.UUID("0b5e2c3a-8f1d-4c55-9a0e-3f6d2b7c1e90")
ITEM = uuid.UUID("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a")


def test_generate_path_uses_project_item_and_extension_of_mime_type() -> None:
    assert generate_path(PROJECT, ITEM, "image/jpeg") == f"{PROJECT}/{ITEM}.jpg"


def test_generate_path_with_variant() -> None:
    assert generate_path(PROJECT, ITEM, "image/webp", "thumb") == f"{PROJECT}/{ITEM}_thumb.webp"


def test_generate_path_accepts_uuid_strings_and_normalises_them() -> None:
    assert generate_path(str(PROJECT).upper(), str(ITEM), "image/png") == f"{PROJECT}/{ITEM}.png"


@pytest.mark.parametrize(
    ("mime_type", "extension"), sorted((row.mime_type, row.extension) for row in formats.FORMATS)
)
def test_generate_path_extension_for_each_supported_type(mime_type: str, extension: str) -> None:
    assert generate_path(PROJECT, ITEM, mime_type).endswith(f".{extension}")


@pytest.mark.parametrize("mime_type", ["text/html", "application/octet-stream", "image/tiff", ""])
def test_generate_path_rejects_unsupported_types(mime_type: str) -> None:
    with pytest.raises(ValueError, match="MIME type"):
        generate_path(PROJECT, ITEM, mime_type)


@pytest.mark.parametrize("variant", ["huge", "../x", "", "THUMB"])
def test_generate_path_rejects_unknown_variants(variant: str) -> None:
    with pytest.raises(ValueError, match="variant"):
        generate_path(PROJECT, ITEM, "image/jpeg", variant)


@pytest.mark.parametrize("project_id", ["../etc", "not-a-uuid", ""])
def test_generate_path_rejects_ids_that_are_not_uuids(project_id: str) -> None:
    with pytest.raises(ValueError):
        generate_path(project_id, ITEM, "image/jpeg")


def test_url_is_under_media() -> None:
    assert url(f"{PROJECT}/{ITEM}_large.jpg") == f"/media/{PROJECT}/{ITEM}_large.jpg"


@pytest.mark.parametrize(
    ("path", "mime_type"),
    [
        ("p/i.jpg", "image/jpeg"),
        ("p/i.jpeg", "image/jpeg"),
        ("p/i.JPG", "image/jpeg"),
        ("p/i.png", "image/png"),
        ("p/i.gif", "image/gif"),
        ("p/i.webp", "image/webp"),
        ("p/i.avif", "image/avif"),
        ("p/i_thumb.svg", "image/svg+xml"),
        ("p/i.html", "application/octet-stream"),
        ("p/i", "application/octet-stream"),
        ("p.jpg/i", "application/octet-stream"),
        ("", "application/octet-stream"),
    ],
)
def test_mime_type_from_path(path: str, mime_type: str) -> None:
    assert mime_type_from_path(path) == mime_type


def test_parse_path_reverses_generate_path() -> None:
    path = generate_path(PROJECT, ITEM, "image/gif", "medium")
    assert parse_path(path) == MediaPath(PROJECT, ITEM, "medium", "gif")


@pytest.mark.parametrize(
    "path",
    [
        f"{PROJECT}/{ITEM}.jpeg",
        f"{PROJECT}/{ITEM}.html",
        f"{PROJECT}/{ITEM}_huge.jpg",
        f"{str(PROJECT).upper()}/{ITEM}.jpg",
        f"{PROJECT}/{ITEM}.jpg/x",
        f"x/{PROJECT}/{ITEM}.jpg",
        f"{PROJECT}/{ITEM}.jpg\n",
    ],
)
def test_parse_path_rejects_other_strings(path: str) -> None:
    assert parse_path(path) is None


@pytest.mark.parametrize(
    ("version", "variant", "mime_type", "name"),
    [
        (1, None, "image/jpeg", f"{ITEM}.jpg"),  # version 1: the stage-1 paths, unchanged
        (1, "large", "image/jpeg", f"{ITEM}_large.jpg"),
        (2, None, "image/png", f"{ITEM}-v2.png"),  # a replaced original
        (3, "full", "image/png", f"{ITEM}-v3_full.png"),  # an edited picture at its full size
        (2, "thumb", "image/avif", f"{ITEM}-v2_thumb.avif"),
        (17, "16x9_large", "image/webp", f"{ITEM}-v17_16x9_large.webp"),
    ],
)
def test_every_version_after_the_first_marks_its_paths(
    version: int, variant: str | None, mime_type: str, name: str
) -> None:
    path = generate_path(PROJECT, ITEM, mime_type, variant, version=version)
    assert path == f"{PROJECT}/{name}"
    parsed = parse_path(path)
    assert parsed is not None and (parsed.item_id, parsed.variant, parsed.version) == (ITEM, variant, version)


@pytest.mark.parametrize("marker", ["-v1", "-v0", "-v01", "-v", "-V2", "-v1234567890"])
def test_a_version_marker_is_canonical_or_no_path(marker: str) -> None:
    assert parse_path(f"{PROJECT}/{ITEM}{marker}_thumb.jpg") is None
    with pytest.raises(ValueError):
        generate_path(PROJECT, ITEM, "image/jpeg", version=0)


def made_full(version: int) -> MadeRendition:
    path = generate_path(PROJECT, ITEM, "image/jpeg", "full", version=version)
    return MadeRendition("full", "image/jpeg", 450, 300, 1000, path)


def test_url_serves_the_full_picture_made_after_the_original_else_the_original() -> None:
    thumb = MadeRendition(
        "thumb", "image/jpeg", 300, 200, 100, generate_path(PROJECT, ITEM, "image/jpeg", "thumb")
    )
    first = generate_path(PROJECT, ITEM, "image/jpeg")
    assert picture_path(first, [thumb]) == first  # unedited, or only a focal point
    assert full_picture(first, [thumb, made_full(2)]) == made_full(2)
    assert picture_path(first, [thumb, made_full(2)]) == made_full(2).path
    replaced = generate_path(PROJECT, ITEM, "image/jpeg", version=3)
    # A replaced file's item lists the earlier version's renditions until its job runs: not its picture.
    assert picture_path(replaced, [made_full(2)]) == replaced
    assert picture_path(replaced, [made_full(4)]) == made_full(4).path  # edited since
