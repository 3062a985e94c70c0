"""What use cases hand the admin and the API: frozen copies of rows, safe to keep after the session is gone.

A read model cannot lazy-load, be flushed by accident or drift from the database behind a
caller's back; it is built from the row with pydantic's `from_attributes`, so no field is copied by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict

from nexus_core.media.edits import Edits, edits_of
from nexus_core.media.renditions import MadeRendition
from nexus_core.models import MediaStatus, PageStatus, Role


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    @classmethod
    def of(cls, row: object) -> Self:
        return cls.model_validate(row)


class UserView(ReadModel):
    id: UUID
    email: str


class ProjectView(ReadModel):
    id: UUID
    name: str
    slug: str


class ProjectMembership(ReadModel):
    """A project as one of its members sees it."""

    project: ProjectView
    role: Role


class PlaceholderView(ReadModel):
    """What to show until the picture loads (nexus_core.media.placeholders)."""

    color: str
    thumbhash: str
    lqip: str
    opaque: bool


class MediaItemView(ReadModel):
    id: UUID
    project_id: UUID
    uploaded_by_id: UUID | None
    filename: str
    file_path: str
    mime_type: str
    file_size: int
    width: int | None
    """The picture's size as edited (crop, rotation); the original's when nothing is."""
    height: int | None
    original_width: int | None = None
    """The upright original's size: what `crop` is measured in."""
    original_height: int | None = None
    alt_text: str
    variants: dict[str, str]
    renditions: Annotated[tuple[MadeRendition, ...], BeforeValidator(lambda recorded: recorded or ())] = ()
    """Every stored variant in every format (none recorded yet: empty)."""
    placeholder: PlaceholderView | None = None
    frames: int | None = None
    storage_backend: str
    folder_id: UUID | None
    sha256: str | None
    tags: tuple[str, ...] = ()
    """Filled by library.views_of (a row has no such column)."""
    focal_point: dict[str, float] | None = None
    crop: dict[str, int] | None = None
    rotate: int = 0
    flip_horizontal: bool = False
    flip_vertical: bool = False
    version: int = 1
    status: MediaStatus
    error: str | None
    inserted_at: datetime
    updated_at: datetime

    @property
    def edits(self) -> Edits:
        """Focal point, crop, rotation and flips as one value (media.edits)."""
        return edits_of(self)

    @property
    def placeable(self) -> bool:
        """Can be put on a page: pending and processing count, their URL serves the original
        until the variants exist; an image whose processing failed cannot."""
        return self.status != MediaStatus.ERROR


class FolderView(ReadModel):
    id: UUID
    project_id: UUID
    parent_id: UUID | None
    name: str
    depth: int


class TagCount(ReadModel):
    id: UUID
    name: str
    count: int


class PageView(ReadModel):
    id: UUID
    project_id: UUID
    title: str
    slug: str
    template: str
    template_data: dict[str, Any]
    body_json: dict[str, Any]
    status: PageStatus
    inserted_at: datetime
    updated_at: datetime
    published_at: datetime | None


class PlacedImage(ReadModel):
    """A library image on a page, as the editor shows it: the item's current URL and its own alt text."""

    media_id: UUID
    url: str
    alt_text: str


class PageForEditing(ReadModel):
    """A page with its images ready for the editor (`images` by media id)."""

    page: PageView
    images: dict[str, PlacedImage]


class ApiKeyView(ReadModel):
    id: UUID
    project_id: UUID
    user_id: UUID
    name: str
    prefix: str
    inserted_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class WebhookView(ReadModel):
    """A webhook as admins see it: its secret is never part of it."""

    id: UUID
    project_id: UUID
    url: str
    events: tuple[str, ...]
    enabled: bool
    consecutive_failures: int
    inserted_at: datetime
    updated_at: datetime


class WebhookDeliveryView(ReadModel):
    """One attempt at delivering one event (the delivery log)."""

    id: UUID
    webhook_id: UUID
    event_id: UUID
    event: str
    attempt: int
    sent_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.error is None
