"""Published pages as HTML: each template field in a <section>, images as pictures (content.pictures)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from nexus_core.content import references, rich_text
from nexus_core.content.pictures import MediaCatalog, PageImages
from nexus_core.content.sanitize import sanitize_html
from nexus_core.content.templates import TITLE_FIELD, FieldType, Template, TemplateField
from nexus_core.models import Page


def render_rich_text(document: Mapping[str, Any], images: PageImages) -> str:
    def image(attributes: Mapping[str, Any]) -> str:
        reference = references.read_node(attributes)
        return images.tag(reference) if reference else ""

    return sanitize_html(rich_text.render(document, image=image))


def render_field(field: TemplateField, page: Page, images: PageImages) -> str:
    """`<section data-field=… data-type=…>`; an empty or unsafe value renders nothing."""
    inner = _field_html(field, page, images)
    if not inner:
        return ""
    return f'<section data-field="{escape(field.key)}" data-type="{field.type}">{inner}</section>'


def _field_html(field: TemplateField, page: Page, images: PageImages) -> str:
    if field.key == TITLE_FIELD:
        return f"<h1>{escape(page.title)}</h1>" if page.title else ""
    if field.type is FieldType.RICH_TEXT:
        return render_rich_text(page.body_json, images)
    value = page.template_data.get(field.key)
    if field.type is FieldType.IMAGE:
        reference = references.read_field(value)
        return sanitize_html(images.tag(reference, aspect=field.aspect)) if reference else ""
    if not isinstance(value, str) or not value.strip():
        return ""
    if field.type is FieldType.TEXTAREA:
        paragraphs = [part.strip() for part in value.split("\n\n") if part.strip()]
        return "".join(f"<p>{escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    return f"<p>{escape(value)}</p>"


def render_page(page: Page, template: Template, media: MediaCatalog) -> str:
    """The page body: every field of its template, in order."""
    images = PageImages(media)
    return "".join(render_field(field, page, images) for field in template.fields)


def render_document(page: Page, template: Template, media: MediaCatalog, *, project_name: str) -> str:
    """A complete, self-contained HTML document for a published page."""
    return PAGE_SHELL.format(
        title=escape(page.title),
        project=escape(project_name),
        body=render_page(page, template, media),
    )


PAGE_SHELL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {project}</title>
<style>
body {{ margin: 0; font: 18px/1.65 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1e293b; background: #fff; }}
main {{ max-width: 860px; margin: 0 auto; padding: 48px 24px 96px; }}
header.site {{ font-size: 14px; color: #64748b; margin-bottom: 32px; letter-spacing: .02em; }}
h1 {{ font-size: 2.4rem; line-height: 1.15; margin: 0 0 24px; color: #0f172a; }}
h2, h3, h4 {{ color: #0f172a; line-height: 1.25; }}
img {{ max-width: 100%; height: auto; border-radius: 12px; display: block; margin: 24px 0; }}
section[data-field="summary"] {{ font-size: 1.2rem; color: #475569; }}
blockquote {{ border-left: 4px solid #c7d2fe; margin: 24px 0; padding: 4px 20px; color: #475569; }}
pre {{ background: #0f172a; color: #e2e8f0; padding: 16px; border-radius: 8px; overflow-x: auto; }}
a {{ color: #4f46e5; }}
</style></head>
<body><main><header class="site">{project}</header>
<article>{body}</article>
</main></body></html>
"""
