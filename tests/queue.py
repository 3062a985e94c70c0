"""Drive the job queue by hand in a test: jobs wait until the test runs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nexus_core.media.tasks import huey


class QueuedJobs:
    def pending(self) -> int:
        return huey.pending_count()

    def run_all(self) -> int:
        ran = 0
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            ran += 1
        return ran


@contextmanager
def queued_jobs() -> Iterator[QueuedJobs]:
    huey.immediate = False
    try:
        yield QueuedJobs()
    finally:
        huey.flush()
        huey.immediate = True
