"""SQLModel tables; importing this package registers every table on SQLModel.metadata."""

from nexus_core.models.accounts import ApiKey, User
from nexus_core.models.content import MediaReference, Page, PageStatus
from nexus_core.models.media import MediaItem, MediaSimilarity, MediaStatus, PendingDeletion
from nexus_core.models.organisation import Folder, MediaTag, Tag
from nexus_core.models.projects import Membership, Project, Role
from nexus_core.models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "ApiKey",
    "Folder",
    "MediaItem",
    "MediaReference",
    "MediaSimilarity",
    "MediaStatus",
    "MediaTag",
    "Membership",
    "Page",
    "PageStatus",
    "PendingDeletion",
    "Project",
    "Role",
    "Tag",
    "User",
    "Webhook",
    "WebhookDelivery",
]
