"""The layering rules of DESIGN.md, checked on the source: who may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules_importing(package: str, library: str) -> set[str]:
    return {
        str(path.relative_to(ROOT))
        for path in (ROOT / package).rglob("*.py")
        if library in imported_modules(path)
    }


@pytest.mark.parametrize(
    ("library", "allowed"),
    [
        ("nicegui", set()),
        ("boto3", {"nexus_core/media/storage/s3.py"}),
        ("pyvips", {"nexus_core/media/processing.py"}),
    ],
)
def test_core_imports(library: str, allowed: set[str]) -> None:
    assert modules_importing("nexus_core", library) <= allowed


def test_ui_holds_no_database_or_storage_code() -> None:
    for library in ("boto3", "pyvips", "sqlalchemy", "sqlmodel", "alembic"):
        assert modules_importing("nexus_ui", library) == set(), library
