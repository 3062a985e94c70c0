"""Private metadata leaves originals at upload; orientation and pixels stay as they were."""

from __future__ import annotations

import struct
import zlib

import pytest
import pyvips
from sqlmodel import Session

from nexus_core.config import get_settings
from nexus_core.media import service
from nexus_core.media.metadata import strip_private_metadata
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project


def fields(data: bytes) -> set[str]:
    return set(pyvips.Image.new_from_buffer(data, "").get_fields())


def pixels(data: bytes) -> bytes:
    return bytes(pyvips.Image.new_from_buffer(data, "").write_to_memory())


def test_jpeg_loses_camera_and_position_but_keeps_its_pixels() -> None:
    original = images.jpeg_with_camera_exif(320, 200)
    assert {"exif-ifd3-GPSLatitude", "exif-ifd0-Make"} <= fields(original)
    stripped = strip_private_metadata(original, "image/jpeg")
    assert not any(name.startswith(("exif-", "xmp-", "iptc-")) for name in fields(stripped))
    assert pixels(stripped) == pixels(original)  # no re-encoding
    assert len(stripped) < len(original)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_orientation_survives(orientation: int) -> None:
    stripped = strip_private_metadata(images.jpeg(300, 200, orientation=orientation), "image/jpeg")
    assert pyvips.Image.new_from_buffer(stripped, "").get("orientation") == orientation


def test_png_text_chunks_are_removed() -> None:
    plain = images.png(64, 48)
    text = b"Author\0Jane Roe, 12 Hidden Street"
    chunk = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", zlib.crc32(b"tEXt" + text))
    original = plain[:33] + chunk + plain[33:]  # right after IHDR
    assert b"Hidden Street" in original and pixels(original) == pixels(plain)
    stripped = strip_private_metadata(original, "image/png")
    assert b"Hidden Street" not in stripped
    assert pixels(stripped) == pixels(original)


def test_other_formats_are_left_alone() -> None:
    data = images.webp(64, 48)
    assert strip_private_metadata(data, "image/webp") == data


def test_uploaded_original_is_served_without_position(session: Session, stored: StoredFiles) -> None:
    actor = admin_of(session, make_project(session))
    item = service.upload(
        session, actor=actor, files=[service.IncomingFile("trip.jpg", images.jpeg_with_camera_exif())]
    )[0]
    stored_bytes = stored.read(item.file_path)
    assert "exif-ifd3-GPSLatitude" not in fields(stored_bytes)
    assert item.file_size == len(stored_bytes)


def test_a_setting_keeps_the_metadata(
    session: Session, stored: StoredFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "keep_original_metadata", True)
    actor = admin_of(session, make_project(session))
    original = images.jpeg_with_camera_exif()
    item = service.upload(session, actor=actor, files=[service.IncomingFile("trip.jpg", original)])[0]
    assert stored.read(item.file_path) == original
