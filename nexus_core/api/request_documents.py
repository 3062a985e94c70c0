"""Reading a JSON:API request document: the body within its limit, then its one resource object."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from starlette.requests import Request

from nexus_core.body_limit import refuse_declared_excess, within_limit
from nexus_core.config import MEGABYTE
from nexus_core.errors import Conflict, InvalidInput, MalformedRequest
from nexus_core.ids import parse_id
from nexus_core.media.folders import MISSING_FOLDER

JSON_BODY_LIMIT = MEGABYTE


async def read_document(request: Request) -> Any:
    """The request's JSON document, read up to JSON_BODY_LIMIT; a body that is no JSON is a 400."""
    refuse_declared_excess(request.scope, JSON_BODY_LIMIT)
    body = await Request(request.scope, within_limit(request.receive, JSON_BODY_LIMIT)).body()
    try:
        return json.loads(body)
    except RecursionError:
        raise MalformedRequest("The JSON document is nested too deeply.") from None
    except ValueError:
        raise MalformedRequest("The request body must be a JSON:API document (JSON).") from None


def resource_object(document: Any, resource_type: str, resource_id: str | None = None) -> dict[str, Any]:
    """The document's `data` object, of this type and (for a change) of the id in the URL."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON:API document with a “data” object.")
    if data.get("type") != resource_type:
        raise Conflict(f"The resource type must be “{resource_type}”.")
    if "id" in data and data["id"] != resource_id:
        raise Conflict("The id in the document does not match the URL.")
    return data


def members(data: dict[str, Any], key: str, allowed: set[str]) -> dict[str, Any]:
    """`attributes` or `relationships` of a resource object, refusing members this operation does not take."""
    found = data.get(key, {})
    if not isinstance(found, dict):
        raise InvalidInput(f"“{key}” must be an object.")
    unknown = set(found) - allowed
    if unknown:
        raise InvalidInput(
            f"Unknown {key}: {', '.join(sorted(unknown))}; this operation takes {', '.join(sorted(allowed))}."
        )
    return found


def folder_relationship(data: dict[str, Any], name: str) -> tuple[bool, UUID | None]:
    """Whether the resource object sets its one relationship, the folder `name`, and to which folder
    (None: the library's root)."""
    relationships = members(data, "relationships", {name})
    if name not in relationships:
        return False, None
    relationship = relationships[name]
    linkage = relationship.get("data", False) if isinstance(relationship, dict) else False
    if linkage is None:
        return True, None
    if (
        not isinstance(linkage, dict)
        or linkage.get("type") != "folders"
        or not isinstance(linkage.get("id"), str)
    ):
        raise InvalidInput(f"“relationships.{name}.data” must be null or {{“type”: “folders”, “id”: …}}.")
    return True, parse_id(linkage["id"], MISSING_FOLDER)
