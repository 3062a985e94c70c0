"""Folders of a project's library: nested at most ten deep, names unique among siblings ignoring
case; deleting one never deletes images, so a folder that holds anything is refused."""

from __future__ import annotations

from typing import Final, Literal
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from nexus_core.errors import Conflict, InvalidInput, NotFound
from nexus_core.models import Folder, MediaItem
from nexus_core.models.organisation import MAX_FOLDER_DEPTH
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import FolderView
from nexus_core.text import require_storable

MAX_NAME_LENGTH = 100
MISSING_FOLDER = "No such folder in this project."
ROOT: Final = "root"
"""The library's top level, where items and folders with no parent are: how filters, moves and the
API name it (a folder id never reads like it)."""
Root = Literal["root"]


def clean_name(name: str) -> str:
    name = require_storable(" ".join((name or "").split()), "The folder name")
    if not name:
        raise InvalidInput("A folder needs a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"A folder name can have at most {MAX_NAME_LENGTH} characters; it has {len(name)}."
        )
    return name


def sibling_key(parent_id: UUID | None, name: str) -> str:
    return f"{parent_id or 'root'}/{name.casefold()}"


def create_folder(session: Session, *, actor: Actor, name: str, parent_id: UUID | None = None) -> FolderView:
    authorize(actor, Action.EDIT_MEDIA)
    name = clean_name(name)
    parent = load_folder(session, actor=actor, folder_id=parent_id) if parent_id else None
    depth = parent.depth + 1 if parent else 1
    if depth > MAX_FOLDER_DEPTH:
        raise InvalidInput(f"Folders nest at most {MAX_FOLDER_DEPTH} levels deep.")
    folder = Folder(
        project_id=actor.project_id,
        parent_id=parent_id,
        name=name,
        sibling_key=sibling_key(parent_id, name),
        depth=depth,
    )
    _save(session, folder)
    return FolderView.of(folder)


def folder_named(session: Session, *, actor: Actor, name: str, parent_id: UUID | None = None) -> FolderView:
    """The folder of this name (ignoring case) directly inside `parent_id` (None: the root), made if
    there is none: how an import mirrors a directory tree without making a folder twice."""
    authorize(actor, Action.EDIT_MEDIA)
    key = sibling_key(parent_id, clean_name(name))
    query = select(Folder).where(Folder.project_id == actor.project_id, Folder.sibling_key == key)
    if (existing := session.exec(query).first()) is not None:
        return FolderView.of(existing)
    try:
        return create_folder(session, actor=actor, name=name, parent_id=parent_id)
    except Conflict:  # someone made it meanwhile
        if (existing := session.exec(query).first()) is not None:
            return FolderView.of(existing)
        raise


def rename_folder(session: Session, *, actor: Actor, folder_id: UUID, name: str) -> FolderView:
    authorize(actor, Action.EDIT_MEDIA)
    folder = load_folder(session, actor=actor, folder_id=folder_id)
    folder.name = clean_name(name)
    folder.sibling_key = sibling_key(folder.parent_id, folder.name)
    _save(session, folder)
    return FolderView.of(folder)


def move_folder(session: Session, *, actor: Actor, folder_id: UUID, parent_id: UUID | None) -> FolderView:
    """Into another folder or to the root (None), never into itself or anything inside it."""
    authorize(actor, Action.EDIT_MEDIA)
    folder = load_folder(session, actor=actor, folder_id=folder_id)
    parent = load_folder(session, actor=actor, folder_id=parent_id) if parent_id else None
    if parent is not None and (parent.id == folder.id or folder.id in _ancestors(session, parent)):
        raise InvalidInput(f"“{folder.name}” cannot move into itself or into a folder inside it.")
    subtree = _subtree(session, folder)
    shift = (parent.depth + 1 if parent else 1) - folder.depth
    if max(each.depth for each in subtree) + shift > MAX_FOLDER_DEPTH:
        raise InvalidInput(f"Folders nest at most {MAX_FOLDER_DEPTH} levels deep.")
    for each in subtree:
        each.depth += shift
        session.add(each)
    folder.parent_id = parent_id
    folder.sibling_key = sibling_key(parent_id, folder.name)
    _save(session, folder)
    return FolderView.of(folder)


def delete_folder(session: Session, *, actor: Actor, folder_id: UUID) -> None:
    authorize(actor, Action.EDIT_MEDIA)
    folder = load_folder(session, actor=actor, folder_id=folder_id)
    images = session.exec(
        select(func.count()).select_from(MediaItem).where(MediaItem.folder_id == folder.id)
    ).one()
    folders = session.exec(
        select(func.count()).select_from(Folder).where(Folder.parent_id == folder.id)
    ).one()
    if images or folders:
        held = [
            f"{count} {noun}{'s' if count != 1 else ''}"
            for count, noun in ((images, "image"), (folders, "folder"))
            if count
        ]
        raise Conflict(f"“{folder.name}” holds {' and '.join(held)}; move or delete them first.")
    session.delete(folder)
    session.commit()


def list_folders(session: Session, *, actor: Actor, parent_id: UUID | None = None) -> list[FolderView]:
    """The folders directly inside `parent_id` (None: the root), by name."""
    authorize(actor, Action.VIEW)
    query = select(Folder).where(Folder.project_id == actor.project_id, Folder.parent_id == parent_id)
    return [FolderView.of(folder) for folder in session.exec(query.order_by(func.lower(Folder.name)))]


def folder_tree(session: Session, *, actor: Actor) -> list[FolderView]:
    """Every folder of the project in one query, by name (the admin's tree is drawn from it)."""
    authorize(actor, Action.VIEW)
    query = select(Folder).where(Folder.project_id == actor.project_id).order_by(func.lower(Folder.name))
    return [FolderView.of(folder) for folder in session.exec(query)]


def load_folder(session: Session, *, actor: Actor, folder_id: UUID | None) -> Folder:
    folder = session.get(Folder, folder_id) if folder_id else None
    if folder is None or folder.project_id != actor.project_id:
        raise NotFound(MISSING_FOLDER)
    return folder


def _ancestors(session: Session, folder: Folder) -> set[UUID]:
    found: set[UUID] = set()
    current = folder
    while current.parent_id is not None and current.parent_id not in found:
        found.add(current.parent_id)
        parent = session.get(Folder, current.parent_id)
        if parent is None:
            break
        current = parent
    return found


def _subtree(session: Session, folder: Folder) -> list[Folder]:
    """The folder and every folder inside it, level by level (at most ten queries)."""
    found, level = [folder], [folder.id]
    while level:
        children = session.exec(select(Folder).where(col(Folder.parent_id).in_(level))).all()
        found.extend(children)
        level = [child.id for child in children]
    return found


def _save(session: Session, folder: Folder) -> None:
    session.add(folder)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"A folder named “{folder.name}” is already there.") from None
