"""Private metadata leaves originals at upload; orientation and pixels stay as they were."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import pytest
import pyvips
from PIL import Image
from sqlmodel import Session

from nexus_core.config import get_settings
from nexus_core.media import upload
from nexus_core.media.metadata import strip_private_metadata
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project


def fields(data: bytes) -> set[str]:
    return set(pyvips.Image.new_from_buffer(data, "").get_fields())


def opened(data: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "")


def pixels(data: bytes) -> bytes:
    return bytes(opened(data).write_to_memory())


def all_pixels(data: bytes) -> bytes:
    """Every frame's pixels."""
    return bytes(pyvips.Image.new_from_buffer(data, "", n=-1).write_to_memory())


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


@pytest.mark.parametrize("first", [None, 1, 3])
def test_the_first_exif_block_says_the_orientation_as_decoders_read_it(first: int | None) -> None:
    """A second EXIF block (orientation 6) is ignored by libvips and browsers alike; so here."""
    uploaded = images.exif_in_front(images.jpeg(300, 200, orientation=6), first)
    stripped = strip_private_metadata(uploaded, "image/jpeg")
    assert orientation_of(stripped) == orientation_of(uploaded) == (first or 1)


def orientation_of(data: bytes) -> int:
    image = opened(data)
    return image.get("orientation") if image.get_typeof("orientation") else 1


def test_png_text_chunks_are_removed() -> None:
    plain = images.png(64, 48)
    text = b"Author\0Jane Roe, 12 Hidden Street"
    chunk = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", zlib.crc32(b"tEXt" + text))
    original = plain[:33] + chunk + plain[33:]  # right after IHDR
    assert b"Hidden Street" in original and pixels(original) == pixels(plain)
    stripped = strip_private_metadata(original, "image/png")
    assert b"Hidden Street" not in stripped
    assert pixels(stripped) == pixels(original)


def test_svg_is_left_alone() -> None:
    data = images.svg(64, 48)
    assert strip_private_metadata(data, "image/svg+xml") == data


def camera_and_position(data: bytes) -> dict[str, object]:
    """What Pillow finds of the camera and of where the picture was taken, in EXIF and XMP."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        found = {name: exif[tag] for name, tag in (("make", 0x010F), ("model", 0x0110)) if tag in exif}
        if exif.get_ifd(0x8825):
            found["gps"] = dict(exif.get_ifd(0x8825))
        if image.info.get("xmp"):
            found["xmp"] = image.info["xmp"]
    return found


WITH_CAMERA = [
    ("trip.webp", images.webp_with_camera_metadata, "image/webp"),
    ("trip.avif", images.avif_with_camera_metadata, "image/avif"),
    ("trip.gif", images.gif_with_camera_metadata, "image/gif"),
]


@pytest.mark.parametrize(("filename", "make", "mime_type"), WITH_CAMERA, ids=["webp", "avif", "gif"])
def test_uploaded_originals_of_every_format_lose_camera_and_position(
    session: Session, stored: StoredFiles, filename: str, make: Callable[[], bytes], mime_type: str
) -> None:
    original = make()
    assert images.CAMERA in original
    assert mime_type == "image/gif" or {"make", "model", "gps", "xmp"} <= set(camera_and_position(original))
    actor = admin_of(session, make_project(session))

    item = upload.upload(session, actor=actor, files=[upload.IncomingFile(filename, original)])[0]

    served = stored.read(item.file_path)
    assert images.CAMERA not in served and b"xmpmeta" not in served
    assert camera_and_position(served) == {}
    assert (opened(served).width, opened(served).height) == (opened(original).width, opened(original).height)
    assert item.file_size == len(served)


@pytest.mark.parametrize("make", [images.webp_with_camera_metadata, images.gif_with_camera_metadata])
def test_webp_and_gif_keep_their_pixels(make: Callable[[], bytes]) -> None:
    original = make()
    mime_type = "image/webp" if original.startswith(b"RIFF") else "image/gif"
    stripped = strip_private_metadata(original, mime_type)
    assert all_pixels(stripped) == all_pixels(original)  # not re-encoded
    assert len(stripped) < len(original)


def test_data_after_the_end_of_a_gif_goes() -> None:
    original = images.gif(64, 48, frames=2) + b"Taken with " + images.CAMERA
    stripped = strip_private_metadata(original, "image/gif")
    assert images.CAMERA not in stripped
    assert all_pixels(stripped) == all_pixels(original)


def test_webp_keeps_its_colour_profile_and_its_animation() -> None:
    animation = pyvips.Image.new_from_buffer(images.animated_webp(64, 48, frames=5), "", n=-1)
    with_profile = images._with_camera_metadata(animation.icc_transform("srgb", input_profile="srgb"))
    original = bytes(with_profile.webpsave_buffer(Q=80))
    assert images.CAMERA in original

    stripped = strip_private_metadata(original, "image/webp")

    assert images.CAMERA not in stripped
    result = pyvips.Image.new_from_buffer(stripped, "", n=-1)
    assert result.get("icc-profile-data") == with_profile.get("icc-profile-data")
    assert result.get("n-pages") == 5
    assert all_pixels(stripped) == all_pixels(original)


def test_avif_without_private_metadata_is_not_encoded_again() -> None:
    data = images.avif(64, 48)  # libvips writes resolution and colour space into its EXIF: nothing private
    assert strip_private_metadata(data, "image/avif") == data


def test_uploaded_original_is_served_without_position(session: Session, stored: StoredFiles) -> None:
    actor = admin_of(session, make_project(session))
    item = upload.upload(
        session, actor=actor, files=[upload.IncomingFile("trip.jpg", images.jpeg_with_camera_exif())]
    )[0]
    stored_bytes = stored.read(item.file_path)
    assert "exif-ifd3-GPSLatitude" not in fields(stored_bytes)
    assert item.file_size == len(stored_bytes)


@pytest.mark.parametrize(
    ("filename", "make"),
    [("trip.jpg", images.jpeg_with_camera_exif)] + [(name, make) for name, make, _ in WITH_CAMERA],
    ids=["jpeg", "webp", "avif", "gif"],
)
def test_a_setting_keeps_the_metadata(
    session: Session,
    stored: StoredFiles,
    monkeypatch: pytest.MonkeyPatch,
    filename: str,
    make: Callable[[], bytes],
) -> None:
    monkeypatch.setattr(get_settings(), "keep_original_metadata", True)
    actor = admin_of(session, make_project(session))
    original = make()
    item = upload.upload(session, actor=actor, files=[upload.IncomingFile(filename, original)])[0]
    assert stored.read(item.file_path) == original
