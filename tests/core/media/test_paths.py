from __future__ import annotations

import uuid

import pytest

from nexus_core.media import formats
from nexus_core.media.paths import (
    MediaPath,
    generate_path,
    mime_type_from_path,
    parse_path,
    url,
)

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
