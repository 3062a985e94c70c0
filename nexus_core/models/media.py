"""Media items, the pairs of items that look alike, and the storage deletions still owed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from nexus_core.models.base import id_field, timestamp_field


class MediaStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    ERROR = "error"

    @classmethod
    def in_flight(cls) -> tuple[MediaStatus, ...]:
        """Waiting for or in processing: a job is yet to settle the item (or was lost on the way)."""
        return (cls.PENDING, cls.PROCESSING)


class MediaItem(SQLModel, table=True):
    __tablename__ = "media_items"
    __table_args__ = (
        sa.Index("ix_media_items_project_newest", "project_id", "inserted_at", "id"),
        sa.Index("ix_media_items_project_sha256", "project_id", "sha256"),
        sa.Index("ix_media_items_project_perceptual_hash", "project_id", "perceptual_hash"),
        # The library's lists (nexus_core/media/listing.py), each in its own order:
        sa.Index("ix_media_items_project_folder_newest", "project_id", "folder_id", "inserted_at", "id"),
        sa.Index("ix_media_items_project_name", "project_id", sa.text("lower(filename)"), "id"),
        sa.Index("ix_media_items_project_size", "project_id", "file_size", "id"),
        sa.Index(
            "ix_media_items_project_duplicates_newest",
            "project_id",
            "inserted_at",
            "id",
            postgresql_where=sa.text("has_duplicates"),
            sqlite_where=sa.text("has_duplicates"),
        ),
        *(
            sa.Index(
                f"ix_media_items_{column}_trigrams",
                sa.text(f"lower({column}) gin_trgm_ops"),
                postgresql_using="gin",
            ).ddl_if(dialect="postgresql")
            for column in ("filename", "alt_text")
        ),
    )

    id: UUID = id_field()
    project_id: UUID = Field(foreign_key="projects.id", ondelete="CASCADE")
    uploaded_by_id: UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    filename: str = Field(max_length=255)
    file_path: str = Field(max_length=512)
    mime_type: str = Field(max_length=64)
    file_size: int = Field(sa_type=sa.BigInteger)
    width: int | None = None
    """Pixels of the picture as edited (crop, then rotation): what its renditions show."""
    height: int | None = None
    original_width: int | None = None
    """Pixels of the original, upright (its EXIF orientation applied): what `crop` is measured in."""
    original_height: int | None = None
    alt_text: str = Field(default="", max_length=1000)
    variants: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    renditions: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON)
    """Every stored variant in every format with its size and bytes (renditions.MadeRendition), so a list
    of items never asks storage; None until processed (and for items processed before it was recorded)."""
    placeholder: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    """Colour, ThumbHash and LQIP shown until the picture loads (placeholders.Placeholder); None until processed."""
    frames: int | None = None
    """Frames of the picture (1 for a still), counted by processing; None before."""
    storage_backend: str = Field(max_length=16)
    folder_id: UUID | None = Field(default=None, foreign_key="folders.id", ondelete="SET NULL", index=True)
    sha256: str | None = Field(default=None, max_length=64)
    """Hex SHA-256 of the stored original; None for items stored before it was recorded."""
    perceptual_hash: int | None = Field(default=None, sa_type=sa.BigInteger)
    """64-bit difference hash of the picture, made by the processing job (near duplicates)."""
    has_duplicates: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    """It has a pair in media_similarities: kept by duplicates.py, so that "duplicates only" reads
    a small partial index instead of probing the pairs for every item of a large library."""
    focal_point: dict[str, float] | None = Field(default=None, sa_type=sa.JSON)
    """`{"x", "y"}`, fractions of the upright original; None: the centre (edits.FocalPoint)."""
    crop: dict[str, int] | None = Field(default=None, sa_type=sa.JSON)
    """`{"left", "top", "width", "height"}` in pixels of the upright original; None: all of it."""
    rotate: int = Field(default=0, sa_type=sa.SmallInteger, sa_column_kwargs={"server_default": "0"})
    """Degrees clockwise, after the crop: 0, 90, 180 or 270."""
    flip_horizontal: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    flip_vertical: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    """Mirrored after the rotation: left to right, top to bottom."""
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    """Raised by every edit and replacement; part of every rendition's path after the first."""
    status: MediaStatus = Field(default=MediaStatus.PENDING, sa_type=sa.String(16), index=True)
    error: str | None = Field(default=None, max_length=1000)
    inserted_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class PendingDeletion(SQLModel, table=True):
    """A stored file owed deletion: its item is gone and deleting it failed, or it belongs to an earlier
    version of its item and waits for its grace period (`due_at`); the sweep deletes it."""

    __tablename__ = "pending_deletions"

    id: UUID = id_field()
    path: str = Field(max_length=512)
    storage_backend: str = Field(max_length=16)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    due_at: datetime | None = timestamp_field(nullable=True)
    """Not before then: a file of an item's earlier version, kept for NEXUS_OLD_VERSION_GRACE so pages and
    caches holding its URL keep working; None: due at once."""
    inserted_at: datetime = timestamp_field()


class MediaSimilarity(SQLModel, table=True):
    """Item `item_id` looks like item `other_id`: the same bytes (distance 0) or perceptual hashes at most
    a few bits apart. Stored both ways, so "has any pair" and "pairs of one item" each read one index;
    written by the processing job, which replaces an item's pairs each time it runs."""

    __tablename__ = "media_similarities"

    item_id: UUID = Field(foreign_key="media_items.id", ondelete="CASCADE", primary_key=True)
    other_id: UUID = Field(foreign_key="media_items.id", ondelete="CASCADE", primary_key=True, index=True)
    distance: int = Field(sa_type=sa.SmallInteger)
    """Bits in which the two perceptual hashes differ (0 to 64)."""
