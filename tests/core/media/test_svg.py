"""SVG uploads: entity tricks refused; scripts, handlers and external references removed, the rest kept."""

from __future__ import annotations

import io
import time
from xml.etree.ElementTree import canonicalize

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_core.config import MEGABYTE
from nexus_core.errors import ImageError, UnsupportedMediaType
from nexus_core.media import svg
from nexus_core.media.validation import SVG, ValidatedUpload, detect_mime_type, validate_upload

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20"'
KEEP = '<rect id="keep" width="5" height="5"/>'
WARNING = "\u201clogo.svg\u201d: removed {}, which SVG uploads may not contain."


def svg_document(body: str, *, prolog: str = "", root_attributes: str = "") -> bytes:
    return f"{prolog}{SVG_OPEN}{root_attributes}>{body}</svg>".encode()


def upload(data: bytes) -> ValidatedUpload:
    return validate_upload("logo.svg", data, max_bytes=MEGABYTE, max_pixels=1_000_000)


def assert_harmless(data: bytes) -> None:
    """Nothing hostile is left: every payload below carries `alert` or `evil`, and cleaning again removes nothing."""
    text = data.decode().lower()
    assert "alert" not in text and "evil" not in text, text
    assert detect_mime_type(data) == SVG
    cleaned = svg.sanitize(data)
    assert cleaned is not None and cleaned.removed == {}


# Hostile parts are removed and named in the warning; the rest of the drawing stays.

HOSTILE: list[tuple[str, bytes, str]] = [
    ("script", svg_document(f"<script>alert(1)</script>{KEEP}"), "1 script"),
    ("cdata-script", svg_document(f"<script><![CDATA[alert(1)]]></script>{KEEP}"), "1 script"),
    ("prefixed-script",
     b'<s:svg xmlns:s="http://www.w3.org/2000/svg" width="20" height="20"><s:script>alert(1)</s:script>'
     b'<s:rect id="keep" width="5" height="5"/></s:svg>', "1 script"),
    ("xhtml-script", svg_document(f'<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>{KEEP}'), "1 script"),
    ("onload", svg_document(KEEP, root_attributes=' onload="alert(1)"'), "1 event handler"),
    ("onclick-uppercase", svg_document('<rect id="keep" ONCLICK="alert(1)" width="5" height="5"/>'), "1 event handler"),
    ("namespaced-handler", svg_document(f'<rect xmlns:x="urn:x" x:onmouseover="alert(1)"/>{KEEP}'), "1 event handler"),
    ("javascript-href", svg_document(f'<a href="javascript:alert(1)">{KEEP}</a>'), "1 external reference"),
    ("javascript-xlink-mixed-case",
     svg_document(f'<a xlink:href="JaVaScRiPt:alert(1)">{KEEP}</a>'), "1 external reference"),
    ("javascript-entities-whitespace",
     svg_document(f'<a xlink:href=" &#x6A;ava&#9;script&#58;alert(1)">{KEEP}</a>'), "1 external reference"),
    ("external-image", svg_document(f'<image href="https://evil.example/t.png" width="5" height="5"/>{KEEP}'),
     "1 external reference"),
    ("protocol-relative", svg_document(f'<image href="//evil.example/t.png"/>{KEEP}'), "1 external reference"),
    ("file-url", svg_document(f'<image xlink:href="file:///evil/passwd"/>{KEEP}'), "1 external reference"),
    ("external-use", svg_document(f'<use href="https://evil.example/sprite.svg#icon"/>{KEEP}'), "1 external reference"),
    ("relative-use", svg_document(f'<use xlink:href="evil.svg#icon"/>{KEEP}'), "1 external reference"),
    ("svg-data-url", svg_document(f'<image href="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/>{KEEP}'),
     "1 external reference"),
    ("html-data-url", svg_document(f'<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">{KEEP}</a>'),
     "1 external reference"),
    ("foreign-object",
     svg_document(f'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">evil</div></foreignObject>{KEEP}'),
     "1 embedded document"),
    ("iframe", svg_document(f'<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/>{KEEP}'),
     "1 embedded document"),
    ("embed", svg_document(f'<embed xmlns="http://www.w3.org/1999/xhtml" src="evil.swf"/>{KEEP}'), "1 embedded document"),
    ("object", svg_document(f'<object xmlns="http://www.w3.org/1999/xhtml" data="evil.pdf"/>{KEEP}'),
     "1 embedded document"),
    ("link", svg_document(f'<link xmlns="http://www.w3.org/1999/xhtml" rel="stylesheet" href="evil.css"/>{KEEP}'),
     "1 external reference"),
    ("set-href", svg_document(f'<a><set attributeName="href" to="javascript:alert(1)"/>{KEEP}</a>'),
     "1 external reference"),
    ("animate-xlink-href",
     svg_document(f'<a><animate attributeName="xlink:href" values="javascript:alert(1)"/>{KEEP}</a>'),
     "1 external reference"),
    ("set-handler", svg_document('<rect id="keep"><set attributeName="onmouseover" to="alert(1)"/></rect>'),
     "1 event handler"),
    ("style-import", svg_document(f"<style>@import url(https://evil.example/x.css);</style>{KEEP}"),
     "1 external reference"),
    ("style-import-string", svg_document(f'<style>@import "https://evil.example/x.css";</style>{KEEP}'),
     "1 external reference"),
    ("style-escaped-import", svg_document(rf"<style>@\69mport 'evil.css';</style>{KEEP}"), "1 external reference"),
    ("style-url", svg_document(f"<style>rect {{ fill: url(https://evil.example/x.svg#p) }}</style>{KEEP}"),
     "1 external reference"),
    ("style-escaped-url", svg_document(rf"<style>rect {{ fill: \75 rl(https://evil.example/p) }}</style>{KEEP}"),
     "1 external reference"),
    ("style-attribute-escaped-url", svg_document(r'<rect id="keep" style="fill: u\72l(//evil.example/p)"/>'),
     "1 external reference"),
    ("style-font", svg_document(f"<style>@font-face {{ src: url('//evil.example/f.woff') }}</style>{KEEP}"),
     "1 external reference"),
    ("style-attribute-url",
     svg_document('<rect id="keep" style="background: url( &quot;http://evil.example/p&quot; )"/>'),
     "1 external reference"),
    ("presentation-attribute-url", svg_document('<rect id="keep" filter="url(https://evil.example/f.svg#blur)"/>'),
     "1 external reference"),
    ("image-set", svg_document('<rect id="keep" style="background: image-set(\'evil.png\' 1x)"/>'),
     "1 external reference"),
    ("xml-stylesheet",
     svg_document(KEEP, prolog='<?xml-stylesheet type="text/css" href="https://evil.example/x.css"?>'),
     "1 external reference"),
    ("xml-base", svg_document(f'<g xml:base="https://evil.example/"><use href="#keep"/></g>{KEEP}'),
     "1 external reference"),
    ("several",
     svg_document(f'<script>alert(1)</script><g onclick="alert(1)" onmouseover="alert(2)">{KEEP}</g>'
                  '<image href="https://evil.example/p.png"/><foreignObject/>'),
     "1 script, 2 event handlers, 1 external reference and 1 embedded document"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "removed"), [row[1:] for row in HOSTILE], ids=[row[0] for row in HOSTILE])
