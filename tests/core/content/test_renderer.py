"""The renderer and the sanitiser, including hostile input."""

from __future__ import annotations

import re
from uuid import UUID

import pytest

from nexus_core.content.pictures import PageImages
from nexus_core.content.references import ImageReference
from nexus_core.content.renderer import render_field, render_page, render_rich_text
from nexus_core.content.sanitize import sanitize_html
from nexus_core.content.templates import BLOG_POST
from nexus_core.media import paths
from nexus_core.models import MediaItem, MediaStatus, Page

PROJECT = UUID("01a21500-0000-7000-8000-000000000001")
ITEM = UUID("01a21500-0000-7000-8000-0000000000aa")


def library_item() -> MediaItem:
    base = f"{PROJECT}/{ITEM}"
    return MediaItem(
        id=ITEM,
        project_id=PROJECT,
        filename="harbour.jpg",
        file_path=f"{base}.jpg",
        mime_type="image/jpeg",
        file_size=1000,
        width=2400,
        height=1600,
        alt_text="A harbour at dawn",
        variants={"thumb": f"{base}_thumb.jpg", "medium": f"{base}_medium.jpg", "large": f"{base}_large.jpg"},
        storage_backend="local",
        status=MediaStatus.READY,
    )


MEDIA = {ITEM: library_item()}
LARGE_URL = f"/media/{PROJECT}/{ITEM}_large.jpg"
REFERENCE = ImageReference(media_id=ITEM)


def doc(*blocks: dict) -> dict:
    return {"type": "doc", "content": list(blocks)}


def paragraph(text: str, marks: list | None = None) -> dict:
    node: dict = {"type": "text", "text": text}
    if marks:
        node["marks"] = marks
    return {"type": "paragraph", "content": [node]}


def test_library_image_gets_alt_size_lazy_and_srcset() -> None:
    images = PageImages(MEDIA)
    images.tag(REFERENCE)  # the page's first image
    html = images.tag(REFERENCE)
    assert 'alt="A harbour at dawn"' in html
    assert 'width="2400"' in html and 'height="1600"' in html
    assert 'loading="lazy"' in html
    assert f"/media/{PROJECT}/{ITEM}_thumb.jpg 300w" in html
    assert f"/media/{PROJECT}/{ITEM}_medium.jpg 800w" in html
    assert f"/media/{PROJECT}/{ITEM}.jpg 2400w" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "vbscript:msgbox(1)",
        "//evil.example/x.png",
        "/media//evil.example/x.png",
        "file:///etc/passwd",
        "ftp://example.com/a.png",
        "",
    ],
)
def test_unsafe_image_urls_render_nothing(url: str) -> None:
    page = Page(
        project_id=PROJECT, title="T", slug="t", template="blog_post", template_data={"hero_image": url}
    )
    assert render_field(BLOG_POST.field("hero_image"), page, PageImages(MEDIA)) == ""


def test_external_https_image_is_allowed_without_library_extras() -> None:
    page = Page(
        project_id=PROJECT,
        title="T",
        slug="t",
        template="blog_post",
        template_data={"hero_image": "https://cdn.example.com/a.jpg"},
    )
    html = render_field(BLOG_POST.field("hero_image"), page, PageImages(MEDIA))
    assert html.startswith(
        '<section data-field="hero_image" data-type="image"><img src="https://cdn.example.com/a.jpg"'
    )
    assert "srcset" not in html


def test_every_field_renders_in_its_section_with_text_escaped() -> None:
    page = Page(
        project_id=PROJECT,
        title="Tom & <Jerry>",
        slug="t",
        template="blog_post",
        template_data={"hero_image": LARGE_URL, "summary": "First <b>line</b>\n\nSecond"},
        body_json=doc(paragraph("Hello", [{"type": "bold"}])),
    )
    html = render_page(page, BLOG_POST, MEDIA)
    assert '<section data-field="title" data-type="text"><h1>Tom &amp; &lt;Jerry&gt;</h1></section>' in html
    assert (
        '<section data-field="summary" data-type="textarea"><p>First &lt;b&gt;line&lt;/b&gt;</p><p>Second</p>'
        in html
    )
    assert '<section data-field="body" data-type="rich_text"><p><strong>Hello</strong></p></section>' in html
    assert (
        html.index('data-field="title"')
        < html.index('data-field="hero_image"')
        < html.index('data-field="body"')
    )


def test_rich_text_images_keep_library_metadata() -> None:
    body = doc({"type": "image", "attrs": {"src": LARGE_URL, "alt": "", "mediaId": str(ITEM)}})
    html = render_rich_text(body, PageImages(MEDIA))
    assert 'alt="A harbour at dawn"' in html and "srcset=" in html and 'fetchpriority="high"' in html


