"""/api/v1/media_items: list (filtered, sorted), upload, read, change (alt text, tags, folder, edits),
replace the file, delete."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from nexus_core.api.base_url import base_url
from nexus_core.api.deps import ActorDep, SessionDep
from nexus_core.api.documents import JsonApiResponse, page_links
from nexus_core.api.item_changes import item_changes
from nexus_core.api.media_filters import FILTER, item_filter, item_sort
from nexus_core.api.request_documents import read_document, resource_object
from nexus_core.api.request_schemas import ITEM_CHANGE, REPLACE_FORM, UPLOAD_FORM
from nexus_core.api.routing import JsonApiRoute
from nexus_core.api.schemas import (
    UPLOADED,
    MediaItemDocument,
    MediaItemListDocument,
    ReplaceDocument,
    UploadDocument,
    answers,
)
from nexus_core.body_limit import upload_receive
from nexus_core.config import get_settings
from nexus_core.errors import InvalidInput
from nexus_core.ids import parse_id
from nexus_core.media import deletion, editing, folders, head_start, library, listing, replacing
from nexus_core.media import upload as uploading
from nexus_core.policies import Action, can
from nexus_core.resources import media_item_resource

router = APIRouter(
    prefix="/media_items", route_class=JsonApiRoute, default_response_class=JsonApiResponse, tags=["media"]
)


def _base_url(request: Request) -> str:
    return base_url(request, get_settings())


@router.get("", responses=answers(200, MediaItemListDocument, 400, 401, 404, 503))
def list_media_items(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    filters: Annotated[listing.ItemFilter, Depends(item_filter)],
    sort: Annotated[listing.Sort, Depends(item_sort)],
    limit: Annotated[int, Query(alias="page[limit]", ge=1, le=listing.MAX_PAGE_SIZE)] = 20,
    offset: Annotated[int, Query(alias="page[offset]", ge=0, le=listing.MAX_PAGE_OFFSET)] = 0,
) -> JsonApiResponse:
    """Newest first unless `sort` says otherwise; filters combine (all must hold). 404: the folder of
    `filter[folder]` is not in the project. `meta.total` is exact up to 1,000 matches; beyond, on
    PostgreSQL, it is the database's estimate and `meta.total_estimated` is true."""
    page = listing.list_items(session, actor=actor, filters=filters, sort=sort, limit=limit, offset=offset)
    base_url = _base_url(request)
    query = {FILTER.format(name): value for name, value in filters.as_params().items()}
    if sort != listing.Sort.NEWEST:
        query["sort"] = sort.value
    return JsonApiResponse(
        {
            "data": [media_item_resource(item, base_url=base_url) for item in page.items],
            "links": page_links(
                self_url=f"{base_url}/api/v1/media_items",
                query=query,
                offset=offset,
                limit=limit,
                more=page.more,
            ),
            "meta": {"total": page.total} | ({"total_estimated": True} if page.total_estimated else {}),
        }
    )


