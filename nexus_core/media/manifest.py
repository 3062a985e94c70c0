"""`manifest.json`: what `nexus media export` writes beside the originals and `nexus media import` reads
back — what the files themselves cannot carry (ids, original names, exact folder names, tags, alt text).

An import needs only `format`, `version` and each item's `path`, so a manifest can also be written by
hand to give a directory of images their alt text and tags; everything else is optional on the way in.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Final, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nexus_core.errors import InvalidInput

FILENAME = "manifest.json"
FORMAT: Final = "nexus-media-export"


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ManifestProject(_Entry):
    id: UUID
    slug: str
    name: str


class ManifestFolder(_Entry):
    id: UUID | None = None
    parent_id: UUID | None = None
    name: str
    """The folder's own name, exactly."""
    path: list[str] = []
    """Every folder's name from the root down to this one."""
    directory: str = Field(min_length=1)
    """Its directory in the export (relative, `/`-separated), whose name a file system may have changed."""


class ManifestItem(_Entry):
    id: UUID | None = None
    filename: str | None = None
    """The item's name in the library (the file's own name when absent)."""
    path: str = Field(min_length=1)
    """The original's file in the export (relative, `/`-separated)."""
    folder: list[str] = []
    """Its folder's names from the root; empty at the root."""
    folder_id: UUID | None = None
    tags: list[str] = []
    alt_text: str = ""
    mime_type: str | None = None
    sha256: str | None = None
    width: int | None = None
    height: int | None = None
    file_size: int | None = None
    status: str | None = None
    inserted_at: datetime | None = None


class Manifest(_Entry):
    format: Literal["nexus-media-export"]
    version: Literal[1]
    project: ManifestProject | None = None
    exported_at: datetime | None = None
    folders: list[ManifestFolder] = []
    items: list[ManifestItem] = []

    @model_validator(mode="after")
    def _paths_are_unique(self) -> Self:
        for kind, paths in (
            ("item path", [i.path for i in self.items]),
            ("folder directory", [f.directory for f in self.folders]),
        ):
            seen: set[str] = set()
            for path in paths:
                if path in seen:
                    raise ValueError(f"the {kind} {path!r} is listed twice")
                seen.add(path)
        return self


def read_manifest(path: Path) -> Manifest:
    """The manifest at `path`; InvalidInput saying what is wrong with it otherwise."""
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as error:
        problems = error.errors()
        first = problems[0]
        where = ".".join(map(str, first["loc"])) or "the document"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InvalidInput(
            f"{path} is not a valid Nexus Media manifest: {where}: {first['msg']}{more}. "
            "Fix it, or rename it to import the directory without it."
        ) from None
    except OSError as error:
        raise InvalidInput(f"{path} cannot be read: {error.strerror or error}.") from None


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write it whole or not at all (a temporary file renamed over it), readable by people too."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(manifest.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    os.replace(partial, path)
