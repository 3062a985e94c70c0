"""page image references: pages name the media items they show instead of storing their URLs

An image field's `/media/…` URL becomes `{"media_id": …, "alt": ""}` (fields had no alt text of their own);
a rich-text image node's becomes `{"mediaId": …, "alt": …}`, its alt text kept as this usage's own only where
it differs from the item's (equal means "the item's", which now follows the item). Pages then show what they
showed before, in each item's current version. Downgrade writes each item's `large` URL (else its
original's) back, with the alt text the page showed; usages of items deleted since are dropped, and an image
field's own alt text is lost (the schema before had no place for it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-21 10:00:00
"""

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MEDIA_URL = re.compile(rf"/media/{_UUID}/(?P<item>{_UUID})(?:-v[0-9]+)?(?:_[0-9a-z_]+)?\.[0-9a-z]+")
PAGES = sa.table(
    "pages",
    sa.column("id", sa.Uuid()),
    sa.column("template_data", sa.JSON()),
    sa.column("body_json", sa.JSON()),
)
ITEMS = sa.table(
    "media_items",
    sa.column("id", sa.Uuid()),
    sa.column("alt_text", sa.String()),
    sa.column("file_path", sa.String()),
    sa.column("variants", sa.JSON()),
)
Item = Mapping[str, Any]
Node = dict[str, Any]


def _item_id(url: object) -> UUID | None:
    match = MEDIA_URL.fullmatch(url) if isinstance(url, str) else None
    return UUID(match["item"]) if match else None


def _url(item: Item) -> str:
    return "/media/" + ((item["variants"] or {}).get("large") or item["file_path"])


def _map_images(node: Node, change: Callable[[Node], Node | None]) -> Node:
    """A copy of the document with each image node's attrs changed; None drops the node."""
    copy = dict(node)
    if isinstance(node.get("content"), list):
        copy["content"] = []
        for child in node["content"]:
            if isinstance(child, dict) and child.get("type") == "image":
                if (attributes := change(dict(child.get("attrs") or {}))) is not None:
                    copy["content"].append({**child, "attrs": attributes})
            else:
                copy["content"].append(_map_images(child, change) if isinstance(child, dict) else child)
    return copy


def _items(connection: sa.Connection, ids: set[UUID]) -> dict[UUID, Item]:
    if not ids:
        return {}
    rows = connection.execute(sa.select(ITEMS).where(ITEMS.c.id.in_(ids))).mappings()
    return {row["id"]: dict(row) for row in rows}


def _node_item_id(attributes: Node) -> UUID | None:
    try:
        return UUID(str(attributes["mediaId"]))
    except (KeyError, ValueError):
        return _item_id(attributes.get("src"))


def _field_item_id(value: object) -> UUID | None:
    """The item of an image field, stored either way (a URL before, a reference after)."""
    return _uuid(value.get("media_id")) if isinstance(value, dict) else _item_id(value)


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _item(items: Mapping[UUID, Item], item_id: UUID | None) -> Item | None:
    return items.get(item_id) if item_id else None


def _referenced(page: Mapping[str, Any]) -> set[UUID]:
    found = {_field_item_id(value) for value in (page["template_data"] or {}).values()}

    def collect(attributes: Node) -> Node:
        found.add(_node_item_id(attributes))
        return attributes

    _map_images(page["body_json"] or {}, collect)
    return {item_id for item_id in found if item_id}


def _to_references(page: Mapping[str, Any], items: Mapping[UUID, Item]) -> tuple[dict, Node]:
    data = {
        key: {"media_id": str(item_id), "alt": ""} if (item_id := _item_id(value)) else value
        for key, value in (page["template_data"] or {}).items()
    }

    def reference(attributes: Node) -> Node:
        item_id = _node_item_id(attributes)
        if item_id is None:
            return attributes
        alt = attributes.get("alt") if isinstance(attributes.get("alt"), str) else ""
        item = _item(items, item_id)
        return {"mediaId": str(item_id), "alt": "" if item is not None and alt == item["alt_text"] else alt}

    return data, _map_images(page["body_json"] or {}, reference)


def _to_urls(page: Mapping[str, Any], items: Mapping[UUID, Item]) -> tuple[dict, Node]:
    data = {}
    for key, value in (page["template_data"] or {}).items():
        item = _item(items, _field_item_id(value))
        data[key] = (_url(item) if item else "") if isinstance(value, dict) else value

    def url(attributes: Node) -> Node | None:
        if "src" in attributes or not attributes.get("mediaId"):
            return attributes
        item = _item(items, _uuid(attributes["mediaId"]))
        if item is None:
            return None
        alt = attributes.get("alt") or item["alt_text"]
        return {"src": _url(item), "alt": alt, "mediaId": str(attributes["mediaId"])}

    return data, _map_images(page["body_json"] or {}, url)


def _rewrite(convert: Callable[[Mapping[str, Any], Mapping[UUID, Item]], tuple[dict, Node]]) -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(PAGES)).mappings().all():
        page = dict(row)
        data, body = convert(page, _items(connection, _referenced(page)))
        if data != (page["template_data"] or {}) or body != (page["body_json"] or {}):
            connection.execute(
                PAGES.update().where(PAGES.c.id == page["id"]).values(template_data=data, body_json=body)
            )


def upgrade() -> None:
    _rewrite(_to_references)


def downgrade() -> None:
    _rewrite(_to_urls)
