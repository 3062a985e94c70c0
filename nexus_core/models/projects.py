"""Projects and who belongs to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from nexus_core.models.base import id_field, timestamp_field


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class Project(SQLModel, table=True):
    __tablename__ = "projects"

    id: UUID = id_field()
    name: str = Field(max_length=200)
    slug: str = Field(max_length=64, unique=True, index=True)
    inserted_at: datetime = timestamp_field()


class Membership(SQLModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id", name="uq_memberships_project_user"),)

    id: UUID = id_field()
    project_id: UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    role: Role = Field(sa_type=sa.String(16))
    inserted_at: datetime = timestamp_field()
