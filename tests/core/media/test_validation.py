"""Upload validation: real bytes in, a validated upload or a readable refusal out."""

from __future__ import annotations

import random
import struct
import time
from collections.abc import Callable
from xml.etree.ElementTree import canonicalize

import pytest
from sqlmodel import Session

from nexus_core.config import MEGABYTE, get_settings
from nexus_core.errors import ImageError, InvalidInput, NexusError, UnsupportedMediaType, UploadTooLarge
from nexus_core.media import formats, upload
from nexus_core.media.formats import SUPPORTED_MIME_TYPES
from nexus_core.media.validation import (
    ValidatedUpload,
    check_count,
    detect_mime_type,
    sanitize_filename,
    validate_upload,
)
from tests import images
from tests.factories import admin_of, make_project

LIMITS = {"max_bytes": 20 * MEGABYTE, "max_pixels": 100_000_000}
ACCEPTED = "(JPEG, PNG, GIF, WebP, AVIF or SVG)"


def quoted(name: str) -> str:
    return f"\u201c{name}\u201d"


def refusal(error_type: type[NexusError], filename: str | None, data: bytes, **limits: int) -> NexusError:
    with pytest.raises(error_type) as caught:
        validate_upload(filename, data, **{**LIMITS, **limits})
    return caught.value


def animated_avif_header() -> bytes:
    """An ISO-BMFF header whose major brand is `avis` (animated AVIF), which `filetype` does not know."""
    ftyp = b"ftyp" + b"avis" + b"\x00\x00\x00\x00" + b"avis" + b"msf1" + b"miaf"
    return struct.pack(">I", 4 + len(ftyp)) + ftyp


# Supported types, detected by content.

SUPPORTED: list[tuple[str, Callable[[], bytes], str, int, int]] = [
    ("jpeg", lambda: images.jpeg(64, 48), "image/jpeg", 64, 48),
    ("png", lambda: images.png(64, 48), "image/png", 64, 48),
    ("png-alpha", lambda: images.png(30, 20, alpha=True), "image/png", 30, 20),
    ("gif", lambda: images.gif(64, 48), "image/gif", 64, 48),
    ("animated-gif", lambda: images.gif(32, 24, frames=3), "image/gif", 32, 24),
    ("webp", lambda: images.webp(64, 48), "image/webp", 64, 48),
    ("avif", lambda: images.avif(64, 48), "image/avif", 64, 48),
    ("svg", lambda: images.svg(120, 80), "image/svg+xml", 120, 80),
]


@pytest.mark.parametrize(("make", "mime_type", "width", "height"), [row[1:] for row in SUPPORTED],
                         ids=[row[0] for row in SUPPORTED])  # fmt: skip
def test_supported_types_are_detected_and_accepted(
    make: Callable[[], bytes], mime_type: str, width: int, height: int
) -> None:
    data = make()
    assert detect_mime_type(data) == mime_type
    accepted = validate_upload("upload", data, **LIMITS)
    assert accepted == ValidatedUpload(
        filename=f"upload.{formats.BY_MIME[mime_type].extension}",
        data=accepted.data,
        mime_type=mime_type,
        width=width,
        height=height,
    )
    # Rasters are stored as sent; an SVG is written out again from its cleaned tree (see test_svg.py).
    assert (
        canonicalize(accepted.data) == canonicalize(data)
        if mime_type == formats.SVG
        else accepted.data == data
    )


def test_supported_mime_types() -> None:
    expected = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/svg+xml"}
    assert frozenset(expected) == SUPPORTED_MIME_TYPES


def test_animated_avif_brand_is_detected() -> None:
    assert detect_mime_type(animated_avif_header() + b"\x00" * 64) == "image/avif"


def test_type_comes_from_content_not_name() -> None:
    upload = validate_upload("photo.png", images.jpeg(32, 32), **LIMITS)
    assert (upload.mime_type, upload.filename) == ("image/jpeg", "photo.jpg")


# Everything else is refused with 415, naming the file and what is accepted.

