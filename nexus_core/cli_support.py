"""What the `nexus` command modules share: one way to report a mistake, a migrated session, the job queue."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from nexus_core.db import migrate, session_scope
from nexus_core.errors import NexusError

Command = TypeVar("Command", bound=Callable[..., Any])


def reports_errors(command: Command) -> Command:
    """Turn a user's mistake into one line on stderr and exit status 1, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except NexusError as error:
            fail(str(error))
        except ValidationError as error:
            problems = "; ".join(
                f"NEXUS_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()
            )
            fail(f"Invalid settings: {problems}")
        except OperationalError as error:
            fail(f"Cannot use the database: {error.orig}")

    return run  # type: ignore[return-value]


def fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@contextmanager
def open_session() -> Iterator[Session]:
    """A session on the newest schema."""
    migrate()
    with session_scope() as session:
        yield session


def bind_job_queue() -> None:
    """Send the jobs this process asks for to the Huey queue of NEXUS_QUEUE_URL (see nexus_core.media.jobs)."""
    from nexus_core.media import tasks  # builds the queue, which reads the settings: only when work is queued

    tasks.bind()