@router.post(
    "",
    status_code=201,
    responses=answers(UPLOADED, UploadDocument, 400, 401, 403, 404, 413, 415, 422, 503),
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
    """Multipart upload: one or more `file` fields, optional `alt_text`, `folder` (a folder's id; 404
    when the project has no such folder) and `tags` (comma-separated) for the new items.

    `data` holds each file's item in upload order, each item once; a file whose bytes are already in the
    library (or an earlier file's of the upload) is not stored again: that item stands in for it and
    `meta.duplicates` names it. Parts removed from an SVG are reported in `meta.warnings`.
    """
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("Send the image as multipart/form-data in a field named “file”.")
    settings = get_settings()
    # The first file is decoded as it arrives, for someone who may upload (media/head_start.py).
    early = head_start.begin_early(settings) if can(actor.role, Action.UPLOAD) else None
    limited = Request(
        request.scope, upload_receive(request.scope, request.receive, settings, first_file=early)
    )
    try:
        async with limited.form(max_files=1000, max_fields=100) as form:
            uploads = [value for value in form.getlist("file") if isinstance(value, UploadFile)]
            if not uploads:
                raise InvalidInput("Send the image as multipart/form-data in a field named “file”.")
            files = [
                uploading.IncomingFile(
                    upload.filename,
                    uploading.SpooledUpload.from_form(upload),
                    early=None if number else early,
                )
                for number, upload in enumerate(uploads)
            ]
            alt_text, folder, tag_list = (form.get(name) for name in ("alt_text", "folder", "tags"))
            items = (
                await run_in_threadpool(  # in the form's scope: its spooled files are read in upload slots
                    uploading.upload,
                    session,
                    actor=actor,
                    files=files,
                    alt_text=alt_text if isinstance(alt_text, str) else "",
                    folder_id=parse_id(folder, folders.MISSING_FOLDER)
                    if isinstance(folder, str) and folder
                    else None,
                    tags=[tag for tag in tag_list.split(",") if tag.strip()]
                    if isinstance(tag_list, str)
                    else [],
                    allow_duplicates=duplicates == "allow",
                )
            )
    finally:
        if early is not None:
            early.give_up()  # unless its item took it
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
    openapi_extra=ITEM_CHANGE,
)
async def update_media_item(
    request: Request, item_id: str, session: SessionDep, actor: ActorDep
) -> JsonApiResponse:
    """Changes `attributes.alt_text`, `attributes.tags` (the whole list), `relationships.folder` and the
    edits: `focal_point` `{x, y}` (0–1 of the upright original; null: the centre), `crop` `{left, top,
    width, height}` (whole pixels of the upright original, inside it; null: all of it), `rotate` (0, 90,
    180 or 270 degrees clockwise, after the crop) and `flip` `{horizontal, vertical}` (after the
    rotation). A change of the edits raises `version` (read-only) and makes the renditions again from the
    untouched original under new URLs (status `pending` until then; the previous version's files stay
    served for NEXUS_OLD_VERSION_GRACE); a crop, rotation or flip makes `url` the edited picture at its
    full size (the `full` rendition); setting them all back reverts to the original. A refused value
    is a 422 whose `source.pointer` names it (`/data/attributes/crop/width`)."""
    changes = item_changes(resource_object(await read_document(request), "media_items", item_id), edits=True)
    item = await run_in_threadpool(
        editing.update_item, session, actor=actor, item_id=item_id, changes=changes
    )
    return JsonApiResponse({"data": media_item_resource(item, base_url=_base_url(request))})


@router.put(
    "/{item_id}/file",
    responses=answers(200, ReplaceDocument, 400, 401, 403, 404, 413, 415, 422, 503),
    openapi_extra=REPLACE_FORM,
)
async def replace_media_item_file(
    request: Request, item_id: str, session: SessionDep, actor: ActorDep
) -> JsonApiResponse:
    """Multipart: one `file`, checked like an upload, becomes the item's file in a new version (status
    `pending` until its renditions are made). Its id, alt text, tags, folder and the pages using it stay;
    its edits are cleared; its type may change (new URLs end in the new type's extension). The file may
    have the bytes of the item's own original (a new version all the same) or of another item's, which
    `meta.same_as` then names (stored anyway; both count as duplicates). The old original stays served
    for NEXUS_OLD_VERSION_GRACE, like the old renditions."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("Send the image as multipart/form-data in a field named “file”.")
    limited = Request(request.scope, upload_receive(request.scope, request.receive, get_settings()))
    async with limited.form(max_files=2, max_fields=10) as form:
        sent = [value for value in form.getlist("file") if isinstance(value, UploadFile)]
        if len(sent) != 1:
            raise InvalidInput("Send exactly one image, as multipart/form-data in a field named “file”.")
        incoming = uploading.IncomingFile(sent[0].filename, uploading.SpooledUpload.from_form(sent[0]))
        replaced = await run_in_threadpool(
            replacing.replace_file, session, actor=actor, item_id=item_id, file=incoming
        )
    document: dict[str, Any] = {"data": media_item_resource(replaced.item, base_url=_base_url(request))}
    meta: dict[str, Any] = {}
    if replaced.warning:
        meta["warnings"] = [replaced.warning]
    if replaced.same_as:
        meta["same_as"] = [{"id": str(other.id), "filename": other.filename} for other in replaced.same_as]
    if meta:
        document["meta"] = meta
    return JsonApiResponse(document)


@router.delete("/{item_id}", status_code=204, responses=answers(204, None, 400, 401, 403, 404, 409, 503))
def delete_media_item(item_id: str, session: SessionDep, actor: ActorDep, force: bool = False) -> Response:
    """409 with the pages that use the item, unless `?force=true`."""
    deletion.delete_item(session, actor=actor, item_id=item_id, force=force)
    return Response(status_code=204)
