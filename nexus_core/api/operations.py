"""POST /api/v1/operations: bulk changes through JSON:API's Atomic Operations extension, all or nothing.

https://jsonapi.org/ext/atomic/ — `update` (alt text, tags, folder) and `remove` of media items. The
first operation that fails undoes the batch and is named by `source.pointer`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from nexus_core.api.base_url import base_url
from nexus_core.api.deps import ActorDep, SessionDep
from nexus_core.api.documents import JSONAPI_MEDIA_TYPE, JsonApiResponse
from nexus_core.api.item_changes import item_changes
from nexus_core.api.request_documents import read_document, resource_object
from nexus_core.api.request_schemas import OPERATIONS_BODY
from nexus_core.api.routing import JsonApiRoute, nexus_error_response
from nexus_core.api.schemas import OperationsDocument, answers
from nexus_core.config import get_settings
from nexus_core.errors import InvalidInput, NexusError, UnsupportedMediaType
from nexus_core.media import bulk
from nexus_core.resources import media_item_resource

ATOMIC = "https://jsonapi.org/ext/atomic"
ATOMIC_MEDIA_TYPE = f'{JSONAPI_MEDIA_TYPE}; ext="{ATOMIC}"'
OPERATIONS = "atomic:operations"

router = APIRouter(route_class=JsonApiRoute, default_response_class=JsonApiResponse, tags=["organisation"])


@router.post(
    "/operations",
    responses=answers(200, OperationsDocument, 400, 401, 403, 404, 409, 413, 415, 422, 503),
    openapi_extra=OPERATIONS_BODY,
)
async def run_operations(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Up to 1,000 `update` and `remove` operations on `media_items`. A `remove` of an item that
    pages use is a 409 unless the operation carries `"meta": {"force": true}`."""
    if f'ext="{ATOMIC}"' not in request.headers.get("content-type", "").replace(" ", ""):
        raise UnsupportedMediaType(f"Send the operations as {ATOMIC_MEDIA_TYPE}.")
    document = await read_document(request)
    listed = document.get(OPERATIONS) if isinstance(document, dict) else None
    if not isinstance(listed, list):
        raise InvalidInput(f"The document needs “{OPERATIONS}”, a list of operations.")
    operations: list[bulk.Operation] = []
    for index, entry in enumerate(listed):
        try:
            operations.append(_operation(entry))
        except NexusError as error:
            return nexus_error_response(error, pointer=f"/{OPERATIONS}/{index}")
    try:
        results = await run_in_threadpool(bulk.apply, session, actor=actor, operations=operations)
    except bulk.OperationFailed as failure:
        return nexus_error_response(failure.error, pointer=f"/{OPERATIONS}/{failure.index}")
    base = base_url(request, get_settings())
    answered: list[dict[str, Any]] = [
        {} if item is None else {"data": media_item_resource(item, base_url=base)} for item in results
    ]
    return JsonApiResponse(
        {"atomic:results": answered, "meta": {"operations": len(answered)}},
        headers={"Content-Type": ATOMIC_MEDIA_TYPE},
    )


def _operation(entry: Any) -> bulk.Operation:
    if not isinstance(entry, dict) or entry.get("op") not in ("update", "remove"):
        raise InvalidInput("Each operation is an object with “op”: “update” or “remove”.")
    if entry["op"] == "update":
        data = entry.get("data")
        item_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(item_id, str):
            raise InvalidInput("An update names its item in “data.id”.")
        return bulk.Update(item_id, item_changes(resource_object({"data": data}, "media_items", item_id)))
    ref = entry.get("ref")
    if not isinstance(ref, dict) or ref.get("type") != "media_items" or not isinstance(ref.get("id"), str):
        raise InvalidInput("A remove names its item in “ref”: {“type”: “media_items”, “id”: …}.")
    meta = entry.get("meta", {})
    force = isinstance(meta, dict) and meta.get("force") is True
    return bulk.Remove(ref["id"], force=force)
