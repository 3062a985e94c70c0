"""The `nexus` command: serve, worker, migrate and the operator's set-up commands."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from nexus_core import accounts, projects
from nexus_core.db import migrate, session_scope
from nexus_core.errors import NexusError, NotFound
from nexus_core.models import Role

Command = TypeVar("Command", bound=Callable[..., Any])


def reports_errors(command: Command) -> Command:
    """Turn a user's mistake into one line on stderr and exit status 1, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except NexusError as error:
            _fail(str(error))
        except ValidationError as error:
            problems = "; ".join(
                f"NEXUS_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()
            )
            _fail(f"Invalid settings: {problems}")
        except OperationalError as error:
            _fail(f"Cannot use the database: {error.orig}")

    return run  # type: ignore[return-value]


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@contextmanager
def _session() -> Iterator[Session]:
    migrate()
    with session_scope() as session:
        yield session


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Nexus Media: media library, /media proxy and JSON:API for a headless CMS."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (NEXUS_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (NEXUS_PORT, default 8080).")
@click.option("--no-worker", is_flag=True, help="Do not process jobs in this process (run `nexus worker`).")
@reports_errors
def serve(host: str | None, port: int | None, no_worker: bool) -> None:
    """Migrate, then serve the admin UI, /media and /api."""
    from nexus_core.config import get_settings
    from nexus_ui.app import run

    settings = get_settings()
    migrate()
    run(host=host or settings.host, port=port or settings.port, with_worker=not no_worker)


@main.command()
@click.option("--workers", type=int, default=2, show_default=True, help="Worker threads.")
@reports_errors
def worker(workers: int) -> None:
    """Run the job consumer (image processing) until stopped."""
    from nexus_core.media.tasks import consumer_options, huey

    migrate()
    huey.create_consumer(**consumer_options(workers=workers)).run()


@main.command(name="migrate")
@reports_errors
def migrate_command() -> None:
    """Apply database migrations (alembic upgrade head)."""
    migrate()
    click.echo("Database is up to date.")


@main.group()
def user() -> None:
    """Manage users."""


@user.command(name="create")
@click.argument("email")
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
)
@reports_errors
def user_create(email: str, password: str) -> None:
    """Create a user who can sign in."""
    with _session() as session:
        created = accounts.create_user(session, email=email, password=password)
        click.echo(f"Created user {created.email}.")


@main.group()
def project() -> None:
    """Manage projects and their members."""


@project.command(name="create")
@click.argument("name")
@click.option("--slug", required=True, help="URL name: lowercase letters, digits, hyphens.")
@click.option("--owner", required=True, help="Email of an existing user; becomes the project's admin.")
@reports_errors
def project_create(name: str, slug: str, owner: str) -> None:
    """Create a project owned by an existing user."""
    with _session() as session:
        owner_user = accounts.get_user_by_email(session, owner)
        created = projects.create_project(session, name=name, slug=slug, owner=owner_user)
        click.echo(f"Created project {created.name} ({created.slug}); {owner_user.email} is its admin.")


@project.command(name="add-member")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@reports_errors
def project_add_member(slug: str, email: str, role: str) -> None:
    """Add a user to a project, or change their role."""
    with _session() as session:
        member = accounts.get_user_by_email(session, email)
        target = projects.get_project(session, slug)
        projects.set_member_role(session, actor=None, user=member, project=target, role=Role(role))
        click.echo(f"{member.email} is now {role} of {target.slug}.")


@main.group()
def apikey() -> None:
    """Manage API keys."""


@apikey.command(name="create")
@click.argument("slug")
@click.argument("email")
@click.option("--name", default="", help="A label to recognise the key by.")
@reports_errors
def apikey_create(slug: str, email: str, name: str) -> None:
    """Create an API key acting for a member; the token is printed once, as the last line."""
    with _session() as session:
        member = accounts.get_user_by_email(session, email)
        target = projects.get_project(session, slug)
        try:
            actor = projects.actor_for(session, user_id=member.id, project_id=target.id)
        except NotFound:
            raise NotFound(f"{member.email} is not a member of {target.slug}; add them first.") from None
        issued = accounts.issue_api_key(session, project_id=target.id, user_id=member.id, name=name)
        click.echo(
            f"API key {issued.key.prefix} for {member.email} in {target.slug} ({actor.role}). Token:",
            err=True,
        )
        click.echo(issued.token)


@main.command()
@reports_errors
def demo() -> None:
    """Create (once) a demo user and project with sample images, and print how to sign in."""
    from nexus_core import demo as demo_data

    with _session() as session:
        login = demo_data.ensure_demo(session)
    click.echo(f"Demo project: {login.project_slug} ({login.image_count} images)")
    click.echo(f"Sign in at /login as {login.email} with the password {login.password}")
