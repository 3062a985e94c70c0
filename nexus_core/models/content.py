"""Pages, and which media items they use."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from nexus_core.models.base import id_field, timestamp_field


class PageStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Page(SQLModel, table=True):
    __tablename__ = "pages"
    __table_args__ = (sa.UniqueConstraint("project_id", "slug", name="uq_pages_project_slug"),)

    id: UUID = id_field()
    project_id: UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    slug: str = Field(max_length=100)
    template: str = Field(max_length=50)
    template_data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    body_json: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    body_html: str = Field(default="", sa_type=sa.Text)
    status: PageStatus = Field(default=PageStatus.DRAFT, sa_type=sa.String(16))
    inserted_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    published_at: datetime | None = timestamp_field(nullable=True)


class MediaReference(SQLModel, table=True):
    """Page X uses media item Y (in a template field or in its rich text); rebuilt on every save."""

    __tablename__ = "media_references"

    page_id: UUID = Field(foreign_key="pages.id", ondelete="CASCADE", primary_key=True)
    media_item_id: UUID = Field(
        foreign_key="media_items.id", ondelete="CASCADE", primary_key=True, index=True
    )
