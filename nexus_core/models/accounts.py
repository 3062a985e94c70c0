"""People and their API keys."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from nexus_core.models.base import id_field, timestamp_field


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: UUID = id_field()
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    inserted_at: datetime = timestamp_field()


class ApiKey(SQLModel, table=True):
    """A key acts for one user in one project; only a hash of the secret is kept."""

    __tablename__ = "api_keys"

    id: UUID = id_field()
    project_id: UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(default="", max_length=100)
    prefix: str = Field(max_length=16, unique=True, index=True)
    key_hash: str = Field(max_length=64)
    inserted_at: datetime = timestamp_field()
    last_used_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
