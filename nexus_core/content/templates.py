"""The template registry: which fields a page of each template has, and of what type."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from nexus_core.errors import InvalidInput
from nexus_core.media import renditions
from nexus_core.media.renditions import Aspect


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    IMAGE = "image"
    RICH_TEXT = "rich_text"


@dataclass(frozen=True)
class TemplateField:
    key: str
    label: str
    type: FieldType
    required: bool = False
    max_length: int = 10_000
    aspect: Aspect | None = None
    """An image field's shape: published pages show its aspect renditions, cut around the focal point."""

    def __post_init__(self) -> None:
        if self.aspect is not None and self.type is not FieldType.IMAGE:
            raise ValueError(f"field {self.key!r} is no image field, so it cannot have an aspect ratio")
        if self.aspect is not None and self.aspect not in renditions.ASPECTS:
            raise ValueError(
                f"field {self.key!r}: no renditions are made for {self.aspect.name} (renditions.ASPECTS)"
            )


@dataclass(frozen=True)
class Template:
    """A page's fields; the `title` field is the page title and the rich-text field is the page body."""

    key: str
    name: str
    fields: tuple[TemplateField, ...]

    def __post_init__(self) -> None:
        keys = [field.key for field in self.fields]
        if len(keys) != len(set(keys)):
            raise ValueError(f"template {self.key!r} repeats a field key")
        if sum(field.type is FieldType.RICH_TEXT for field in self.fields) > 1:
            raise ValueError(f"template {self.key!r} has more than one rich-text field (the page body)")

    def field(self, key: str) -> TemplateField:
        for field in self.fields:
            if field.key == key:
                return field
        raise InvalidInput(f"The template “{self.name}” has no field “{key}”.")

    @property
    def data_fields(self) -> tuple[TemplateField, ...]:
        """Fields whose values live in `Page.template_data` (not the title, not the body)."""
        return tuple(f for f in self.fields if f.key != TITLE_FIELD and f.type is not FieldType.RICH_TEXT)


TITLE_FIELD = "title"

BLOG_POST = Template(
    key="blog_post",
    name="Blog post",
    fields=(
        TemplateField(TITLE_FIELD, "Title", FieldType.TEXT, required=True, max_length=200),
        TemplateField("hero_image", "Hero image", FieldType.IMAGE, max_length=2048, aspect=renditions.WIDE),
        TemplateField("summary", "Summary", FieldType.TEXTAREA, max_length=2000),
        TemplateField("body", "Body", FieldType.RICH_TEXT),
    ),
)

TEMPLATES: MappingProxyType[str, Template] = MappingProxyType({BLOG_POST.key: BLOG_POST})
DEFAULT_TEMPLATE = BLOG_POST.key


def get_template(key: str) -> Template:
    try:
        return TEMPLATES[key]
    except KeyError:
        known = ", ".join(sorted(TEMPLATES))
        raise InvalidInput(f"There is no template “{key}”; choose one of: {known}.") from None