def test_hostile_parts_are_removed_and_named(data: bytes, removed: str) -> None:
    accepted = upload(data)
    assert_harmless(accepted.data)
    assert 'id="keep"' in accepted.data.decode()
    assert accepted.warning == WARNING.format(removed)
    assert (accepted.mime_type, accepted.filename, accepted.width) == (SVG, "logo.svg", 20)


CLEAN_SVG = """\ufeff<?xml version="1.0" encoding="UTF-8"?>
<!-- Exported by hand -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     width="200" height="100" viewBox="0 0 200 100" inkscape:version="1.3">
  <title>Logo</title>
  <style>
    /* @import is only mentioned in this comment */
    .mark { fill: url(#fade); stroke: url( '#edge' ); }
    text { font-family: sans-serif; }
  </style>
  <defs>
    <linearGradient id="fade" x1="0" x2="1">
      <stop offset="0" stop-color="#0a7"/><stop offset="1" stop-color="#07a"/>
    </linearGradient>
    <radialGradient id="edge" xlink:href="#fade"/>
    <clipPath id="clip"><rect width="200" height="100" rx="8"/></clipPath>
    <g id="a"><circle cx="20" cy="20" r="15" class="mark"/></g>
  </defs>
  <g clip-path="url(#clip)">
    <use href="#a"/>
    <use xlink:href="#a" x="40"/>
    <a href="#a"><text x="100" y="60">Nexus</text></a>
    <image width="4" height="4" x="150"
           href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="/>
    <animate attributeName="opacity" from="0" to="1" dur="1s"/>
  </g>
</svg>
""".encode()

ILLUSTRATOR_SVG = svg_document(
    KEEP,
    prolog='<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n',
)


@pytest.mark.parametrize("data", [CLEAN_SVG, ILLUSTRATOR_SVG], ids=["gradients-use-style", "public-doctype"])
def test_clean_svg_is_stored_byte_for_byte(data: bytes) -> None:
    accepted = upload(data)
    assert (accepted.mime_type, accepted.filename, accepted.warning) == (SVG, "logo.svg", None)
    assert accepted.data == data


