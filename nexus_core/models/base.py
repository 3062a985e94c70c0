"""Column helpers shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field
from uuid6 import uuid7


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> UUID:
    """UUIDv7: time-ordered, so new rows append to indexes and ids sort by creation."""
    return UUID(bytes=uuid7().bytes)


def id_field() -> UUID:
    return Field(default_factory=new_id, primary_key=True)


def timestamp_field(*, nullable: bool = False, index: bool = False) -> datetime:
    return Field(
        default_factory=None if nullable else utcnow,
        sa_type=sa.DateTime(timezone=True),
        nullable=nullable,
        index=index,
    )


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
