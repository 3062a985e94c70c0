"""The job queue: the Huey instance chosen by NEXUS_QUEUE_URL, the processing tasks, the webhook delivery
task, and `bind`, which start-up calls to make it the queue the use cases ask for jobs
(nexus_core.media.jobs)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab, signals
from huey.api import Task
from huey.consumer import Consumer, Worker
from sqlmodel import Session

from nexus_core.config import get_settings
from nexus_core.db import session_scope
from nexus_core.media import delivery, head_start, jobs, processing, variants
from nexus_core.webhooks import sending
from nexus_core.webhooks.messages import Message

logger = logging.getLogger(__name__)

PROCESS_RETRIES = 3
_job_queued = threading.Event()
"""Set when this process queues a job, so that its embedded consumer starts it at once instead of at its
next poll (up to a second away)."""


def build_huey(queue_url: str) -> Huey:
    """`sqlite:///path` (default), `redis://…`, or `memory://` to run tasks at once (tests)."""
    if queue_url.startswith("memory://"):
        return MemoryHuey("nexus", immediate=True, results=False)
    if queue_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("nexus", url=queue_url, results=False)
    if queue_url.startswith("sqlite:///"):
        filename = queue_url.removeprefix("sqlite:///")
        Path(filename).parent.mkdir(parents=True, exist_ok=True)  # a fresh NEXUS_HOME: nothing there yet
        return SqliteHuey("nexus", filename=filename, results=False, timeout=30)
    raise ValueError(f"NEXUS_QUEUE_URL must start with sqlite:///, redis:// or memory://, not {queue_url!r}")


huey = build_huey(get_settings().resolved_queue_url)


@contextmanager
def _job_session() -> Iterator[Session]:
    """A job's session; afterwards the memory it freed goes back to the system (else a web process that
    ran one big job stays that big)."""
    try:
        with session_scope() as session:
            yield session
    finally:
        processing.release_memory()


@huey.task(retries=PROCESS_RETRIES, retry_delay=2)
def process_media_item(item_id: str) -> None:
    """The first job: the variants in the item's format; it queues the second when there is work for it."""
    with _job_session() as session:
        variants.process_item(session, item_id=item_id)


@huey.task(retries=PROCESS_RETRIES, retry_delay=2)
def encode_modern_renditions(item_id: str) -> None:
    """The second job: the variants in NEXUS_MODERN_FORMATS."""
    with _job_session() as session:
        delivery.make_modern_renditions(session, item_id=item_id)


@huey.task(retries=2, retry_delay=30)
def deliver_webhook_event(webhook_id: str, event_id: str, event: str, body: str, attempt: int = 1) -> None:
    """One attempt at delivering an event; a failed one queues the next after its pause (sending.py).
    Huey's own retries are for this job failing (the database away), not the receiver."""
    message = Message(event_id, event, body)
    with session_scope() as session:
        retry_in = sending.deliver(session, webhook_id=webhook_id, message=message, attempt=attempt)
    if retry_in is not None:
        deliver_webhook_event.schedule(args=(webhook_id, event_id, event, body, attempt + 1), delay=retry_in)


class HueyJobs:
    """The queue port on Huey: a job asked for goes to NEXUS_QUEUE_URL's queue (or runs at once on memory://)."""

    def process(self, item_id: UUID) -> None:
        process_media_item(str(item_id))
        _job_queued.set()

    def make_modern_renditions(self, item_id: UUID) -> None:
        encode_modern_renditions(str(item_id))
        _job_queued.set()

    def deliver_webhook(self, webhook_id: UUID, message: Message) -> None:
        deliver_webhook_event(str(webhook_id), message.event_id, message.event, message.body)
        _job_queued.set()


def bind() -> None:
    """Make Huey the queue of this process: called at start-up by `nexus serve`, `nexus worker`, the
    commands that queue work, and the tests."""
    jobs.bind(HueyJobs())


def requeue_lost_jobs() -> int:
    """Queue again the items whose job was lost; runs when a consumer starts and every minute."""
    timeout = timedelta(seconds=get_settings().processing_timeout)
    with session_scope() as session:
        item_ids = variants.claim_stuck_items(session, older_than=timeout)
    for item_id in item_ids:
        logger.warning("Processing of %s was interrupted; queueing it again", item_id)
        process_media_item(str(item_id))
    return len(item_ids)


@huey.periodic_task(crontab(minute="*"))
def requeue_lost_jobs_every_minute() -> None:
    requeue_lost_jobs()


@huey.signal(signals.SIGNAL_ERROR)
def _record_final_failure(signal: str, task: Task, exc: BaseException | None = None) -> None:
    if not isinstance(task, process_media_item.task_class) or task.retries > 0:
        return
    reason = f"Processing failed after {PROCESS_RETRIES + 1} attempts: {exc}"
    with session_scope() as session:
        variants.mark_failed(session, item_id=task.args[0], reason=reason)


class _WakingWorker(Worker):
    """Between polls it waits for this process to queue a job, so an upload's job starts at once."""

    delay: float

    def sleep(self) -> None:
        if _job_queued.wait(min(self.delay, self.max_delay)):
            _job_queued.clear()
            self.delay = self.default_delay
        else:
            self.delay = min(self.delay * self.backoff, self.max_delay)


class EmbeddedConsumer(Consumer):
    """A consumer that runs inside the web process, starts the jobs the process queues at once, and leaves
    signal handling to the web server."""

    worker_class = _WakingWorker

    def _set_signal_handlers(self) -> None:
        pass

    def stop(self, graceful: bool = False) -> None:
        self.stop_flag.set()
        _job_queued.set()  # a worker waiting for a job sees the stop at once
        super().stop(graceful)


def consumer_options(**overrides: Any) -> dict[str, Any]:
    """Consumer options: thread workers, and an idle poll of at most a second so a new upload starts at once."""
    return {"workers": 2, "worker_type": "thread", "periodic": True, "max_delay": 1.0, **overrides}


def start_embedded_consumer() -> Consumer:
    """Start this web process's own worker; its uploads get a head start (media.head_start)."""
    requeue_lost_jobs()
    consumer = EmbeddedConsumer(huey, **consumer_options())
    consumer.start()
    head_start.enable()
    return consumer
