"""Benchmark: the admin's media library opens as fast for 10,000 items as for 10.

Run from the repository root: `.venv/bin/python -m bench.library`. It makes a temporary NEXUS_HOME,
runs `nexus migrate`, and seeds one user and three projects of 10, 1,000 and 10,000 ready items by
inserting rows directly (no image processing): realistic filenames, sizes, dimensions and variant
paths, and every item's thumb is a hard link to one of a few small real images, so every tile on
every page shows a real picture (originals and the medium/large variants are not written: the grid
never loads them). Then it starts a real `nexus serve` on a free loopback port and drives Debian's
Chromium with Playwright, signed in once:

- first grid: from navigation start (`page.goto`) to all tiles of page 1 in the DOM with every image
  in the viewport loaded (the thumbnails are `loading=lazy`: those below the fold are not fetched);
- next page: from the click on "2" in the pagination to page 2's tiles replacing page 1's, with
  their visible images loaded.

Both are taken in the page (`performance.now()`, polled every animation frame), in rounds that visit
the projects in turn, in an order rotated each round (1 warm-up round, which also checks that every
tile's image URL answers with an image, then the median of ROUNDS), in one browser context: a
returning admin with NiceGUI's scripts and seen thumbnails in the HTTP cache. The list query is also timed
in-process against the same database (the median of SQL_REPEATS calls of the service the page uses).

The 10-item library shows 10 tiles where the others show 48, so "vs 10" also measures the cost of 38
more tiles (a 4.7x larger websocket update); "vs 1,000" isolates the item count.

Targets: first grid at 10,000 items within 1.5x of 10 items; next page at 10,000 within 1.5x of 1,000
(10 items have no second page). Exit status 1 when a target is missed.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from uuid import UUID

import pyvips
import sqlalchemy as sa
from playwright.sync_api import Page, sync_playwright
from sqlmodel import Session, col

from nexus_core import accounts, projects
from nexus_core.db import create_db_engine
from nexus_core.media import formats, paths, renditions
from nexus_core.media.listing import list_items
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.models.base import new_id
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.processes import NEXUS, free_port, running, wait_until_serving

VIEWPORT = {"width": 1440, "height": 900}
EMAIL = "bench.admin@example.com"
PASSWORD = "bench correct horse battery"
SIZES = (10, 1_000, 10_000)
PAGE_SIZE = 48  # nexus_ui.pages.media_library.PAGE_SIZE (not imported: it pulls in NiceGUI)
ROUNDS = 9
WARMUP_ROUNDS = 1
SQL_REPEATS = 30
TARGET_RATIO = 1.5
WAIT_MS = 15_000
SERVER_START_SECONDS = 60
SEED = 20261101

# Formats of the seeded items (weights) and how many bytes a pixel of the original costs, roughly.
FORMATS = {"image/jpeg": (80, 0.28), "image/png": (12, 1.6), "image/webp": (8, 0.16)}
DIMENSIONS = [(4032, 3024), (3024, 4032), (6000, 4000), (4000, 6000), (1920, 1080), (2560, 1440), (1200, 800)]
PALETTE = [(230, 120, 60), (60, 140, 200), (90, 170, 110), (200, 80, 140), (240, 200, 70), (120, 110, 200)]
ALT_TEXTS = [
    "",
    "",
    "",
    "Harbour at dawn",
    "Team photo in the office",
    "Product shot on white",
    "Hero banner",
]


@dataclass
class Library:
    """A seeded project and what the browser should find in it."""

    items: int
    slug: str
    project_id: UUID
    timings_ms: dict[str, list[float]] = field(default_factory=dict)
    sql_ms: dict[str, float] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"/admin/{self.slug}/media"

    @property
    def first_page_tiles(self) -> int:
        return min(self.items, PAGE_SIZE)

    @property
    def second_page_tiles(self) -> int:
        return min(max(self.items - PAGE_SIZE, 0), PAGE_SIZE)

    def median(self, name: str) -> float | None:
        values = self.timings_ms.get(name)
        return statistics.median(values) if values else None

    def spread(self, name: str) -> str:
        values = self.timings_ms.get(name)
        return f"{min(values):.0f}-{max(values):.0f}" if values else ""


def main() -> None:
    """Seed, serve, measure, print the table; exit status 1 when a target is missed."""
    busy = os.getloadavg()[0]
    if busy > (os.cpu_count() or 1):
        print(f"warning: load average {busy:.1f} on {os.cpu_count()} CPUs; other work skews the timings\n")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nexus-bench-library-") as directory:
        home = Path(directory)
        environment = _child_environment(home)
        _migrate(environment)
        begun = time.monotonic()
        libraries, user_id = _seed(home, environment["NEXUS_DATABASE_URL"])
        print(
            f"seeded {sum(library.items for library in libraries):,} items in {time.monotonic() - begun:.1f} s"
        )
        _time_sql(environment["NEXUS_DATABASE_URL"], libraries, user_id)
        with _server(home, environment) as base_url:
            _measure_in_browser(base_url, libraries)
    passed = _print_table(libraries)
    print(
        f"\ntotal time {time.monotonic() - started:.0f} s, load average {os.getloadavg()[0]:.1f} at the end"
    )
    if not passed:
        raise SystemExit(1)


def _migrate(environment: dict[str, str]) -> None:
    done = subprocess.run(
        [NEXUS, "migrate"], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"nexus migrate failed:\n{done.stdout}{done.stderr}")


def _child_environment(home: Path) -> dict[str, str]:
    """Our settings only: nothing NEXUS_* from the caller, and NiceGUI must not think it runs under pytest."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NEXUS_") and key not in ("PYTEST_CURRENT_TEST", "NICEGUI_STORAGE_PATH")
    }
    return environment | {
        "NEXUS_HOME": str(home),
        "NEXUS_DATABASE_URL": f"sqlite:///{home / 'nexus.db'}",
        "NEXUS_STORAGE_BACKEND": "local",
        "NICEGUI_STORAGE_PATH": str(home / ".nicegui"),
    }


