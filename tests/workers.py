"""Jobs run by separate `nexus worker` processes, as in production, for a whole test run.

With NEXUS_TEST_WORKERS=N the test process queues jobs on a real queue (NEXUS_TEST_WORKER_QUEUE_URL)
and N worker processes run them. Queueing a processing job then waits until a worker has finished
with the item, so tests read the same as with jobs run at once; only the work happens elsewhere."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from huey import Huey
from huey.api import Task

from nexus_core.config import get_settings
from nexus_core.db import session_scope
from nexus_core.media import delivery
from nexus_core.models import MediaItem, MediaStatus
from tests.processes import child_environment, running

COUNT = int(os.environ.get("NEXUS_TEST_WORKERS") or 0)
QUEUE_URL = os.environ.get("NEXUS_TEST_WORKER_QUEUE_URL", "")
if COUNT and not QUEUE_URL.startswith("redis://"):
    raise RuntimeError("NEXUS_TEST_WORKERS needs NEXUS_TEST_WORKER_QUEUE_URL=redis://… (a Redis database)")

SETTLE_TIMEOUT = 120.0


@contextmanager
def running_workers(logs: Path) -> Iterator[list[Path]]:
    """COUNT `nexus worker` processes on the test queue; their logs, for failure messages.

    They never re-queue items on their own (a test's stuck items are the test's business)."""
    import redis

    redis.Redis.from_url(QUEUE_URL).flushdb()
    environment = child_environment(NEXUS_QUEUE_URL=QUEUE_URL, NEXUS_PROCESSING_TIMEOUT="86400")
    paths = [logs / f"worker-{number}.log" for number in range(COUNT)]
    with ExitStack() as stack:
        for path in paths:
            stack.enter_context(running(["worker"], environment, path))
        yield paths


def waiting_for_workers(huey: Huey, job: type[Task], logs: list[Path]) -> Callable[[Task], Any]:
    """Huey's `enqueue`, followed, for a processing job on the workers' queue, by a wait for a worker
    to settle the item (both its jobs) (jobs a test queues privately, see tests/queue.py, are left alone)."""
    enqueue, workers_queue = huey.enqueue, huey.storage

    def enqueue_and_wait(task: Task) -> Any:
        result = enqueue(task)
        if isinstance(task, job) and huey.storage is workers_queue:
            _wait_until_settled(UUID(task.args[0]), logs)
        return result

    return enqueue_and_wait


def _wait_until_settled(item_id: UUID, logs: list[Path]) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        with session_scope() as session:
            item = session.get(MediaItem, item_id)
            # Settled: its first job is done, and the second made what the settings ask (delivery.missing).
            if item is None or (
                item.status not in MediaStatus.in_flight() and not delivery.missing(item, get_settings())
            ):
                return
        time.sleep(0.05)
    tails = "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in logs)
    raise AssertionError(f"no worker finished item {item_id} within {SETTLE_TIMEOUT:.0f} s\n{tails}")
