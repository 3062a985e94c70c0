"""Drive the job queue by hand in a test: jobs wait until the test runs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nexus_core.media.tasks import huey


class QueuedJobs:
    def pending(self) -> int:
        return huey.pending_count()

    def run_next(self) -> str:
        """Run the oldest queued job; its task's name."""
        task = huey.dequeue()
        assert task is not None, "no job is queued"
        huey.execute(task)
        return task.name

    def run_all(self) -> int:
        ran = 0
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            ran += 1
        return ran


@contextmanager
def queued_jobs() -> Iterator[QueuedJobs]:
    """Jobs go to a private in-memory queue, which no worker process reads, and run in this process."""
    immediate, storage = huey.immediate, huey.storage
    huey.immediate = False
    huey.storage = huey.get_immediate_storage()
    try:
        yield QueuedJobs()
    finally:
        huey.flush()
        huey.storage = storage
        huey.immediate = immediate