def test_clean_svg_dimensions() -> None:
    assert (upload(CLEAN_SVG).width, upload(CLEAN_SVG).height) == (200, 100)


def canonical(data: bytes) -> str:
    return canonicalize(from_file=io.BytesIO(data), rewrite_prefixes=True)


def test_cleaning_keeps_every_benign_part() -> None:
    """Fragment and data:image/png links, styles without URLs, the text around a removed element."""
    hostile = (
        CLEAN_SVG.replace(b"<title>Logo</title>", b"<title>Logo</title><script>alert(1)</script>")
        .replace(b'<use href="#a"/>', b'<use href="#a" onclick="alert(1)"/>')
        .replace(b">Nexus<", b">Nex<set attributeName='href' to='javascript:alert(1)'/>us<")
    )
    accepted = upload(hostile)
    assert_harmless(accepted.data)
    assert canonical(accepted.data) == canonical(CLEAN_SVG)
    assert accepted.warning == WARNING.format("1 script, 1 event handler and 1 external reference")


def test_cleaned_svg_keeps_the_usual_prefixes() -> None:
    cleaned = upload(svg_document('<script>alert(1)</script><use xlink:href="#a"/>')).data.decode()
    assert cleaned.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    )
    assert '<use xlink:href="#a" />' in cleaned


# Any mix of hostile and benign parts, nested at random, comes out harmless.

BENIGN_PARTS = [KEEP, '<use href="#keep"/>', "<text>hi</text>", '<circle r="2" style="fill: url(#g)"/>']
HOSTILE_PARTS = [
    "<script>alert(1)</script>",
    '<rect onload="alert(1)"/>',
    '<a href="javascript:alert(1)"><text>x</text></a>',
    '<image xlink:href="https://evil.example/p.png"/>',
    '<use href="http://evil.example/s.svg#i"/>',
    '<rect style="background:url(http://evil.example/p)"/>',
    "<style>@import 'https://evil.example/x.css';</style>",
    r'<rect style="fill: u\72l(https://evil.example/p)"/>',
    '<set attributeName="href" to="javascript:alert(1)"/>',
    '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml" onclick="alert(1)">evil</p></foreignObject>',
]
drawings = st.recursive(
    st.sampled_from(BENIGN_PARTS + HOSTILE_PARTS),
    lambda children: st.builds(
        lambda tag, parts: f"<{tag}>{''.join(parts)}</{tag}>",
        st.sampled_from(["g", "a", "defs", "switch", "symbol"]),
        st.lists(children, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(body=st.lists(drawings, min_size=1, max_size=4), stylesheet=st.booleans())
def test_any_mix_of_hostile_parts_comes_out_harmless(body: list[str], stylesheet: bool) -> None:
    prolog = '<?xml-stylesheet href="https://evil.example/x.css"?>' if stylesheet else ""
    cleaned = svg.sanitize(svg_document("".join(body), prolog=prolog))
    assert cleaned is not None
    assert_harmless(cleaned.data)


# What cannot be cleaned at the XML level is refused.

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>"""

PARAMETER_ENTITY = b"""<!DOCTYPE svg [<!ENTITY % remote SYSTEM "https://evil.example/x.dtd"> %remote;]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""

DEFAULT_ATTRIBUTE = b"""<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""

EXTERNAL_DTD = b"""<!DOCTYPE svg SYSTEM "http://169.254.169.254/latest/meta-data/">
<svg xmlns="http://www.w3.org/2000/svg"/>"""


@pytest.mark.parametrize(
    "data", [XXE, BILLION_LAUGHS, PARAMETER_ENTITY, DEFAULT_ATTRIBUTE, EXTERNAL_DTD],
    ids=["xxe", "billion-laughs", "parameter-entity", "attlist-default-handler", "external-dtd"],
)  # fmt: skip
def test_svg_with_entities_or_custom_doctype_is_refused(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsupportedMediaType) as caught:
        upload(data)
    assert time.perf_counter() - started < 1
    reason = "declares XML entities or a custom DOCTYPE, which are not allowed in SVG uploads."
    assert (str(caught.value), caught.value.status_code) == (f"\u201clogo.svg\u201d {reason}", 415)
    assert detect_mime_type(data) is None


def test_nesting_too_deep_to_write_out_is_refused() -> None:
    data = svg_document("<g>" * 5000 + "<script>alert(1)</script>" + "</g>" * 5000)
    with pytest.raises(ImageError, match="nests its elements too deeply to be read"):
        upload(data)