# --- seeding ---------------------------------------------------------------------------------------


def _seed(home: Path, database_url: str) -> tuple[list[Library], UUID]:
    engine = create_db_engine(database_url)
    media_dir = home / "media"
    thumbs = _write_thumb_sources(home / "thumb-sources")
    randomness = random.Random(SEED)
    libraries = []
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = accounts.create_user(session, email=EMAIL, password=PASSWORD)
            for count in SIZES:
                slug = f"library-{count}"
                project = projects.create_project(
                    session, name=f"Library of {count:,}", slug=slug, owner=user
                )
                rows = _item_rows(project.id, user.id, count, randomness)
                session.execute(sa.insert(MediaItem), rows)
                session.commit()
                _link_thumbs(media_dir, rows, thumbs, randomness)
                libraries.append(Library(items=count, slug=slug, project_id=project.id))
        return libraries, user.id
    finally:
        engine.dispose()


def _write_thumb_sources(directory: Path) -> dict[str, list[Path]]:
    """A few real 300-pixel thumbnails per format, each a colour gradient, for the hard links."""
    directory.mkdir()
    options = {"image/jpeg": "[Q=80]", "image/png": "", "image/webp": "[Q=80]"}
    sources: dict[str, list[Path]] = {}
    for mime_type in FORMATS:
        extension = formats.BY_MIME[mime_type].extension
        for number, (red, green, blue) in enumerate(PALETTE):
            xyz = pyvips.Image.xyz(300, 225)
            image = (
                (xyz[0] * (red / 300)).bandjoin([xyz[1] * (green / 225), (xyz[0] + xyz[1]) * (blue / 525)])
            ).cast("uchar")
            target = directory / f"{number}.{extension}"
            image.write_to_file(f"{target}{options[mime_type]}")
            sources.setdefault(mime_type, []).append(target)
    return sources


