"""The job queue as the use cases see it: they ask for work, the process's start-up decides who does it.

`nexus serve`, `nexus worker` and the commands that queue work bind the Huey queue
(`nexus_core.media.tasks.bind`); the use cases never import the queue, so it cannot import them back.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from nexus_core.webhooks.messages import Message


class JobQueue(Protocol):
    def process(self, item_id: UUID) -> None:
        """Queue the processing of one item (its variants); returns once the job is queued."""

    def make_modern_renditions(self, item_id: UUID) -> None:
        """Queue the second job of a ready item (its variants in the modern formats)."""

    def deliver_webhook(self, webhook_id: UUID, message: Message) -> None:
        """Queue the first attempt at delivering one event to one webhook (the job queues the others)."""


class NoQueue:
    """What a process that bound no queue has: asking for a job is a programming error, said plainly."""

    def process(self, item_id: UUID) -> None:
        self._refuse(item_id)

    def make_modern_renditions(self, item_id: UUID) -> None:
        self._refuse(item_id)

    def deliver_webhook(self, webhook_id: UUID, message: Message) -> None:
        self._refuse(webhook_id)

    @staticmethod
    def _refuse(item_id: UUID) -> None:
        raise RuntimeError(
            f"No job queue is bound, so {item_id} cannot be queued: start-up calls nexus_core.media.tasks.bind()."
        )


_queue: JobQueue = NoQueue()


def bind(queue: JobQueue) -> None:
    """Send every job from now on to `queue` (once, at start-up; tests may bind another)."""
    global _queue
    _queue = queue


def request_processing(item_id: UUID) -> None:
    """Ask for the variants of an item to be made (by a worker, or at once with an in-memory queue)."""
    _queue.process(item_id)


def request_modern_renditions(item_id: UUID) -> None:
    """Ask for a ready item's variants in the modern formats (NEXUS_MODERN_FORMATS) to be made."""
    _queue.make_modern_renditions(item_id)


def request_webhook_delivery(webhook_id: UUID, message: Message) -> None:
    """Ask for an event to be sent to a webhook; the caller never waits for the receiver."""
    _queue.deliver_webhook(webhook_id, message)
