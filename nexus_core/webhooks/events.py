"""Telling webhooks what happened. Use cases call these once their change is committed; each looks for
the project's enabled webhooks that subscribe to the event and asks the job queue to deliver it to each,
so a use case never waits for a receiver, and a project without webhooks pays one small query.

A queue that cannot take the deliveries is logged and does not undo the change: the event is lost, the
person's work is not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from sqlmodel import Session, select

from nexus_core.config import get_settings
from nexus_core.media import jobs, library
from nexus_core.models import MediaItem, Project, Webhook
from nexus_core.read_models import MediaItemView, PageView
from nexus_core.resources import media_item_resource, page_resource
from nexus_core.webhooks.messages import WebhookEvent, new_message

logger = logging.getLogger(__name__)


def media_changed(session: Session, event: WebhookEvent, items: Sequence[MediaItem | MediaItemView]) -> None:
    """`media.created`, `media.ready` or `media.updated` of items of one project: each item's resource."""
    if not items:
        return

    def resources(_project: Project, base_url: str) -> list[dict[str, Any]]:
        views = [
            item if isinstance(item, MediaItemView) else library.view_of(session, item) for item in items
        ]
        return [media_item_resource(view, base_url=base_url) for view in views]

    _publish(session, items[0].project_id, event, resources)


def media_deleted(session: Session, *, project_id: UUID, item_ids: Sequence[UUID]) -> None:
    """`media.deleted`: the items are gone, so each event names its item only."""
    if not item_ids:
        return
    _publish(
        session,
        project_id,
        WebhookEvent.MEDIA_DELETED,
        lambda _project, _base_url: [{"type": "media_items", "id": str(item_id)} for item_id in item_ids],
    )


def page_published(session: Session, page: PageView) -> None:
    """`page.published`: the page, with the URL it is public at."""
    _publish(
        session,
        page.project_id,
        WebhookEvent.PAGE_PUBLISHED,
        lambda project, base_url: [page_resource(page, project_slug=project.slug, base_url=base_url)],
    )


def subscribers(session: Session, project_id: UUID, event: str) -> list[Webhook]:
    """The project's enabled webhooks that subscribe to `event`."""
    enabled = session.exec(select(Webhook).where(Webhook.project_id == project_id, Webhook.enabled))
    return [webhook for webhook in enabled if event in webhook.events]


def _publish(
    session: Session,
    project_id: UUID,
    event: WebhookEvent,
    data: Callable[[Project, str], list[dict[str, Any]]],
) -> None:
    """One event per resource `data(project, base URL)` gives (built only when someone listens), to
    every subscriber."""
    webhooks = subscribers(session, project_id, event)
    if not webhooks:
        return
    project = session.get(Project, project_id)
    if project is None:
        return
    try:
        for resource in data(project, get_settings().resolved_public_url):
            message = new_message(event, project_id=project.id, project_slug=project.slug, data=resource)
            for webhook in webhooks:
                jobs.request_webhook_delivery(webhook.id, message)
    except Exception:
        logger.exception("Could not queue %s for the webhooks of project %s", event, project_id)
