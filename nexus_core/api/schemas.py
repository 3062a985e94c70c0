"""The documents of the API as its OpenAPI description states them: what each operation answers.

The models only describe (the handlers build their documents in documents.py); the schemathesis test
(tests/core/api/test_schemathesis.py) holds the two together by checking every answer of a live server
against this description.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nexus_core.models import MediaStatus
from nexus_core.webhooks.messages import PING, WebhookEvent
from nexus_core.webhooks.sending import DISABLE_AFTER, KEPT_DELIVERIES
from nexus_core.webhooks.service import MAX_WEBHOOKS


class ErrorSource(BaseModel):
    parameter: str | None = Field(default=None, description="The query parameter that was refused.")
    pointer: str | None = Field(
        default=None,
        description="JSON Pointer to the part of the request document (e.g. the operation) that failed.",
    )


class ErrorObject(BaseModel):
    status: str
    title: str
    detail: str
    source: ErrorSource | None = None
    meta: dict[str, Any] | None = None


class ErrorDocument(BaseModel):
    errors: list[ErrorObject] = Field(min_length=1)


class Rendition(BaseModel):
    name: str = Field(
        description="`original` (as uploaded or replaced, never edited); `full`: the picture as edited at its "
        "own size, in the original's format, when a crop, rotation or flip changes its pixels; a variant: "
        "thumb, medium or large; or one cut to an aspect ratio around the focal point: 16x9_thumb, "
        "16x9_medium, 16x9_large."
    )
    format: str = Field(description="MIME type: the original's, image/webp or image/avif.")
    width: int | None = Field(description="Pixels; null for an original not yet processed.")
    height: int | None
    file_size: int = Field(description="Bytes.")
    url: str


class Placeholder(BaseModel):
    color: str = Field(pattern=r"^#[0-9a-f]{6}$", description="The dominant colour.")
    thumbhash: str = Field(description="Base64 ThumbHash (colours, alpha and aspect ratio in ~25 bytes).")
    lqip: str = Field(description="A tiny blurred WebP as a data URI of at most 1 KB.")


class FocalPoint(BaseModel):
    x: float = Field(
        ge=0, le=1, description="From the left edge (0) to the right (1) of the upright original."
    )
    y: float = Field(ge=0, le=1, description="From the top edge (0) to the bottom (1).")


class Crop(BaseModel):
    left: int = Field(ge=0)
    top: int = Field(ge=0)
    width: int = Field(ge=1)
    height: int = Field(ge=1)


class Flip(BaseModel):
    horizontal: bool
    vertical: bool


class MediaItemAttributes(BaseModel):
    filename: str
    mime_type: str
    file_size: int
    width: int | None = Field(description="Pixels of the picture as edited (after crop and rotation).")
    height: int | None
    original_width: int | None = Field(description="Pixels of the original, upright: what `crop` measures.")
    original_height: int | None
    focal_point: FocalPoint | None = Field(description="Null: the centre.")
    crop: Crop | None = Field(description="In pixels of the upright original; null: all of it.")
    rotate: Literal[0, 90, 180, 270] = Field(description="Degrees clockwise, after the crop.")
    flip: Flip = Field(description="Mirrored after the rotation.")
    version: int = Field(
        ge=1, description="Read-only: rises with every edit and replaced file; every rendition URL changes."
    )
    alt_text: str
    status: MediaStatus
    error: str | None
    url: str = Field(
        description="The picture at its full size: the `full` rendition once a crop, rotation or flip has "
        "been made (it changes with every such version), else the original as uploaded (or replaced)."
    )
    variants: dict[str, str] = Field(description="Variant name (thumb, medium, large) → absolute URL.")
    renditions: list[Rendition] = Field(
        description="The original and every rendition stored (`full` among them for an edited picture), in "
        "its own format and the modern ones (NEXUS_MODERN_FORMATS), which follow shortly after the item is "
        "ready."
    )
    placeholder: Placeholder | None = Field(
        description="What to show until the picture loads; null until processed."
    )
    tags: list[str] = Field(description="By name, ignoring case.")
    sha256: str | None = Field(
        description="Hex SHA-256 of the stored original; null for items stored before it was recorded."
    )
    inserted_at: datetime
    updated_at: datetime


class Links(BaseModel):
    self: str


class ResourceIdentifier(BaseModel):
    type: Literal["folders"]
    id: str


class FolderRelationship(BaseModel):
    data: ResourceIdentifier | None = Field(description="None: the library's root.")


class MediaItemRelationships(BaseModel):
    folder: FolderRelationship


class MediaItemResource(BaseModel):
    type: Literal["media_items"]
    id: str
    attributes: MediaItemAttributes
    relationships: MediaItemRelationships
    links: Links


class MediaItemDocument(BaseModel):
    data: MediaItemResource


class DuplicateFile(BaseModel):
    index: int = Field(ge=0, description="The file's place among the upload's `file` fields (from 0).")
    id: str = Field(
        description="The item already in the library with the file's bytes, which stands in for it."
    )
    filename: str = Field(description="That item's filename (not necessarily the file's).")


class UploadMeta(BaseModel):
    warnings: list[str] = Field(default_factory=list, description="What was removed from an SVG.")
    duplicates: list[DuplicateFile] = Field(
        default_factory=list,
        description="Files not stored because an item of the project already has their bytes (after private "
        "metadata is removed); send `?duplicates=allow` to store copies anyway.",
    )


class UploadDocument(BaseModel):
    data: MediaItemResource | list[MediaItemResource] = Field(
        description="A list when several files were sent: each file's item in upload order, each item once "
        "(a file repeating an earlier one of the upload adds none)."
    )
    meta: UploadMeta | None = None


class SameBytes(BaseModel):
    id: str = Field(description="Another item whose original has the new file's bytes.")
    filename: str


class ReplaceMeta(BaseModel):
    warnings: list[str] = Field(default_factory=list, description="What was removed from an SVG.")
    same_as: list[SameBytes] = Field(
        default_factory=list,
        description="Other items with the same bytes: the file is stored all the same, and both count as duplicates.",
    )


class ReplaceDocument(BaseModel):
    data: MediaItemResource
    meta: ReplaceMeta | None = None


class PageLinks(BaseModel):
    self: str
    first: str
    prev: str | None
    next: str | None


class ListMeta(BaseModel):
    total: int


class ItemListMeta(ListMeta):
    total_estimated: bool | None = Field(
        default=None, description="Present (true) when more than 1,000 match: `total` is then an estimate."
    )


class MediaItemListDocument(BaseModel):
    data: list[MediaItemResource]
    links: PageLinks
    meta: ItemListMeta


class FolderRelationships(BaseModel):
    parent: FolderRelationship


class FolderAttributes(BaseModel):
    name: str
    depth: int = Field(description="1 at the root; at most 10.")


class FolderResource(BaseModel):
    type: Literal["folders"]
    id: str
    attributes: FolderAttributes
    relationships: FolderRelationships
    links: Links


class FolderDocument(BaseModel):
    data: FolderResource


class FolderListDocument(BaseModel):
    data: list[FolderResource]
    meta: ListMeta


class TagAttributes(BaseModel):
    name: str
    count: int = Field(description="How many images of the project carry it.")


class TagResource(BaseModel):
    type: Literal["tags"]
    id: str
    attributes: TagAttributes


class TagListDocument(BaseModel):
    data: list[TagResource]
    meta: ListMeta


class OperationResult(BaseModel):
    data: MediaItemResource | None = Field(
        default=None, description="The item after an update; absent for a remove."
    )


class OperationsMeta(BaseModel):
    operations: int


class OperationsDocument(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    atomic_results: list[OperationResult] = Field(
        alias="atomic:results", description="One per operation, in order."
    )
    meta: OperationsMeta


class WebhookAttributes(BaseModel):
    url: str = Field(description="Where each event is POSTed, signed (X-Nexus-Signature).")
    events: list[WebhookEvent] = Field(description="The events it receives.")
    enabled: bool
    consecutive_failures: int = Field(
        description=f"Deliveries in a row that failed every attempt; at {DISABLE_AFTER} the webhook is disabled."
    )
    inserted_at: datetime
    updated_at: datetime


class RelatedLinks(BaseModel):
    related: str


class DeliveriesRelationship(BaseModel):
    links: RelatedLinks


class WebhookRelationships(BaseModel):
    deliveries: DeliveriesRelationship


class WebhookResource(BaseModel):
    type: Literal["webhooks"]
    id: str
    attributes: WebhookAttributes
    relationships: WebhookRelationships
    links: Links


class WebhookDocument(BaseModel):
    data: WebhookResource


class WebhookSecret(BaseModel):
    secret: str = Field(
        description="The signing secret, shown this once: the HMAC-SHA256 key of every delivery's X-Nexus-Signature."
    )


class NewWebhookDocument(BaseModel):
    data: WebhookResource
    meta: WebhookSecret


class WebhookListDocument(BaseModel):
    data: list[WebhookResource]
    meta: ListMeta


class WebhookDeliveryAttributes(BaseModel):
    event: str = Field(description=f"One of the webhook's events, or `{PING}`.")
    event_id: str = Field(description="The same on every attempt at one event (X-Nexus-Delivery).")
    attempt: int = Field(description="From 1.")
    sent_at: datetime
    status_code: int | None = Field(description="The receiver's answer; null when none came.")
    duration_ms: int
    error: str | None = Field(description="Why the attempt failed; null when it succeeded (2xx).")
    succeeded: bool


class WebhookDeliveryResource(BaseModel):
    type: Literal["webhook_deliveries"]
    id: str
    attributes: WebhookDeliveryAttributes


class WebhookDeliveryListDocument(BaseModel):
    data: list[WebhookDeliveryResource] = Field(
        description=f"The newest attempts first; the newest {KEPT_DELIVERIES} are kept."
    )
    meta: ListMeta


class PingMeta(BaseModel):
    event: Literal["ping"]
    event_id: str = Field(description="The ping's id: its entry in the delivery log carries it.")


class PingDocument(BaseModel):
    meta: PingMeta


WHY = {
    400: "An unknown query parameter, or one out of range (named in `source.parameter`); a body that is not JSON.",
    401: "No API key, or one that is malformed, unknown or revoked.",
    403: "The key's member may not do this (see the roles).",
    404: "No such item, folder or webhook in the key's project.",
    409: "The document's type or id does not fit the URL; the item is used by pages (listed in `meta.pages`; "
    "delete with `?force=true`); a folder of that name is already there; the folder still holds images or folders; the project has "
    f"{MAX_WEBHOOKS} webhooks already.",
    413: "A file or the request body is over its limit.",
    415: "A file that is no image the library takes, or that cannot be decoded; operations sent without "
    'the atomic extension\'s media type (`application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`).',
    422: "A document or form that is readable but not valid (the detail says why).",
    503: "The database, the storage or every upload slot is busy or unavailable; retry later.",
}


UPLOADED = {
    201: "At least one file was stored as a new item, pending processing.",
    200: "Every file was in the library already (`meta.duplicates`): nothing was stored.",
}


def answers(
    success: int | dict[int, str], model: type[BaseModel] | None, *errors: int
) -> dict[int | str, dict[str, Any]]:
    """The `responses` of an operation: its success document (under each success status, with why where
    there are several) and the JSON:API errors it can answer."""
    described: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorDocument, "description": WHY[status]} for status in errors
    }
    if model is not None:
        successes = success if isinstance(success, dict) else {success: None}
        for status, why in successes.items():
            described[status] = {"model": model} | ({"description": why} if why else {})
    return described
