"""The core's `nexus` commands: worker, migrate and the operator's set-up and maintenance commands.

The admin UI adds `nexus serve` to this group from its own side (nexus_ui.cli), so the core never imports it.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from nexus_core import accounts, projects, users
from nexus_core.cli_support import bind_job_queue, open_session, reports_errors
from nexus_core.cli_transfer import media_export, media_import
from nexus_core.config import get_settings
from nexus_core.db import migrate
from nexus_core.errors import NotFound
from nexus_core.media import check, migration, variants
from nexus_core.models import Role

__all__ = ["bind_job_queue", "main", "prepare_to_serve", "reports_errors"]


def prepare_to_serve() -> None:
    """What a web process needs before its first request: the newest schema and a bound job queue."""
    migrate()
    bind_job_queue()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Nexus Media: media library, /media proxy and JSON:API for a headless CMS."""


@main.command()
@click.option("--workers", type=int, default=2, show_default=True, help="Worker threads.")
@reports_errors
def worker(workers: int) -> None:
    """Run the job consumer (image processing) until stopped."""
    from nexus_core.media import tasks  # builds the queue, which reads the settings: inside reports_errors

    migrate()
    tasks.bind()
    tasks.requeue_lost_jobs()
    tasks.huey.create_consumer(**tasks.consumer_options(workers=workers)).run()


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
    with open_session() as session:
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
    with open_session() as session:
        owner_user = users.get_user_by_email(session, owner)
        created = projects.create_project(session, name=name, slug=slug, owner=owner_user)
        click.echo(f"Created project {created.name} ({created.slug}); {owner_user.email} is its admin.")


@project.command(name="add-member")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@reports_errors
def project_add_member(slug: str, email: str, role: str) -> None:
    """Add a user to a project, or change their role."""
    with open_session() as session:
        member = users.get_user_by_email(session, email)
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
    with open_session() as session:
        member = users.get_user_by_email(session, email)
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

    bind_job_queue()
    with open_session() as session:
        login = demo_data.ensure_demo(session)
    click.echo(f"Demo project: {login.project_slug} ({login.image_count} images)")
    click.echo(f"Sign in at /login as {login.email} with the password {login.password}")


@main.group()
def media() -> None:
    """Bring images in and out, and maintain the library: check, sweep, regenerate variants, migrate storage."""


media.add_command(media_import)
media.add_command(media_export)


@media.command(name="check")
@click.option("--stuck-after", type=click.IntRange(min=1), default=15, show_default=True, help="Minutes.")
@click.option("--examples", type=click.IntRange(min=0), default=10, show_default=True, help="Shown per kind.")
@reports_errors
def media_check(stuck_after: int, examples: int) -> None:
    """Report missing files and renditions, orphan files, stuck items and owed deletions; exit 1 if any."""
    with open_session() as session:
        report = check.check_library(session, stuck_after=timedelta(minutes=stuck_after), progress=click.echo)
    click.echo(
        f"Checked {report.item_count} items and {report.file_count} files ({', '.join(report.backends)})."
    )
    _show_section(
        "Items with missing files",
        [f"{m.item_id} on {m.backend}: {', '.join(m.paths)}" for m in report.missing],
        examples,
    )
    _show_section(
        "Items without renditions NEXUS_MODERN_FORMATS asks for",
        [f"{i.item_id}: {', '.join(i.renditions)}" for i in report.incomplete],
        examples,
    )
    _show_section(
        "Files that belong to no item", [f"{o.backend}: {o.path}" for o in report.orphans], examples
    )
    _show_section(
        f"Items pending or processing for more than {stuck_after} minutes",
        [f"{s.item_id} {s.status} since {s.since:%Y-%m-%d %H:%M} UTC" for s in report.stuck],
        examples,
    )
    _show_section(
        "Deletions still owed",
        [
            f"{d.backend}: {d.path} ({d.attempts} attempts; {d.last_error or 'not tried yet'})"
            for d in report.owed
        ],
        examples,
    )
    _show_section(
        "Items on another backend than NEXUS_STORAGE_BACKEND",
        [f"{count} on {backend}" for backend, count in report.elsewhere.items()],
        examples,
    )
    _show_section(
        "Files of earlier versions, kept for NEXUS_OLD_VERSION_GRACE (not a problem; the sweep deletes them after)",
        [f"{k.backend}: {k.path} until {k.due:%Y-%m-%d %H:%M} UTC" for k in report.kept],
        examples,
    )
    if report.clean:
        click.echo("No problems found.")
        return
    click.echo(f"{report.problem_count} problems found. `nexus media sweep` shows what it would fix.")
    if any(not missing.original_missing for missing in report.missing):
        click.echo("Missing variants are made again by `nexus media regenerate ITEM_ID…`.")
    if report.incomplete:
        click.echo(
            "Missing renditions are made by `nexus media sweep --apply` (queued) or `nexus media regenerate`."
        )
    sys.exit(1)


