"""The request documents of the API as its OpenAPI description states them, for the operations that
read their body themselves (so FastAPI cannot describe it); answers are in schemas.py."""

from __future__ import annotations

from typing import Any

from nexus_core.api.documents import JSONAPI_MEDIA_TYPE
from nexus_core.webhooks.messages import WebhookEvent
from nexus_core.webhooks.receivers import MAX_URL_LENGTH


def request_body(media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    """`openapi_extra` for an operation that reads its body itself (so FastAPI cannot describe it)."""
    return {"requestBody": {"required": True, "content": {media_type: {"schema": schema}}}}


UPLOAD_FORM = request_body(
    "multipart/form-data",
    {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "minItems": 1,
                "maxItems": 10,
            },
            "alt_text": {"type": "string"},
            "folder": {"type": "string", "description": "A folder's id: the new items go into it."},
            "tags": {"type": "string", "description": "Comma-separated tags for the new items."},
        },
    },
)
REPLACE_FORM = request_body(
    "multipart/form-data",
    {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": "The new image."}},
    },
)
_FOLDER_LINKAGE = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["type", "id"],
                    "properties": {"type": {"const": "folders"}, "id": {"type": "string"}},
                },
            ]
        }
    },
}


def folder_body(*, creating: bool) -> dict[str, Any]:
    """POST needs `attributes.name`; PATCH takes a new name, a new parent, or both."""
    attributes: dict[str, Any] = {
        "type": "object",
        "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100}},
        "additionalProperties": False,
    }
    data: dict[str, Any] = {
        "type": "object",
        "required": ["type", "attributes"] if creating else ["type"],
        "properties": {
            "type": {"const": "folders"},
            "id": {"type": "string"},
            "attributes": {**attributes, "required": ["name"]} if creating else attributes,
            "relationships": {
                "type": "object",
                "properties": {"parent": _FOLDER_LINKAGE},
                "additionalProperties": False,
            },
        },
    }
    return request_body(
        JSONAPI_MEDIA_TYPE, {"type": "object", "required": ["data"], "properties": {"data": data}}
    )


EDIT_PROPERTIES: dict[str, Any] = {
    "focal_point": {
        "type": ["object", "null"],
        "description": "Fractions of the upright original; null: the centre.",
        "required": ["x", "y"],
        "properties": {
            "x": {"type": "number", "minimum": 0, "maximum": 1},
            "y": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "additionalProperties": False,
    },
    "crop": {
        "type": ["object", "null"],
        "description": "Whole pixels of the upright original, inside it; null: all of it.",
        "required": ["left", "top", "width", "height"],
        "properties": {
            "left": {"type": "integer", "minimum": 0},
            "top": {"type": "integer", "minimum": 0},
            "width": {"type": "integer", "minimum": 1},
            "height": {"type": "integer", "minimum": 1},
        },
        "additionalProperties": False,
    },
    "rotate": {
        "type": "integer",
        "enum": [0, 90, 180, 270],
        "description": "Degrees clockwise, after the crop.",
    },
    "flip": {
        "type": ["object", "null"],
        "description": "Mirrored after the rotation; null: neither.",
        "properties": {"horizontal": {"type": "boolean"}, "vertical": {"type": "boolean"}},
        "additionalProperties": False,
    },
}
MEDIA_ITEM_CHANGE_DATA: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"const": "media_items"},
        "id": {"type": "string"},
        "attributes": {
            "type": "object",
            "properties": {
                "alt_text": {"type": ["string", "null"], "maxLength": 1000},
                "tags": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 50}},
            },
            "additionalProperties": False,
        },
        "relationships": {
            "type": "object",
            "properties": {"folder": _FOLDER_LINKAGE},
            "additionalProperties": False,
        },
    },
}
_ATTRIBUTES = MEDIA_ITEM_CHANGE_DATA["properties"]["attributes"]
MEDIA_ITEM_PATCH_DATA: dict[str, Any] = {
    **MEDIA_ITEM_CHANGE_DATA,
    "properties": {
        **MEDIA_ITEM_CHANGE_DATA["properties"],
        "attributes": {**_ATTRIBUTES, "properties": {**_ATTRIBUTES["properties"], **EDIT_PROPERTIES}},
    },
}
ITEM_CHANGE = request_body(
    JSONAPI_MEDIA_TYPE,
    {"type": "object", "required": ["data"], "properties": {"data": MEDIA_ITEM_PATCH_DATA}},
)

OPERATIONS_BODY = request_body(
    'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"',
    {
        "type": "object",
        "required": ["atomic:operations"],
        "properties": {
            "atomic:operations": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1000,
                "items": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["op", "data"],
                            "properties": {
                                "op": {"const": "update"},
                                "data": {**MEDIA_ITEM_CHANGE_DATA, "required": ["type", "id"]},
                            },
                        },
                        {
                            "type": "object",
                            "required": ["op", "ref"],
                            "properties": {
                                "op": {"const": "remove"},
                                "ref": {
                                    "type": "object",
                                    "required": ["type", "id"],
                                    "properties": {
                                        "type": {"const": "media_items"},
                                        "id": {"type": "string"},
                                    },
                                },
                                "meta": {
                                    "type": "object",
                                    "properties": {
                                        "force": {
                                            "type": "boolean",
                                            "description": "Remove it though pages use it.",
                                        }
                                    },
                                },
                            },
                        },
                    ]
                },
            }
        },
    },
)


def webhook_body(*, creating: bool) -> dict[str, Any]:
    """POST needs `url` and `events`; PATCH takes any of `url`, `events` and `enabled`."""
    attributes: dict[str, Any] = {
        "type": "object",
        "properties": {
            "url": {
                "type": "string",
                "pattern": "^https?://",
                "maxLength": MAX_URL_LENGTH,
                "description": "http(s) only; hosts on loopback, private, link-local and other non-public "
                "addresses are refused unless NEXUS_WEBHOOK_ALLOW_PRIVATE=true (422).",
            },
            "events": {
                "type": "array",
                "items": {"enum": [event.value for event in WebhookEvent]},
                "minItems": 1,
                "uniqueItems": True,
            },
            "enabled": {"type": "boolean", "description": "Enabling starts the count of failures again."},
        },
        "additionalProperties": False,
    }
    data: dict[str, Any] = {
        "type": "object",
        "required": ["type", "attributes"] if creating else ["type"],
        "properties": {
            "type": {"const": "webhooks"},
            "id": {"type": "string"},
            "attributes": {**attributes, "required": ["url", "events"]} if creating else attributes,
        },
    }
    return request_body(
        JSONAPI_MEDIA_TYPE, {"type": "object", "required": ["data"], "properties": {"data": data}}
    )
