"""Webhooks: the receivers a project sends its events to, and the log of each attempt."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from nexus_core.models.base import id_field, timestamp_field


class Webhook(SQLModel, table=True):
    """A receiver of the project's events. The secret is kept as it was given (unlike an API key's, of
    which only a hash is kept): every delivery is signed with it, so the server must be able to read it."""

    __tablename__ = "webhooks"

    id: UUID = id_field()
    project_id: UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    secret: str = Field(max_length=100)
    enabled: bool = True
    consecutive_failures: int = 0
    """Deliveries in a row that failed every attempt; the webhook is disabled when it reaches the limit."""
    inserted_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class WebhookDelivery(SQLModel, table=True):
    """One attempt to deliver one event; the newest of each webhook are kept (webhooks.delivery)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_webhook_newest", "webhook_id", "sent_at", "id"),)

    id: UUID = id_field()
    webhook_id: UUID = Field(foreign_key="webhooks.id", ondelete="CASCADE")
    event_id: UUID
    """The event's id: every attempt at one event carries the same (receivers use it to ignore repeats)."""
    event: str = Field(max_length=50)
    attempt: int
    sent_at: datetime = timestamp_field()
    status_code: int | None = None
    """The receiver's HTTP status; None when no answer came (refused address, no connection, timeout)."""
    duration_ms: int
    error: str | None = Field(default=None, max_length=1000)
    """Why the attempt failed, for people; None when it succeeded (a 2xx answer)."""