UNSUPPORTED: list[tuple[str, str, bytes]] = [
    ("text-renamed", "holiday.jpg", b"Dear diary, today we went to the beach.\n" * 20),
    ("html", "page.png", b"<!DOCTYPE html>\n<html><head><title>x</title></head><body>hi</body></html>"),
    ("xhtml-with-inline-svg", "page.svg",
     b'<html xmlns="http://www.w3.org/1999/xhtml"><body><svg xmlns="http://www.w3.org/2000/svg"/></body></html>'),
    ("pdf", "scan.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
    ("zip", "photos.webp", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 200),
    ("random", "noise.gif", random.Random(7).randbytes(4096)),
    ("heic", "iphone.avif", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200),
    ("tiff", "scan.png", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 200),
    ("bmp", "paint.png", b"BM" + struct.pack("<I", 256) + b"\x00" * 250),
    ("svg-without-namespace", "logo.svg", b'<svg width="10" height="10"><rect width="5" height="5"/></svg>'),
    ("other-xml", "feed.svg", b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>'),
    ("broken-xml", "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("filename", "data"), [row[1:] for row in UNSUPPORTED], ids=[row[0] for row in UNSUPPORTED]
)
def test_unsupported_content_is_refused(filename: str, data: bytes) -> None:
    assert detect_mime_type(data) is None
    error = refusal(UnsupportedMediaType, filename, data)
    assert str(error) == f"{quoted(filename)} is not a supported image {ACCEPTED}."
    assert error.status_code == 415


# Size.


def test_empty_file_is_refused() -> None:
    error = refusal(InvalidInput, "x.jpg", b"")
    assert (str(error), error.status_code) == (f"{quoted('x.jpg')} is empty.", 422)


def test_empty_file_without_a_name() -> None:
    assert str(refusal(InvalidInput, None, b"")) == "The file is empty."


@pytest.mark.parametrize(
    ("size", "max_bytes", "message"),
    [
        (5000, 4096, "is 4.9 KB; the limit is 4 KB."),
        (4097, 4096, "is 4.1 KB; the limit is 4 KB."),
        (2000, 1000, "is 2.0 KB; the limit is 1000 bytes."),
        (MEGABYTE + 1, MEGABYTE, "is 1.1 MB; the limit is 1 MB."),
    ],
)
def test_file_over_the_limit_is_refused(size: int, max_bytes: int, message: str) -> None:
    data = images.jpeg(16, 16)
    data += b"\x00" * (size - len(data))
    error = refusal(UploadTooLarge, "big.jpg", data, max_bytes=max_bytes)
    assert (str(error), error.status_code) == (f"{quoted('big.jpg')} {message}", 413)


def test_real_21_megabyte_file_against_20_megabytes() -> None:
    data = images.png(64, 64)
    data += b"\x00" * (21 * MEGABYTE - len(data))
    error = refusal(UploadTooLarge, "big.png", data, max_bytes=20 * MEGABYTE)
    assert str(error) == f"{quoted('big.png')} is 21.0 MB; the limit is 20 MB."


def test_file_exactly_at_the_limit_is_accepted() -> None:
    data = images.png(16, 16)
    assert validate_upload("a.png", data, max_bytes=len(data), max_pixels=1000).width == 16


# Damaged files, caught by structure before any decoding.

TRUNCATED: list[tuple[str, Callable[[], bytes]]] = [
    ("x.jpg", lambda: images.truncated(images.jpeg(64, 48))),
    ("x.jpg", lambda: images.truncated(images.jpeg(64, 48), keep=0.97)),
    ("x.jpg", lambda: images.jpeg(64, 48)[:-2]),
    ("x.png", lambda: images.truncated(images.png(64, 48))),
    ("x.png", lambda: images.png(64, 48)[:-1]),
    ("x.gif", lambda: images.truncated(images.gif(64, 48))),
    ("x.gif", lambda: images.gif(64, 48)[:-1]),
    ("x.gif", lambda: images.truncated(images.gif(32, 24, frames=3), keep=0.9)),
    ("x.webp", lambda: images.truncated(images.webp(64, 48))),
    ("x.webp", lambda: images.webp(64, 48)[:-1]),
    ("x.avif", lambda: images.truncated(images.avif(64, 48))),
    ("x.avif", lambda: images.avif(64, 48)[:-1]),
]


@pytest.mark.parametrize(("filename", "make"), TRUNCATED)
def test_truncated_images_are_refused(filename: str, make: Callable[[], bytes]) -> None:
    error = refusal(ImageError, filename, make())
    assert (str(error), error.status_code) == (f"{quoted(filename)} is damaged or incomplete.", 415)


@pytest.mark.parametrize(
    ("make", "tail"),
    [
        (lambda: images.jpeg(32, 32), b"\x00" * 100),
        (lambda: images.jpeg(32, 32), b"\r\n"),
        (lambda: images.jpeg(32, 32), b"ftypmp42 a motion photo's video" * 10),
        (lambda: images.png(32, 32), b"\x00" * 16),
        (lambda: images.gif(32, 32), b"\n"),
        (lambda: images.webp(32, 32), b"\x00\x00"),
    ],
)
def test_padding_after_the_end_of_an_image_is_accepted(make: Callable[[], bytes], tail: bytes) -> None:
    assert validate_upload("padded", make() + tail, **LIMITS).width == 32


def test_pixel_bomb_is_refused_quickly() -> None:
    started = time.perf_counter()
    error = refusal(ImageError, "bomb.png", images.png_bomb())
    assert time.perf_counter() - started < 2
    assert str(error).startswith(f"{quoted('bomb.png')}: ")
    assert error.status_code == 415


def test_animation_over_the_frame_limit_is_refused_with_both_numbers() -> None:
    error = refusal(ImageError, "party.gif", images.gif(16, 16, frames=6), max_frames=5)
    assert str(error) == f"{quoted('party.gif')}: The animation has 6 frames; the limit is 5 frames."


def test_the_frame_limit_is_a_setting(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "max_image_frames", 5)
    actor = admin_of(session, make_project(session))

    with pytest.raises(ImageError, match="6 frames; the limit is 5 frames"):
        upload.upload(
            session, actor=actor, files=[upload.IncomingFile("party.gif", images.gif(16, 16, frames=6))]
        )
    assert upload.upload(
        session, actor=actor, files=[upload.IncomingFile("ok.gif", images.gif(16, 16, frames=5))]
    )


def test_a_gif_whose_logical_screen_is_a_bomb_is_refused() -> None:
    """A 1 × 1 frame on a 65535 × 65535 screen: 4.3 gigapixels to browsers and Pillow."""
    error = refusal(ImageError, "dot.gif", images.gif_on_screen(65535, 65535))
    assert str(error) == (
        f"{quoted('dot.gif')}: The image is too large: 65535 × 65535 pixels; the limit is 100 megapixels."
    )


def test_pixel_limit_applies_to_svg() -> None:
    error = refusal(ImageError, "huge.svg", images.svg(50_000, 50_000), max_pixels=1_000_000)
    assert str(error).startswith(f"{quoted('huge.svg')}: ")


# Filenames: a display name only, but it must be harmless and match the real type.

FILENAMES: list[tuple[str | None, str, str]] = [
    ("photo.jpg", "image/jpeg", "photo.jpg"),
    ("photo.png", "image/jpeg", "photo.jpg"),
    ("photo.JPEG", "image/jpeg", "photo.jpg"),
    ("photo", "image/png", "photo.png"),
    ("../../etc/passwd", "image/jpeg", "passwd.jpg"),
    ("..\\..\\Windows\\win.ini", "image/png", "win.png"),
    ("C:\\Users\\ana\\Desktop\\holiday.webp", "image/webp", "holiday.webp"),
    ("ph\x00oto.jpg", "image/jpeg", "photo.jpg"),
    ("evil.php\x00.png", "image/png", "evil.php.png"),
    ("line\nbreak\tand\r\ntabs.gif", "image/gif", "line break and tabs.gif"),
    ("invoice\u202egpj.exe", "image/jpeg", "invoicegpj.jpg"),
    ("\u2066name\u2069\u200f.png", "image/png", "name.png"),
    ("cafe\u0301.png", "image/png", "caf\u00e9.png"),
    ("  my   holiday \u00a0 photo .jpg ", "image/jpeg", "my holiday photo.jpg"),
    ("....", "image/jpeg", "image.jpg"),
    (".", "image/jpeg", "image.jpg"),
    (".png", "image/jpeg", "image.jpg"),
    (".hidden", "image/png", "hidden.png"),
    ("photo.jpg.", "image/jpeg", "photo.jpg"),
    ("archive.tar.gz", "image/png", "archive.tar.png"),
    ("version 1.2", "image/png", "version 1.2.png"),
    ("notes.holiday", "image/avif", "notes.holiday.avif"),
    ("logo.svg", "image/svg+xml", "logo.svg"),
    ("dir/", "image/png", "image.png"),
    ("\x00\x01\x02", "image/gif", "image.gif"),
    ("", "image/webp", "image.webp"),
    (None, "image/avif", "image.avif"),
]


@pytest.mark.parametrize(("name", "mime_type", "expected"), FILENAMES)
def test_sanitize_filename(name: str | None, mime_type: str, expected: str) -> None:
    assert sanitize_filename(name, mime_type) == expected


@pytest.mark.parametrize(
    ("name", "stem"),
    [("a" * 300 + ".png", "a" * 251), ("\u00e9" * 300, "\u00e9" * 251), ("b" * 252 + ". .png", "b" * 251)],
)
def test_long_filenames_keep_the_extension(name: str, stem: str) -> None:
    assert sanitize_filename(name, "image/jpeg") == f"{stem}.jpg"


def test_refusals_name_the_cleaned_file() -> None:
    error = refusal(UnsupportedMediaType, "../secret/\u202enotes.txt", b"hello")
    assert str(error).startswith(f"{quoted('notes.txt')} is not a supported image")


# Count.


@pytest.mark.parametrize(
    ("count", "max_files", "message"),
    [
        (11, 10, "You can upload at most 10 files at a time; you sent 11."),
        (2, 1, "You can upload at most 1 file at a time; you sent 2."),
        (0, 10, "Choose at least one image to upload."),
    ],
)
def test_check_count_refuses(count: int, max_files: int, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_count(count, max_files=max_files)
    assert (str(caught.value), caught.value.status_code) == (message, 422)


@pytest.mark.parametrize("count", [1, 10])
def test_check_count_accepts(count: int) -> None:
    check_count(count, max_files=10)
