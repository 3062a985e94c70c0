"""/api/v1/media_items: list, upload, read, change alt text, delete."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from nexus_core.api.base_url import base_url
from nexus_core.api.deps import ActorDep, SessionDep
from nexus_core.api.documents import JsonApiResponse, media_item_resource, page_links
from nexus_core.api.request_documents import read_document, resource_object
from nexus_core.api.routing import JsonApiRoute
from nexus_core.api.schemas import (
    ALT_TEXT_CHANGE,
    UPLOAD_FORM,
    UPLOADED,
    MediaItemDocument,
    MediaItemListDocument,
    UploadDocument,
    answers,
)
from nexus_core.body_limit import upload_receive
from nexus_core.config import get_settings
from nexus_core.errors import InvalidInput
from nexus_core.media import deletion, editing, library
from nexus_core.media import upload as uploading
from nexus_core.models import MediaStatus

router = APIRouter(
    prefix="/media_items", route_class=JsonApiRoute, default_response_class=JsonApiResponse, tags=["media"]
)

NO_NUL = r"^[^\x00]*$"
"""A search with NUL is a bad parameter (400) here; PostgreSQL could not even compare it."""


def _base_url(request: Request) -> str:
    return base_url(request, get_settings())


@router.get("", responses=answers(200, MediaItemListDocument, 400, 401, 503))
def list_media_items(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(alias="page[limit]", ge=1, le=library.MAX_PAGE_SIZE)] = 20,
    offset: Annotated[int, Query(alias="page[offset]", ge=0, le=library.MAX_PAGE_OFFSET)] = 0,
    status: Annotated[MediaStatus | None, Query(alias="filter[status]")] = None,
    query: Annotated[str | None, Query(alias="filter[q]", max_length=200, pattern=NO_NUL)] = None,
) -> JsonApiResponse:
    page = library.list_items(session, actor=actor, limit=limit, offset=offset, status=status, query=query)
    base_url = _base_url(request)
    filters = {key: value for key, value in (("filter[status]", status), ("filter[q]", query)) if value}
    return JsonApiResponse(
        {
            "data": [media_item_resource(item, base_url=base_url) for item in page.items],
            "links": page_links(
                self_url=f"{base_url}/api/v1/media_items",
                query=filters,
                offset=offset,
                limit=limit,
                total=page.total,
            ),
            "meta": {"total": page.total},
        }
    )


@router.post(
    "",
    status_code=201,
    responses=answers(UPLOADED, UploadDocument, 400, 401, 403, 413, 415, 422, 503),
    openapi_extra=UPLOAD_FORM,
)
async def create_media_items(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    duplicates: Annotated[
        Literal["allow"] | None,
        Query(description="`allow`: store files whose bytes an item of the project has already, as copies."),
    ] = None,
) -> JsonApiResponse:
    """Multipart upload: one or more `file` fields and an optional `alt_text`.

    `data` holds each file's item in upload order, each item once; a file whose bytes are already in the
    library (or an earlier file's of the upload) is not stored again: that item stands in for it and
    `meta.duplicates` names it. Parts removed from an SVG are reported in `meta.warnings`.
    """
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("Send the image as multipart/form-data in a field named “file”.")
    limited = Request(request.scope, upload_receive(request.scope, request.receive, get_settings()))
    async with limited.form(max_files=1000, max_fields=100) as form:
        uploads = [value for value in form.getlist("file") if isinstance(value, UploadFile)]
        if not uploads:
            raise InvalidInput("Send the image as multipart/form-data in a field named “file”.")
        files = [
            uploading.IncomingFile(upload.filename, uploading.SpooledUpload.from_form(upload))
            for upload in uploads
        ]
        alt_text = form.get("alt_text")
        items = await run_in_threadpool(  # in the form's scope: its spooled files are read in upload slots
            uploading.upload,
            session,
            actor=actor,
            files=files,
            alt_text=alt_text if isinstance(alt_text, str) else "",
            allow_duplicates=duplicates == "allow",
        )
    base_url = _base_url(request)
    each_once = {item.id: item for item in items}.values()  # JSON:API lists a resource once
    resources = [media_item_resource(item, base_url=base_url) for item in each_once]
    data: Any = resources[0] if len(items) == 1 else resources
    document: dict[str, Any] = {"data": data}
    if meta := _upload_meta(items):
        document["meta"] = meta
    if not items.any_new:
        return JsonApiResponse(document, status_code=200)
    headers = {"Location": resources[0]["links"]["self"]} if len(items) == 1 else None
    return JsonApiResponse(document, status_code=201, headers=headers)


def _upload_meta(items: uploading.UploadedItems) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if items.warnings:
        meta["warnings"] = list(items.warnings)
    if items.duplicates:
        meta["duplicates"] = [
            {
                "index": duplicate.index,
                "id": str(duplicate.existing.id),
                "filename": duplicate.existing.filename,
            }
            for duplicate in items.duplicates
        ]
    return meta


@router.get("/{item_id}", responses=answers(200, MediaItemDocument, 400, 401, 404, 503))
def get_media_item(request: Request, item_id: str, session: SessionDep, actor: ActorDep) -> JsonApiResponse:
    item = library.get_item(session, actor=actor, item_id=item_id)
    return JsonApiResponse({"data": media_item_resource(item, base_url=_base_url(request))})


@router.patch(
    "/{item_id}",
    responses=answers(200, MediaItemDocument, 400, 401, 403, 404, 409, 413, 422, 503),
    openapi_extra=ALT_TEXT_CHANGE,
)
async def update_media_item(
    request: Request, item_id: str, session: SessionDep, actor: ActorDep
) -> JsonApiResponse:
    alt_text = _alt_text_from_document(await read_document(request), item_id)
    item = await run_in_threadpool(
        editing.update_alt_text, session, actor=actor, item_id=item_id, alt_text=alt_text
    )
    return JsonApiResponse({"data": media_item_resource(item, base_url=_base_url(request))})


def _alt_text_from_document(document: Any, item_id: str) -> str:
    data = resource_object(document, "media_items", item_id)
    attributes = data.get("attributes")
    if not isinstance(attributes, dict) or set(attributes) != {"alt_text"}:
        raise InvalidInput("Only the attribute “alt_text” can be changed.")
    alt_text = attributes["alt_text"]
    if alt_text is not None and not isinstance(alt_text, str):
        raise InvalidInput("“alt_text” must be a string.")
    return alt_text or ""


@router.delete("/{item_id}", status_code=204, responses=answers(204, None, 400, 401, 403, 404, 409, 503))
def delete_media_item(item_id: str, session: SessionDep, actor: ActorDep, force: bool = False) -> Response:
    """409 with the pages that use the item, unless `?force=true`."""
    deletion.delete_item(session, actor=actor, item_id=item_id, force=force)
    return Response(status_code=204)