def _item_rows(project_id: UUID, user_id: UUID, count: int, randomness: random.Random) -> list[dict]:
    """Newest first: one upload every few minutes, going back in time."""
    moment = datetime.now(UTC) - timedelta(minutes=1)
    rows = []
    mime_types = list(FORMATS)
    weights = [weight for weight, _ in FORMATS.values()]
    for number in range(count):
        mime_type = randomness.choices(mime_types, weights)[0]
        width, height = randomness.choice(DIMENSIONS)
        item_id = new_id()
        variants = {
            name: paths.generate_path(project_id, item_id, mime_type, name) for name in renditions.NAMES
        }
        bytes_per_pixel = FORMATS[mime_type][1] * randomness.uniform(0.7, 1.3)
        item = MediaItem(
            id=item_id,
            project_id=project_id,
            uploaded_by_id=user_id,
            filename=_filename(number, mime_type, randomness),
            file_path=paths.generate_path(project_id, item_id, mime_type),
            mime_type=mime_type,
            file_size=int(width * height * bytes_per_pixel),
            width=width,
            height=height,
            alt_text=randomness.choice(ALT_TEXTS),
            variants=variants,
            storage_backend="local",
            status=MediaStatus.READY,
            inserted_at=moment,
            updated_at=moment,
        )
        rows.append(item.model_dump())
        moment -= timedelta(seconds=randomness.randint(5, 900))
    return rows


def _filename(number: int, mime_type: str, randomness: random.Random) -> str:
    extension = formats.BY_MIME[mime_type].extension
    if mime_type == "image/png":
        day = datetime(2026, 1, 1) + timedelta(days=number % 300, seconds=randomness.randint(0, 86_399))
        return f"Screenshot {day:%Y-%m-%d at %H.%M.%S}.png"
    if mime_type == "image/webp":
        return f"{randomness.choice(['hero', 'banner', 'card', 'teaser'])}-{number:05d}@2x.webp"
    return f"{randomness.choice(['IMG_', 'DSC', 'PXL_2026'])}{number:05d}.{extension}"


def _link_thumbs(
    media_dir: Path, rows: list[dict], thumbs: dict[str, list[Path]], randomness: random.Random
) -> None:
    """Every item's thumb path gets a real image: a hard link, so 10,000 of them cost no disk."""
    for row in rows:
        target = media_dir / row["variants"]["thumb"]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(randomness.choice(thumbs[row["mime_type"]]), target)


# --- SQL, in-process --------------------------------------------------------------------------------


