"""What use cases hand the admin and the API: frozen copies of rows, safe to keep after the session is gone.

A read model cannot lazy-load, be flushed by accident or drift from the database behind a
caller's back; it is built from the row with pydantic's `from_attributes`, so no field is copied by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict

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
    height: int | None
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
    status: MediaStatus
    error: str | None
    inserted_at: datetime
    updated_at: datetime

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


class ApiKeyView(ReadModel):
    id: UUID
    project_id: UUID
    user_id: UUID
    name: str
    prefix: str
    inserted_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
