"""How a project's library is organised: nested folders and tags."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from nexus_core.models.base import id_field, timestamp_field

MAX_FOLDER_DEPTH = 10


class Folder(SQLModel, table=True):
    """`sibling_key` is "<parent id or root>/<name casefolded>": one unique constraint keeps names
    unique among siblings, ignoring case, at the root too (where parent_id is NULL) on every database.
    Subfolders go with their parent only when the project goes: the use case refuses to delete a
    folder that holds anything."""

    __tablename__ = "folders"
    __table_args__ = (sa.UniqueConstraint("project_id", "sibling_key", name="uq_folders_project_sibling"),)

    id: UUID = id_field()
    project_id: UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    parent_id: UUID | None = Field(default=None, foreign_key="folders.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    sibling_key: str = Field(max_length=400)
    depth: int = 1
    """1 for a folder at the root; at most MAX_FOLDER_DEPTH."""
    inserted_at: datetime = timestamp_field()


class Tag(SQLModel, table=True):
    __tablename__ = "tags"
    __table_args__ = (sa.UniqueConstraint("project_id", "name_key", name="uq_tags_project_name"),)

    id: UUID = id_field()
    project_id: UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=50)
    name_key: str = Field(max_length=200)


class MediaTag(SQLModel, table=True):
    """Item X carries tag Y."""

    __tablename__ = "media_tags"

    media_item_id: UUID = Field(foreign_key="media_items.id", ondelete="CASCADE", primary_key=True)
    tag_id: UUID = Field(foreign_key="tags.id", ondelete="CASCADE", primary_key=True, index=True)
