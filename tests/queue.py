"""Drive the job queue by hand in a test: jobs wait until the test runs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from huey.api import Task
from huey.storage import MemoryStorage

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
        """Run the queued jobs and those they queue, as a consumer would: a job queued for later (a
        retry after a pause) goes to the schedule instead. How many ran."""
        ran = 0
        while (task := huey.dequeue()) is not None:
            if huey.ready_to_run(task):
                huey.execute(task)
                ran += 1
            else:
                huey.add_schedule(task)
        return ran

    def scheduled(self) -> list[Task]:
        """Jobs waiting for their time (a retry after a pause), soonest first; they stay where they are."""
        waiting = [huey.deserialize_task(data) for data in huey.storage.scheduled_items()]
        return sorted(waiting, key=lambda task: task.eta)

    def run_scheduled(self) -> int:
        """Run every job waiting for its time as if that time had come; how many ran."""
        due = huey.read_schedule(datetime.now() + timedelta(days=365))
        for task in due:
            huey.execute(task, timestamp=task.eta)
        return len(due) + self.run_all()


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


@contextmanager
def jobs_in_this_process() -> Iterator[None]:
    """Jobs run at once in this process, with its settings: for a test that changes a setting the
    `nexus worker` processes of the production pass, started with the suite's, cannot see. A queue
    already in this process's memory (jobs at once, or held by `queued_jobs`) is left as it is."""
    immediate, storage = huey.immediate, huey.storage
    if isinstance(storage, MemoryStorage):
        yield
        return
    huey.immediate = True
    try:
        yield
    finally:
        huey.immediate = immediate
        huey.storage = storage
