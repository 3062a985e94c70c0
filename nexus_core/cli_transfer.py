"""`nexus media import` and `nexus media export`: a progress bar (rich, on stderr) and a summary around
the use cases of nexus_core.media.importing and nexus_core.media.exporting."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlmodel import Session

from nexus_core import projects, users
from nexus_core.cli_support import bind_job_queue, open_session, reports_errors
from nexus_core.errors import NotFound
from nexus_core.media import exporting, importing
from nexus_core.media.backends import Advance
from nexus_core.models import Project
from nexus_core.policies import Actor


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--project", "project_slug", required=True, help="The slug of the project to import into.")
@click.option(
    "--folders-from-dirs", is_flag=True, help="Each subdirectory becomes a folder (found by name, or made)."
)
@click.option("--tags", default="", help="Comma-separated tags for every image imported.")
@click.option(
    "--as",
    "uploader",
    metavar="EMAIL",
    default=None,
    help="The member recorded as uploader (an admin or editor); default: the project's first admin.",
)
@reports_errors
def media_import(
    paths: tuple[Path, ...], project_slug: str, folders_from_dirs: bool, tags: str, uploader: str | None
) -> None:
    """Import image files and directory trees; images already in the project are skipped, so running it
    again imports only what is missing; exit 1 if any file failed."""
    bind_job_queue()
    plan = importing.plan_import(paths, folders_from_dirs=folders_from_dirs)
    with open_session() as session:
        project = projects.get_project(session, project_slug)
        actor = _uploader(session, project, uploader)
        with _progress_bar("Importing") as advance:
            result = importing.import_files(
                session,
                actor=actor,
                plan=plan,
                tags=[tag for tag in tags.split(",") if tag.strip()],
                progress=advance,
            )
    imported, skipped = result.having(importing.Outcome.IMPORTED), result.having(importing.Outcome.SKIPPED)
    click.echo(
        f"Imported {len(imported)}, skipped {len(skipped)} (already in {project.slug}), "
        f"failed {len(result.failed)}."
    )
    _list("Changed on the way in", [f"{r.path}: {r.message}" for r in imported if r.message])
    _list("Failed", [f"{r.path}: {r.message}" for r in result.failed])
    if imported:
        click.echo("The job queue makes their variants (`nexus serve` or `nexus worker` runs it).")
    if result.failed:
        sys.exit(1)


@click.command(name="export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--project", "project_slug", required=True, help="The slug of the project to export.")
@reports_errors
def media_export(directory: Path, project_slug: str) -> None:
    """Write every original into DIRECTORY (new or empty), in subdirectories mirroring the folders, with a
    manifest.json of names, folders, tags and alt text; exit 1 if any original could not be written."""
    with open_session() as session:
        project = projects.get_project(session, project_slug)
        with _progress_bar("Exporting") as advance:
            result = exporting.export_library(session, project=project, directory=directory, progress=advance)
    written = result.bytes_written
    size = f"{written / 1e6:.1f} MB" if written >= 1e6 else f"{written / 1e3:.0f} KB"
    click.echo(
        f"Exported {len(result.items)} images ({size}) and {len(result.folders)} folders "
        f"to {directory}; {directory / 'manifest.json'} lists them."
    )
    _list("Failed", [f"{item_id} ({filename}): {reason}" for item_id, filename, reason in result.failed])
    if result.failed:
        sys.exit(1)


def _uploader(session: Session, project: Project, email: str | None) -> Actor:
    if email is None:
        return projects.earliest_admin(session, project_id=project.id)
    member = users.get_user_by_email(session, email)
    try:
        return projects.actor_for(session, user_id=member.id, project_id=project.id)
    except NotFound:
        raise NotFound(f"{member.email} is not a member of {project.slug}; add them first.") from None


def _list(title: str, lines: list[str]) -> None:
    if lines:
        click.echo(f"{title}: {len(lines)}")
        for line in lines:
            click.echo(f"  {line}")


class _FilesPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f} files/s" if task.speed else "– files/s", style="progress.data.speed")


@contextmanager
def _progress_bar(description: str) -> Iterator[Advance]:
    """A bar with count, rate, elapsed time and ETA on stderr, drawn live on a terminal, and shown once
    the work starts (a mistake found before then is the only thing printed)."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _FilesPerSecond(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task = bar.add_task(description, total=None)

    def advance(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        yield advance
    finally:
        if bar.live.is_started:
            bar.stop()
