import pytest

from nexus_core.content.templates import (
    BLOG_POST,
    TEMPLATES,
    FieldType,
    Template,
    TemplateField,
    get_template,
)
from nexus_core.errors import InvalidInput


def test_blog_post_fields() -> None:
    assert [(f.key, f.type) for f in BLOG_POST.fields] == [
        ("title", FieldType.TEXT),
        ("hero_image", FieldType.IMAGE),
        ("summary", FieldType.TEXTAREA),
        ("body", FieldType.RICH_TEXT),
    ]
    assert [f.key for f in BLOG_POST.data_fields] == ["hero_image", "summary"]
    assert TEMPLATES["blog_post"] is BLOG_POST


def test_unknown_template_and_field_are_clear_errors() -> None:
    with pytest.raises(InvalidInput, match=r"no template “nope”.*blog_post"):
        get_template("nope")
    with pytest.raises(InvalidInput, match="no field “colour”"):
        BLOG_POST.field("colour")


@pytest.mark.parametrize(
    "fields",
    [
        (TemplateField("a", "A", FieldType.TEXT), TemplateField("a", "A again", FieldType.TEXT)),
        (TemplateField("a", "A", FieldType.RICH_TEXT), TemplateField("b", "B", FieldType.RICH_TEXT)),
    ],
)
def test_templates_refuse_ambiguous_definitions(fields) -> None:
    with pytest.raises(ValueError):
        Template(key="broken", name="Broken", fields=fields)