@pytest.mark.parametrize(
    "hostile",
    [
        {"type": "image", "attrs": {"src": "javascript:alert(1)"}},
        {"type": "image", "attrs": {"src": "data:image/svg+xml,<svg onload=alert(1)>"}},
        {"type": "image", "attrs": {"src": 'x" onerror="alert(1)'}},
        {"type": "paragraph", "content": [{"type": "text", "text": "<script>alert(1)</script>"}]},
        {
            "type": "paragraph",
            "content": [
                {
                    "type": "text",
                    "text": "x",
                    "marks": [{"type": "link", "attrs": {"href": "javascript:alert(1)"}}],
                }
            ],
        },
        {"type": "rawHtml", "content": [{"type": "text", "text": "<img src=x onerror=alert(1)>"}]},
    ],
)
def test_hostile_rich_text_is_neutralised(hostile: dict) -> None:
    html = render_rich_text(doc(hostile), PageImages(MEDIA)).lower()
    assert "<script" not in html
    assert "onerror=" not in html.replace("&lt;", "<") or "<img" not in html
    assert "javascript:" not in html
    assert "data:" not in html or "<img" not in html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ('<img src="x.png" onerror="alert(1)">', ""),
        ('<p onclick="x()">hi</p>', "<p>hi</p>"),
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<img src="data:image/png;base64,AAAA">', ""),
        (f'<img src="{LARGE_URL}" onload="x()">', f'<img src="{LARGE_URL}">'),
        ('<iframe src="https://evil.example"></iframe>', ""),
        ("<svg><script>alert(1)</script></svg>", ""),
    ],
)
def test_sanitiser_table(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


WEBP_ONLY = UUID("01a21500-0000-7000-8000-0000000000bb")
LQIP = "data:image/webp;base64,UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"


def delivered_item(
    item_id: UUID = ITEM, formats: tuple[str, ...] = ("image/webp", "image/avif")
) -> MediaItem:
    """A processed item whose renditions and placeholder are recorded."""
    item = library_item()
    item.id = item_id
    base = f"{PROJECT}/{item_id}"
    widths = {"thumb": (300, 200), "medium": (800, 533), "large": (1600, 1067)}
    item.variants = {name: f"{base}_{name}.jpg" for name in widths}
    item.renditions = [
        {"name": name, "mime_type": mime, "width": w, "height": h, "file_size": 10, "path": path}
        for mime in ("image/jpeg", *formats)
        for name, (w, h) in widths.items()
        if (path := paths.generate_path(PROJECT, item_id, mime, name))
    ]
    item.placeholder = {"color": "#336699", "thumbhash": "mRkK", "lqip": LQIP, "opaque": True}
    return item


def test_a_page_shows_pictures_with_modern_sources_the_first_eager_the_rest_lazy() -> None:
    media = {ITEM: delivered_item(), WEBP_ONLY: delivered_item(WEBP_ONLY, ("image/webp",))}
    body = doc(
        {
            "type": "image",
            "attrs": {"src": f"/media/{PROJECT}/{WEBP_ONLY}_large.jpg", "mediaId": str(WEBP_ONLY)},
        },
        {"type": "image", "attrs": {"src": LARGE_URL, "alt": "Once more"}},
    )
    page = Page(
        project_id=PROJECT,
        title="T",
        slug="t",
        template="blog_post",
        template_data={"hero_image": LARGE_URL},
        body_json=body,
    )

    html = render_page(page, BLOG_POST, media)

    pictures = re.findall(r"<picture>.*?</picture>", html)
    assert len(pictures) == 3
    hero, webp_only, again = pictures
    assert hero.startswith(
        f'<picture><source type="image/avif" srcset="/media/{PROJECT}/{ITEM}_thumb.avif 300w, '
        f'/media/{PROJECT}/{ITEM}_medium.avif 800w, /media/{PROJECT}/{ITEM}_large.avif 1600w" '
        f'sizes="(max-width: 860px) 100vw, 860px"><source type="image/webp" srcset="'
    )
    assert 'fetchpriority="high"' in hero and "loading=" not in hero
    assert 'width="2400" height="1600"' in hero and 'decoding="async"' in hero
    assert f"/media/{PROJECT}/{ITEM}.jpg 2400w" in hero  # the img's srcset ends with the original
    assert f'style="background-color:#336699;background-image:url({LQIP});background-size:cover"' in hero
    assert "image/avif" not in webp_only and 'type="image/webp"' in webp_only
    for later in (webp_only, again):
        assert 'loading="lazy"' in later and "fetchpriority" not in later
    assert 'alt="Once more"' in again
    assert (
        sanitize_html(html.replace("<section", "<div").replace("</section>", "</div>")).count("<picture>")
        == 3
    )
    urls = re.findall(r'(?:src|srcset)="([^"]*)"', html)
    assert urls and all(
        candidate.strip().split(" ")[0].startswith("/media/") for url in urls for candidate in url.split(",")
    )


def test_items_without_modern_renditions_or_transparent_ones_get_a_plain_img_without_placeholder() -> None:
    item = delivered_item(formats=())
    item.placeholder = {"color": "#336699", "thumbhash": "mRkK", "lqip": LQIP, "opaque": False}

    html = PageImages({ITEM: item}).tag(REFERENCE)

    assert html.startswith("<img ") and "<picture>" not in html and "style=" not in html


@pytest.mark.parametrize(
    "style",
    [
        "background-color:red;background-image:url(https://evil.example/x.png)",
        "background-color:#336699;background-image:url(data:image/svg+xml;base64,PHN2Zz4=);background-size:cover",
        "background-color:#336699;position:fixed",
    ],
)
def test_the_sanitiser_keeps_only_placeholder_styles(style: str) -> None:
    assert sanitize_html(f'<img src="{LARGE_URL}" style="{style}">') == f'<img src="{LARGE_URL}">'


def test_the_sanitiser_drops_sources_outside_the_media_proxy() -> None:
    dirty = (
        '<picture><source type="image/avif" srcset="javascript:alert(1) 300w">'
        '<source type="text/html" srcset="/media/a.avif 300w">'
        f'<img src="{LARGE_URL}" fetchpriority="high" loading="sometimes"></picture>'
    )
    assert (
        sanitize_html(dirty)
        == f'<picture><source srcset="/media/a.avif 300w"><img src="{LARGE_URL}" fetchpriority="high"></picture>'
    )
