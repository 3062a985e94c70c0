"""/api/v1/folders (list, create, rename and move, delete) and /api/v1/tags (the tags in use)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from nexus_core.api.base_url import base_url
from nexus_core.api.deps import ActorDep, SessionDep
from nexus_core.api.documents import JsonApiResponse
from nexus_core.api.request_documents import folder_relationship, members, read_document, resource_object
from nexus_core.api.request_schemas import folder_body
from nexus_core.api.routing import JsonApiRoute
from nexus_core.api.schemas import FolderDocument, FolderListDocument, TagListDocument, answers
from nexus_core.config import get_settings
from nexus_core.errors import InvalidInput
from nexus_core.ids import parse_id
from nexus_core.media import folders, tags
from nexus_core.read_models import FolderView
from nexus_core.resources import folder_identifier

router = APIRouter(route_class=JsonApiRoute, default_response_class=JsonApiResponse, tags=["organisation"])
ID_OR_ROOT = r"^(root|[0-9a-fA-F-]{32,36})$"


def folder_resource(folder: FolderView, *, base: str) -> dict[str, Any]:
    return {
        "type": "folders",
        "id": str(folder.id),
        "attributes": {"name": folder.name, "depth": folder.depth},
        "relationships": {"parent": {"data": folder_identifier(folder.parent_id)}},
        "links": {"self": f"{base}/api/v1/folders/{folder.id}"},
    }


@router.get("/folders", responses=answers(200, FolderListDocument, 400, 401, 404, 503))
def list_folders(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    parent: Annotated[str, Query(alias="filter[parent]", pattern=ID_OR_ROOT)] = folders.ROOT,
) -> JsonApiResponse:
    """The folders directly inside `filter[parent]` (a folder's id, or `root`), by name."""
    parent_id = None if parent == folders.ROOT else parse_id(parent, folders.MISSING_FOLDER)
    if parent_id is not None:
        folders.load_folder(session, actor=actor, folder_id=parent_id)
    found = folders.list_folders(session, actor=actor, parent_id=parent_id)
    base = base_url(request, get_settings())
    return JsonApiResponse(
        {"data": [folder_resource(folder, base=base) for folder in found], "meta": {"total": len(found)}}
    )


@router.post(
    "/folders",
    status_code=201,
    responses=answers(201, FolderDocument, 400, 401, 403, 404, 409, 413, 422, 503),
    openapi_extra=folder_body(creating=True),
)
async def create_folder(request: Request, session: SessionDep, actor: ActorDep) -> JsonApiResponse:
    data = resource_object(await read_document(request), "folders")
    if "id" in data:
        raise InvalidInput("The server chooses a new folder's id; leave “id” out.")
    name = members(data, "attributes", {"name"}).get("name")
    if not isinstance(name, str):
        raise InvalidInput("A folder needs “attributes.name” (text).")
    _, parent_id = folder_relationship(data, "parent")
    folder = await run_in_threadpool(
        folders.create_folder, session, actor=actor, name=name, parent_id=parent_id
    )
    resource = folder_resource(folder, base=base_url(request, get_settings()))
    return JsonApiResponse(
        {"data": resource}, status_code=201, headers={"Location": resource["links"]["self"]}
    )


@router.patch(
    "/folders/{folder_id}",
    responses=answers(200, FolderDocument, 400, 401, 403, 404, 409, 413, 422, 503),
    openapi_extra=folder_body(creating=False),
)
async def update_folder(
    request: Request, folder_id: str, session: SessionDep, actor: ActorDep
) -> JsonApiResponse:
    """A new `attributes.name` renames; a new `relationships.parent` moves (null: to the root)."""
    data = resource_object(await read_document(request), "folders", folder_id)
    target = parse_id(folder_id, folders.MISSING_FOLDER)
    name = members(data, "attributes", {"name"}).get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidInput("“attributes.name” must be text.")
    moving, parent_id = folder_relationship(data, "parent")

    def change() -> FolderView:
        folder = FolderView.of(folders.load_folder(session, actor=actor, folder_id=target))
        if name is not None:
            folder = folders.rename_folder(session, actor=actor, folder_id=target, name=name)
        if moving:
            folder = folders.move_folder(session, actor=actor, folder_id=target, parent_id=parent_id)
        return folder

    folder = await run_in_threadpool(change)
    return JsonApiResponse({"data": folder_resource(folder, base=base_url(request, get_settings()))})


@router.delete(
    "/folders/{folder_id}", status_code=204, responses=answers(204, None, 400, 401, 403, 404, 409, 503)
)
def delete_folder(folder_id: str, session: SessionDep, actor: ActorDep) -> Response:
    """409 naming what the folder holds: deleting a folder never deletes images."""
    folders.delete_folder(session, actor=actor, folder_id=parse_id(folder_id, folders.MISSING_FOLDER))
    return Response(status_code=204)


@router.get("/tags", responses=answers(200, TagListDocument, 400, 401, 503))
def list_tags(session: SessionDep, actor: ActorDep) -> JsonApiResponse:
    """The tags the project's images carry, each with how many, by name."""
    found = tags.list_tags(session, actor=actor)
    return JsonApiResponse(
        {
            "data": [
                {"type": "tags", "id": str(tag.id), "attributes": {"name": tag.name, "count": tag.count}}
                for tag in found
            ],
            "meta": {"total": len(found)},
        }
    )