def _show_section(title: str, lines: list[str], examples: int) -> None:
    if not lines:
        return
    click.echo(f"{title}: {len(lines)}")
    for line in lines[:examples]:
        click.echo(f"  {line}")
    if len(lines) > examples:
        click.echo(f"  … and {len(lines) - examples} more")


@media.command(name="sweep")
@click.option("--apply", is_flag=True, help="Do it; without this, only print what would be done.")
@click.option(
    "--grace-minutes",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Keep orphan files younger than this (an upload in flight).",
)
@click.option("--stuck-after", type=click.IntRange(min=1), default=15, show_default=True, help="Minutes.")
@reports_errors
def media_sweep(apply: bool, grace_minutes: int, stuck_after: int) -> None:
    """Delete orphan files, retry owed deletions, re-queue stuck items, queue missing renditions (dry run
    unless --apply)."""
    if apply:
        bind_job_queue()
    with open_session() as session:
        result = check.sweep_library(
            session,
            apply=apply,
            grace=timedelta(minutes=grace_minutes),
            stuck_after=timedelta(minutes=stuck_after),
            progress=click.echo,
        )
    verb = "" if apply else "would be "
    click.echo(
        f"Orphan files {verb}deleted: {len(result.orphans_deleted)} "
        f"(kept, younger than {grace_minutes} minutes: {len(result.orphans_kept_young)}); "
        f"owed deletions {verb}retried: {result.deletions_retried}; "
        f"items {verb}re-queued: {len(result.requeued)}; "
        f"items whose renditions are {verb}queued: {len(result.renditions_queued)}; "
        f"items {verb}marked as error: {len(result.marked_error)}."
    )
    if not apply:
        click.echo("Dry run: nothing was changed. Run again with --apply to do it.")
    elif result.failures or result.deletions_remaining:
        click.echo(
            f"Not done: {len(result.failures)} files could not be removed, "
            f"{result.deletions_remaining} owed deletions still fail.",
            err=True,
        )
        sys.exit(1)


@media.command(name="regenerate")
@click.argument("item_ids", nargs=-1)
@click.option("--project", "project_slug", default=None, help="Every ready or failed item of this project.")
@click.option("--all", "all_items", is_flag=True, help="Every ready or failed item.")
@click.option("--queue", is_flag=True, help="Queue the work for the workers instead of doing it here.")
@reports_errors
def media_regenerate(
    item_ids: tuple[str, ...], project_slug: str | None, all_items: bool, queue: bool
) -> None:
    """Make the variants again (e.g. after the size list changed); old ones no longer made are deleted."""
    bind_job_queue()  # also done here: an item that failed before and is ready now is news for webhooks
    with open_session() as session:
        result = variants.regenerate_variants(
            session,
            item_ids=item_ids,
            project_slug=project_slug,
            all_items=all_items,
            queue=queue,
            progress=click.echo,
        )
    click.echo(
        f"Regenerated {len(result.done)}, queued {len(result.queued)}, "
        f"failed {len(result.failed)}, skipped {len(result.skipped)}."
    )
    if result.failed:
        sys.exit(1)


@media.command(name="migrate-storage")
@click.option("--to", "to", type=click.Choice(["s3", "local"]), required=True, help="The target backend.")
@click.option(
    "--delete-source",
    is_flag=True,
    help="Afterwards delete the source copies (only once everything is verified and the app serves from --to).",
)
@reports_errors
def media_migrate_storage(to: str, delete_source: bool) -> None:
    """Copy every file to another backend, verify it by sha256, switch each item; safe to run again."""
    configured = get_settings().storage_backend
    with open_session() as session:
        result = migration.migrate_storage(session, to=to, delete_source=delete_source, progress=click.echo)
    click.echo(
        f"Moved {len(result.moved)} items to {to} ({result.files_copied} files copied, "
        f"{result.files_reused} already there and verified); {result.already_there} were there before."
    )
    if not result.complete:
        click.echo(
            f"Not finished: {len(result.failed)} failed, {len(result.postponed)} still processing"
            + (f"; stopped: {result.stopped}" if result.stopped else "")
            + f". Run the command again to resume; keep NEXUS_STORAGE_BACKEND={configured} until it completes.",
            err=True,
        )
        sys.exit(1)
    if configured != to:
        click.echo(
            f"Every item is now on {to}, verified. The app still serves files from {configured}, the "
            f"configured backend: set NEXUS_STORAGE_BACKEND={to} and restart the web and worker processes. "
            f"Then run `nexus media migrate-storage --to {to}` once more to copy what was uploaded "
            f"meanwhile; the {configured} files are kept (add --delete-source then to remove them)."
        )
    elif delete_source:
        click.echo(f"Deleted {result.source_files_deleted} source files.")
        if result.source_files_kept:
            click.echo(f"Kept {len(result.source_files_kept)} source files whose copy differs.", err=True)
            sys.exit(1)
    else:
        click.echo(
            f"Every item is on {to}, which the app serves from. Source files are kept (--delete-source)."
        )
