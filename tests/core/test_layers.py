"""The layering rules of DESIGN.md ("Shape of the code"), checked module by module on the source.

Every import counts, also one inside a function; an import under `if TYPE_CHECKING:` runs never, so it
makes no cycle, but it still may not reach upwards into the UI.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("nexus_core", "nexus_ui")
UI = ("nexus_ui", "nicegui")


@dataclass
class Module:
    name: str
    path: Path
    runtime: set[str] = field(default_factory=set)
    """Project modules imported when this one runs (at import or in a function)."""
    typing_only: set[str] = field(default_factory=set)
    """Project modules imported only under `if TYPE_CHECKING:`."""
    libraries: set[str] = field(default_factory=set)
    """Top-level names of everything else imported, typing-only imports included."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def project_modules() -> dict[str, Module]:
    """Every module of nexus_core and nexus_ui, with what it imports."""
    paths = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    modules = {module_name(path): Module(module_name(path), path) for path in paths}
    for module in modules.values():
        for imported, typing_only in imports_of(module):
            target = _project_module(imported, modules)
            if target is None:
                module.libraries.add(imported.split(".")[0])
            elif target != module.name:
                (module.typing_only if typing_only else module.runtime).add(target)
    for module in modules.values():
        module.typing_only -= module.runtime
    return modules


def imports_of(module: Module) -> Iterator[tuple[str, bool]]:
    """(dotted name, under TYPE_CHECKING) of each import; `from a import b` names `a.b` too, as b may be a module."""
    tree = ast.parse(module.path.read_text(), filename=str(module.path))
    typing_only = {
        id(node) for block in ast.walk(tree) if _is_type_checking(block) for node in ast.walk(block)
    }
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in typing_only
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                yield f"{base}.{alias.name}", id(node) in typing_only


def _is_type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _project_module(dotted: str, modules: dict[str, Module]) -> str | None:
    """The project module an import runs: the longest prefix of `dotted` that is one, if any."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def _with_packages(name: str) -> list[str]:
    """Importing `a.b.c` runs `a` and `a.b` first."""
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]


def import_chain_to(start: str, forbidden: tuple[str, ...]) -> list[str] | None:
    """The modules from `start` to the first one that is or imports something `forbidden`, or None."""
    modules = project_modules()
    seen = {start}
    queue: list[list[str]] = [[start]]
    while queue:
        chain = queue.pop(0)
        module = modules[chain[-1]]
        hits = sorted(lib for lib in module.libraries if lib in forbidden)
        if chain[-1].split(".")[0] in forbidden or hits:
            return chain + hits
        for imported in sorted(module.runtime | module.typing_only):
            for step in _with_packages(imported):
                if step in modules and step not in seen:
                    seen.add(step)
                    queue.append([*chain, step])
    return None


def import_cycles(package: str) -> list[list[str]]:
    """The groups of modules of `package` that import each other, round and round (Tarjan)."""
    modules = {name: m for name, m in project_modules().items() if name.split(".")[0] == package}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for imported in sorted(modules[name].runtime & modules.keys()):
            if imported not in index:
                visit(imported)
                low[name] = min(low[name], low[imported])
            elif imported in stack:
                low[name] = min(low[name], index[imported])
        if low[name] == index[name]:
            group = []
            while (member := stack.pop()) != name:
                group.append(member)
            group.append(name)
            if len(group) > 1:
                cycles.append(sorted(group))

    for name in sorted(modules):
        if name not in index:
            visit(name)
    return cycles


def modules_importing(package: str, library: str) -> set[str]:
    return {
        name
        for name, module in project_modules().items()
        if name.split(".")[0] == package and library in module.libraries
    }


CORE_MODULES = sorted(name for name in project_modules() if name.startswith("nexus_core"))


def test_the_scan_sees_every_module_and_its_function_level_imports() -> None:
    modules = project_modules()
    assert {"nexus_core.cli", "nexus_core.media.upload", "nexus_ui.cli", "nexus_ui.app"} <= modules.keys()
    assert "nexus_core.media.tasks" in modules["nexus_core.cli"].runtime  # imported inside `worker`
    assert "nexus_ui.app" in modules["nexus_ui.cli"].runtime  # imported inside `serve`


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_never_reaches_the_ui(module: str) -> None:
    chain = import_chain_to(module, UI)
    assert chain is None, "nexus_core imports the UI: " + " -> ".join(chain or [])


def test_no_import_cycles_in_the_core() -> None:
    assert import_cycles("nexus_core") == []


@pytest.mark.parametrize(
    ("library", "allowed"),
    [
        ("boto3", {"nexus_core.media.storage.s3"}),
        # Webhook deliveries: the URL as it is sent, and the request to the address that was checked.
        ("httpx", {"nexus_core.webhooks.receivers", "nexus_core.webhooks.sending"}),
        # Image processing (its pieces, and the framing of edited pictures and aspect renditions), the
        # perceptual hash, placeholders (colour, ThumbHash, LQIP), and the demo's drawing of sample photos.
        (
            "pyvips",
            {
                "nexus_core.media.processing",
                "nexus_core.media.pixels",
                "nexus_core.media.framing",
                "nexus_core.media.fingerprint",
                "nexus_core.media.placeholders",
                "nexus_core.demo_images",
            },
        ),
    ],
)
def test_core_libraries_live_in_one_place(library: str, allowed: set[str]) -> None:
    assert modules_importing("nexus_core", library) <= allowed


@pytest.mark.parametrize("library", ["boto3", "pyvips", "sqlalchemy", "sqlmodel", "alembic"])
def test_ui_holds_no_database_or_storage_code(library: str) -> None:
    assert modules_importing("nexus_ui", library) == set()


def test_ui_opens_no_database_session() -> None:
    assert {
        name
        for name, m in project_modules().items()
        if "nexus_core.db" in m.runtime and name.startswith("nexus_ui")
    } == set()


def test_ui_imports_no_table_to_query() -> None:
    """Enums (statuses, roles) are words the UI may use; tables are for the core's use cases."""
    import nexus_core.models as models

    tables = {
        f"nexus_core.models.{name}" for name in dir(models) if hasattr(getattr(models, name), "__table__")
    }
    assert tables, "the check must know the tables"
    imported = {
        (name, imported)
        for name, module in project_modules().items()
        if name.startswith("nexus_ui")
        for imported, _ in imports_of(module)
        if imported in tables
    }
    assert imported == set()


def test_ui_calls_the_core_through_one_helper() -> None:
    """Only nexus_ui.calls runs use cases (off the event loop, with the member's role, failures told)."""
    runners = {
        name
        for name, module in project_modules().items()
        if name.startswith("nexus_ui")
        and ("nexus_core.use_cases" in module.runtime or "io_bound" in module.path.read_text())
    }
    assert runners == {"nexus_ui.calls"}
