"""SVG uploads: entity tricks and `<use>` bombs refused; scripts, handlers, external references and
other markup removed; every stored file re-written so that it means the same to XML and HTML parsers."""

from __future__ import annotations

import io
import time
from xml.etree.ElementTree import canonicalize, fromstring

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexus_core.config import MEGABYTE
from nexus_core.errors import ImageError, UnsupportedMediaType
from nexus_core.media import svg
from nexus_core.media.formats import SVG
from nexus_core.media.validation import ValidatedUpload, detect_mime_type, validate_upload
from tests.svg_corpus import KEEP, USE_LOOPS, HostileSvg, hostile_svgs, svg_document, use_bomb, xlink_laughs

WARNING = "\u201clogo.svg\u201d: removed {}, which SVG uploads may not contain."
SVG_ELEMENT = "{http://www.w3.org/2000/svg}"


def upload(data: bytes) -> ValidatedUpload:
    return validate_upload("logo.svg", data, max_bytes=MEGABYTE, max_pixels=1_000_000)


def assert_harmless(data: bytes) -> None:
    """Nothing hostile is left, cleaning again removes nothing, and the markup hides nothing.

    Every payload carries `alert` or `evil`; they may stay only as words (text, ids and classes), which
    the stored file escapes. Comments, instructions and CDATA sections, where HTML and XML disagree, are gone.
    """
    text = data.decode()
    assert not any(hidden in text for hidden in ("<!--", "<?", "<![CDATA[", "<!DOCTYPE")), text
    for element in fromstring(data).iter():
        assert element.tag.startswith(SVG_ELEMENT) and element.tag != f"{SVG_ELEMENT}script", text
        code = [value for name, value in element.attrib.items() if name not in ("id", "class")]
        assert not any(word in value.lower() for value in code for word in ("alert", "evil")), text
    assert detect_mime_type(data) == SVG
    cleaned = svg.sanitize(data)
    assert cleaned is not None and (cleaned.removed, cleaned.data) == ({}, data)


# Hostile parts are removed and named in the warning; the rest of the drawing stays. Markup hidden in
# comments, processing instructions and CDATA is not named: none of it is left, and alone it does nothing.

HOSTILE = hostile_svgs()


@pytest.mark.parametrize("case", HOSTILE, ids=[case.name for case in HOSTILE])
def test_hostile_parts_are_removed_and_named(case: HostileSvg) -> None:
    accepted = upload(case.data)
    assert_harmless(accepted.data)
    assert 'id="keep"' in accepted.data.decode()
    assert accepted.warning == (WARNING.format(case.removed) if case.removed else None)
    assert (accepted.mime_type, accepted.filename, accepted.width) == (SVG, "logo.svg", 20)


def test_markup_hidden_in_cdata_is_stored_as_escaped_text() -> None:
    stored = upload(svg_document("<desc><![CDATA[</desc><script>alert(1)</script>]]></desc>")).data
    assert b"<desc>&lt;/desc&gt;&lt;script&gt;alert(1)&lt;/script&gt;</desc>" in stored


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


INKSCAPE_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#">
  <sodipodi:namedview id="namedview1" pagecolor="#ffffff"><inkscape:page x="0" y="0"/></sodipodi:namedview>
  <metadata><rdf:RDF><cc:Work rdf:about=""><cc:license rdf:resource="http://creativecommons.org/"/></cc:Work>
  </rdf:RDF></metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer"><rect id="keep" width="5" height="5"/></g>
</svg>"""


@pytest.mark.parametrize("data", [CLEAN_SVG, ILLUSTRATOR_SVG], ids=["gradients-use-style", "public-doctype"])
def test_clean_svg_is_rewritten_with_every_element_and_attribute(data: bytes) -> None:
    accepted = upload(data)
    assert (accepted.mime_type, accepted.filename, accepted.warning) == (SVG, "logo.svg", None)
    assert canonical(accepted.data) == canonical(data)
    assert_harmless(accepted.data)


def test_editor_metadata_is_dropped_without_a_warning() -> None:
    """Inkscape's and RDF's elements mean nothing to a browser: not a danger to report, not kept either."""
    accepted = upload(INKSCAPE_SVG)
    assert accepted.warning is None
    assert_harmless(accepted.data)
    stored = accepted.data.decode()
    assert "namedview" not in stored and "RDF" not in stored
    assert 'id="keep"' in stored and 'label="Layer 1"' in stored


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


# `<use>` copies: a few (icons, sprites, repeated marks) pass; chains that multiply or loop are refused.

SPRITE = svg_document(
    '<defs><symbol id="icon-home" viewBox="0 0 10 10"><path d="M0 5 L5 0 L10 5"/><rect y="5" width="10" height="5"/>'
    '</symbol><symbol id="icon-star" viewBox="0 0 10 10"><polygon points="5,0 7,10 0,4 10,4 3,10"/></symbol></defs>'
    + "".join(
        f'<use href="#icon-home" x="{n * 12}"/><use xlink:href="#icon-star" y="{n * 12}"/>' for n in range(40)
    )
)


def test_icon_sprite_with_many_uses_is_kept() -> None:
    accepted = upload(SPRITE)
    assert accepted.warning is None
    assert canonical(accepted.data) == canonical(SPRITE)


def marks(count: int) -> bytes:
    """`count` uses of a group of one circle: each draws two elements."""
    return svg_document('<defs><g id="dot"><circle r="1"/></g></defs>' + '<use href="#dot"/>' * count)


def test_use_copies_up_to_the_limit_pass_and_one_more_is_refused() -> None:
    assert upload(marks(svg.MAX_REFERENCED_ELEMENTS // 2)).warning is None
    with pytest.raises(ImageError, match="more than 10,000 copies"):
        upload(marks(svg.MAX_REFERENCED_ELEMENTS // 2 + 1))


@pytest.mark.parametrize(
    "data", [use_bomb(), xlink_laughs()], ids=["groups-using-the-next-twice", "xlink-laughs"]
)
def test_use_bomb_is_refused_quickly(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(ImageError) as caught:
        upload(data)
    assert time.perf_counter() - started < 1
    assert (str(caught.value), caught.value.status_code) == (
        "\u201clogo.svg\u201d: its <use> references would make a browser draw more than 10,000 copies of its "
        "elements, which can freeze any page that shows it.",
        415,
    )


@pytest.mark.parametrize("data", [row[1] for row in USE_LOOPS], ids=[row[0] for row in USE_LOOPS])
def test_use_that_refers_to_itself_is_refused(data: bytes) -> None:
    with pytest.raises(ImageError) as caught:
        upload(data)
    assert str(caught.value) == (
        "\u201clogo.svg\u201d: a <use> element refers to itself, directly or through other references."
    )


def test_long_use_chain_is_counted_without_recursion() -> None:
    """Every use in a chain copies the rest of it, so 5,000 links are refused as copies, not as a crash."""
    chain = "".join(f'<g id="c{n}"><use href="#c{n + 1}"/></g>' for n in range(5000))
    with pytest.raises(ImageError, match="more than 10,000 copies"):
        upload(svg_document(f'<defs>{chain}<g id="c5000"/></defs>'))