def _time_sql(database_url: str, libraries: list[Library], user_id: UUID) -> None:
    """The list query the page runs (COUNT + one page), timed in-process on the same database."""
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            for library in libraries:
                actor = projects.actor_for(session, user_id=user_id, project_id=library.project_id)
                last_page = max(0, (library.items - 1) // PAGE_SIZE) * PAGE_SIZE
                for label, offset in (("page 1", 0), ("page 2", PAGE_SIZE), ("last page", last_page)):
                    library.sql_ms[label] = _median_ms(
                        partial(list_items, session, actor=actor, limit=PAGE_SIZE, offset=offset)
                    )
                count = (
                    sa.select(sa.func.count())
                    .select_from(MediaItem)
                    .where(col(MediaItem.project_id) == library.project_id)
                )
                library.sql_ms["count only"] = _median_ms(partial(session.execute, count))
            _print_plans(session, libraries[-1])
    finally:
        engine.dispose()


def _median_ms(call: Callable[[], object]) -> float:
    timings = []
    for _ in range(SQL_REPEATS + 1):
        begun = time.perf_counter()
        call()
        timings.append((time.perf_counter() - begun) * 1000)
    return statistics.median(timings[1:])


def _print_plans(session: Session, library: Library) -> None:
    """SQLite's plan for the page query and the count, to show whether the index is used."""
    project = library.project_id.hex
    queries = {
        "count": f"SELECT count(*) FROM media_items WHERE project_id = '{project}'",
        "page": (
            f"SELECT * FROM media_items WHERE project_id = '{project}' "
            "ORDER BY inserted_at DESC, id DESC LIMIT 48 OFFSET 48"
        ),
    }
    if session.get_bind().dialect.name != "sqlite":
        return
    print("SQLite query plans (10,000-item project):")
    for name, query in queries.items():
        plan = session.execute(sa.text("EXPLAIN QUERY PLAN " + query)).all()
        print(f"  {name:<6}" + "; ".join(row[-1] for row in plan))
    print()


# --- server ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _server(home: Path, environment: dict[str, str]) -> Iterator[str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = home / "serve.log"
    with running(["serve", "--host", "127.0.0.1", "--port", str(port)], environment, log) as process:
        wait_until_serving(base_url, process, log, timeout=SERVER_START_SECONDS)
        yield base_url


# --- browser ---------------------------------------------------------------------------------------

# Tiles of the current page: how many, their ids, and whether every image in the viewport has loaded.
_GRID_STATE = """() => {
    const tiles = [...document.querySelectorAll('[data-testid=media-tile]')];
    const ids = tiles.map((tile) => tile.dataset.itemId);
    const loaded = tiles.every((tile) => {
        const img = tile.querySelector('img');
        if (!img) return false;
        const box = img.getBoundingClientRect();
        const inView = box.bottom > 0 && box.top < window.innerHeight && box.width > 0;
        return !inView || (img.complete && img.naturalWidth > 0);
    });
    return {ids, loaded};
}"""

# Polled every frame: notes when the tiles are in the DOM, answers once their images in view are loaded.
FIRST_GRID = f"""([count]) => {{
    if (window.did_handshake) window.__benchConnectedAt ??= performance.now();
    const state = ({_GRID_STATE})();
    if (state.ids.length !== count) return false;
    window.__benchTilesAt ??= performance.now();
    if (!state.loaded) return false;
    const navigation = performance.getEntriesByType('navigation')[0];
    return {{
        html: navigation.responseEnd, connected: window.__benchConnectedAt ?? window.__benchTilesAt,
        tiles: window.__benchTilesAt, done: performance.now(),
    }};
}}"""

CLICK_PAGE_TWO = """() => {
    const button = [...document.querySelectorAll('[data-testid=pagination] button')].find(
        (candidate) => candidate.textContent.trim() === '2');
    if (!button) throw new Error('no page 2 button in the pagination');
    window.__benchOldIds = new Set(
        [...document.querySelectorAll('[data-testid=media-tile]')].map((tile) => tile.dataset.itemId));
    window.__benchTilesAt = undefined;
    window.__benchClickedAt = performance.now();
    button.click();
}"""

NEXT_PAGE = f"""([count]) => {{
    const state = ({_GRID_STATE})();
    if (state.ids.length !== count || state.ids.some((id) => window.__benchOldIds.has(id))) return false;
    window.__benchTilesAt ??= performance.now();
    if (!state.loaded) return false;
    const clicked = window.__benchClickedAt;
    return {{tiles: window.__benchTilesAt - clicked, done: performance.now() - clicked}};
}}"""

# Every tile's image URL answers with an image (checked once per page: lazy images are not loaded).
ALL_IMAGES_SERVED = """async () => {
    const sources = [...document.querySelectorAll('[data-testid=media-tile] img')].map((img) => img.src);
    const answers = await Promise.all(sources.map(async (source) => {
        const response = await fetch(source);
        const type = response.headers.get('content-type') || '';
        return response.ok && type.startsWith('image/') && (await response.blob()).size > 0;
    }));
    return {count: sources.length, bad: answers.filter((ok) => !ok).length};
}"""


def _measure_in_browser(base_url: str, libraries: list[Library]) -> None:
    """Rounds over all projects, in an order rotated each round so none always follows the same one."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(base_url=base_url, viewport=VIEWPORT)  # type: ignore[arg-type]
            context.set_default_timeout(WAIT_MS)
            page = context.new_page()
            _sign_in(page)
            for round_number in range(WARMUP_ROUNDS + ROUNDS):
                warmup = round_number < WARMUP_ROUNDS
                shift = round_number % len(libraries)
                for library in libraries[shift:] + libraries[:shift]:
                    timings = _visit(page, library, check_images=warmup)
                    if not warmup:
                        for name, value in timings.items():
                            library.timings_ms.setdefault(name, []).append(value)
        finally:
            browser.close()


def _sign_in(page: Page) -> None:
    page.goto("/login")
    page.wait_for_function("window.did_handshake === true")  # NiceGUI ignores input until connected
    page.locator("input[type=email]").fill(EMAIL)
    page.locator("input[type=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _visit(page: Page, library: Library, *, check_images: bool) -> dict[str, float]:
    page.goto(library.path, wait_until="commit")
    first = page.wait_for_function(FIRST_GRID, arg=[library.first_page_tiles], polling="raf").json_value()
    timings = {name: first[name] for name in ("html", "connected", "tiles")} | {"first grid": first["done"]}
    if check_images:
        _check_images(page, library, "page 1")
    if not library.second_page_tiles:
        return timings
    page.wait_for_function("window.did_handshake === true")
    page.evaluate(CLICK_PAGE_TWO)
    following = page.wait_for_function(NEXT_PAGE, arg=[library.second_page_tiles], polling="raf").json_value()
    timings |= {"next tiles": following["tiles"], "next page": following["done"]}
    if check_images:
        _check_images(page, library, "page 2")
    return timings


def _check_images(page: Page, library: Library, which: str) -> None:
    served = page.evaluate(ALL_IMAGES_SERVED)
    if served["bad"]:
        raise SystemExit(f"{library.slug} {which}: {served['bad']} of {served['count']} tile images failed")


# --- report ----------------------------------------------------------------------------------------


def _print_table(libraries: list[Library]) -> bool:
    by_size = {library.items: library for library in libraries}
    smallest, middle, largest = (by_size[size] for size in SIZES)

    def ratio(name: str, library: Library, baseline: Library) -> float:
        return (library.median(name) or 0) / (baseline.median(name) or 1)

    print(
        f"\nMedia library page (/admin/<slug>/media), nexus serve + Chromium "
        f"{VIEWPORT['width']}x{VIEWPORT['height']}, median of {ROUNDS} rounds after {WARMUP_ROUNDS} warm-up, "
        f"page size {PAGE_SIZE}"
    )
    print(
        f"{'items':>7}{'first grid ms':>15}{'min-max':>11}{'vs 10':>8}{'vs 1,000':>10}"
        f"{'next page ms':>15}{'min-max':>11}{'vs 1,000':>10}"
    )
    for size, library in by_size.items():
        line = (
            f"{size:>7,}{library.median('first grid'):>15.0f}{library.spread('first grid'):>11}"
            f"{ratio('first grid', library, smallest):>7.2f}x{ratio('first grid', library, middle):>9.2f}x"
        )
        following = library.median("next page")
        if following is None:
            line += f"{'-':>15}"
        else:
            line += (
                f"{following:>15.0f}{library.spread('next page'):>11}"
                f"{ratio('next page', library, middle):>9.2f}x"
            )
        print(line)

    print("\nBreakdown (medians, ms)")
    print(
        f"{'items':>7}{'HTML':>8}{'connected':>11}{'tiles in DOM':>14}{'next: tiles':>13}"
        f"{'SQL page 1':>12}{'SQL page 2':>12}{'SQL last':>10}{'COUNT':>8}"
    )
    for size, library in by_size.items():
        following = library.median("next tiles")
        sql = library.sql_ms
        print(
            f"{size:>7,}{library.median('html'):>8.0f}{library.median('connected'):>11.0f}"
            f"{library.median('tiles'):>14.0f}"
            f"{'-' if following is None else f'{following:.0f}':>13}"
            f"{sql['page 1']:>12.2f}{sql['page 2']:>12.2f}{sql['last page']:>10.2f}{sql['count only']:>8.2f}"
        )

    verdicts = [
        (
            f"first grid, {largest.items:,} vs {smallest.items:,} items",
            ratio("first grid", largest, smallest),
        ),
        (f"next page, {largest.items:,} vs {middle.items:,} items", ratio("next page", largest, middle)),
    ]
    print()
    for label, value in verdicts:
        print(
            f"{'PASS' if value <= TARGET_RATIO else 'FAIL'}  {label}: {value:.2f}x (target <= {TARGET_RATIO}x)"
        )
    print(
        "\nfirst grid: navigation start to all page-1 tiles in the DOM with the images in view loaded "
        "(HTML: the page's response end; connected: NiceGUI's websocket handshake; tiles in DOM: before images).\n"
        "next page: click on 2 to new tiles replacing the old ones with the images in view loaded.\n"
        "SQL: nexus_core.media.listing.list_items as the page calls it (COUNT + SELECT of 48), in-process on the same "
        "SQLite file; SQL last: the last page (largest OFFSET); COUNT: the count alone.\n"
        f"The {SIZES[0]}-item library shows {SIZES[0]} tiles, the others {PAGE_SIZE}: 'vs 1,000' isolates the "
        "item count, 'vs 10' also includes the cost of the extra tiles."
    )
    return all(value <= TARGET_RATIO for _, value in verdicts)


if __name__ == "__main__":
    main()
