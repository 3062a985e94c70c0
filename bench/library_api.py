"""Benchmark: the library's API answers as fast for a project of 100,000 items as for one of 100, on PostgreSQL.

Run from the repository root: `./dev bench library_api` (or `.venv/bin/python -m bench.library_api`).
It makes a scratch database on the PostgreSQL server of NEXUS_BENCH_POSTGRES (default: the local one),
runs `nexus migrate`, and seeds two projects of 100 and 100,000 ready items by bulk inserts (no
uploads): the same mix of names, formats, sizes and dates as bench.library, 20 folders with 70% of
the items, 30 tags (0–3 per item), 50 pages using 2% of the items, 1% of the items in near-duplicate
pairs and 30% without alt text. Then `nexus serve --no-worker` answers over loopback and every request
below is timed in each project (warm-up, then the median of ROUNDS, projects alternating), each
project asked the same question (its own folder, tag and item of the same rank).

Target: every request at 100,000 items within 1.5x of 100 items. Exit status 1 when one is missed.
`--plans` also prints PostgreSQL's plan of the list query of each request in the large project.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import httpx
import sqlalchemy as sa
from sqlmodel import Session

from bench.library import EMAIL, PASSWORD, SEED, _item_rows
from nexus_core import accounts, projects
from nexus_core.db import create_db_engine
from nexus_core.media import counting, listing
from nexus_core.models import Folder, MediaItem, MediaReference, MediaSimilarity, MediaTag, Page, Tag, User
from nexus_core.models.base import new_id
from tests.databases import scratch_database
from tests.processes import child_environment, free_port, running, wait_until_serving

SERVER = os.environ.get("NEXUS_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SMALL, LARGE = 100, 100_000
ROUNDS, WARMUP = 25, 5
TARGET_RATIO = 1.5
FOLDERS, TAGS, PAGES = 20, 30, 50
IN_FOLDERS, USED, PAIRED = 0.7, 0.02, 0.01
BATCH = 5_000


@dataclass
class Seeded:
    """One project as the requests need it: its key, and a folder, tag and paired item of each rank."""

    project_id: UUID
    user_id: UUID
    items: int
    token: str
    folder_ids: list[UUID] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    paired_id: UUID | None = None
    newest: str = ""
    one_name: str = ""
    """The filename of one item (a search that finds one, through the trigram index)."""


def requests(project: Seeded) -> dict[str, tuple[str, dict[str, str]]]:
    """What is timed: (path, query) by name."""
    items = "/api/v1/media_items"
    return {
        "first page": (items, {}),
        "next page": (items, {"page[offset]": "20"}),
        "search (5% match)": (items, {"filter[q]": "harbour"}),
        "search (one match)": (items, {"filter[q]": project.one_name}),
        "folder listing": ("/api/v1/folders", {}),
        "filter folder": (items, {"filter[folder]": str(project.folder_ids[3])}),
        "filter root": (items, {"filter[folder]": "root"}),
        "filter tag": (items, {"filter[tag]": project.tag_names[5]}),
        "filter type": (items, {"filter[type]": "png"}),
        "filter orientation": (items, {"filter[orientation]": "portrait"}),
        "filter missing_alt": (items, {"filter[missing_alt]": "true"}),
        "filter unused": (items, {"filter[unused]": "true"}),
        "filter duplicates": (items, {"filter[duplicates]": "true"}),
        "filter similar_to": (items, {"filter[similar_to]": str(project.paired_id)}),
        "filter uploaded_after": (items, {"filter[uploaded_after]": project.newest}),
        "sort filename": (items, {"sort": "filename"}),
        "sort -file_size": (items, {"sort": "-file_size"}),
    }


def main() -> None:
    show_plans = "--plans" in sys.argv
    with (
        scratch_database(SERVER, "nexus_bench") as database_url,
        tempfile.TemporaryDirectory(prefix="nexus-bench-") as home,
    ):
        environment = child_environment(
            NEXUS_HOME=home, NEXUS_DATABASE_URL=database_url, NEXUS_QUEUE_URL="memory://"
        )
        environment = {key: value for key, value in environment.items() if not key.startswith("NEXUS_TEST")}
        started = time.perf_counter()
        _migrate(environment, Path(home))
        small, large = _seed(database_url)
        print(f"Seeded {SMALL:,} + {LARGE:,} items in {time.perf_counter() - started:.1f} s", flush=True)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = Path(home) / "serve.log"
        with running(["serve", "--no-worker", "--port", str(port)], environment, log) as server:
            wait_until_serving(base_url, server, log)
            timings = _measure(base_url, small, large)
        if show_plans:
            _print_plans(database_url, large)
    if not _report(timings):
        raise SystemExit(1)


def _migrate(environment: dict[str, str], home: Path) -> None:
    with running(["migrate"], environment, home / "migrate.log") as process:
        if process.wait(timeout=120) != 0:
            raise SystemExit(f"nexus migrate failed:\n{(home / 'migrate.log').read_text()}")


# --- seeding ---------------------------------------------------------------------------------------


def _seed(database_url: str) -> tuple[Seeded, Seeded]:
    engine = create_db_engine(database_url)
    randomness = random.Random(SEED)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = accounts.create_user(session, email=EMAIL, password=PASSWORD)
            seeded = [_seed_project(session, user, count, randomness) for count in (SMALL, LARGE)]
            session.commit()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))  # what autovacuum does to a settled library
        return seeded[0], seeded[1]
    finally:
        engine.dispose()


def _seed_project(session: Session, user: User, count: int, randomness: random.Random) -> Seeded:
    project = projects.create_project(
        session, name=f"Library of {count:,}", slug=f"library-{count}", owner=user
    )
    user_id = user.id
    token = accounts.issue_api_key(session, project_id=project.id, user_id=user_id).token
    folder_rows = [
        {
            "id": new_id(),
            "project_id": project.id,
            "parent_id": None,
            "name": f"Folder {n:02d}",
            "sibling_key": f"root/folder {n:02d}",
            "depth": 1,
        }
        for n in range(FOLDERS)
    ]
    session.execute(sa.insert(Folder), folder_rows)
    tag_rows = [
        {"id": new_id(), "project_id": project.id, "name": f"tag-{n:02d}", "name_key": f"tag-{n:02d}"}
        for n in range(TAGS)
    ]
    session.execute(sa.insert(Tag), tag_rows)
    items = _item_rows(project.id, user_id, count, randomness)
    for row in items:
        if randomness.random() < IN_FOLDERS:
            row["folder_id"] = randomness.choice(folder_rows)["id"]
        if randomness.random() < 0.05:
            row["filename"] = f"harbour-{row['filename']}"
        row["sha256"] = f"{randomness.getrandbits(256):064x}"
        row["perceptual_hash"] = randomness.getrandbits(63)
    ids = [row["id"] for row in items]
    paired = randomness.sample(ids, max(2, int(count * PAIRED)) // 2 * 2)
    flagged = set(paired)
    for row in items:
        row["has_duplicates"] = row["id"] in flagged
    for start in range(0, count, BATCH):
        session.execute(sa.insert(MediaItem), items[start : start + BATCH])
    _insert(
        session,
        MediaTag,
        [
            {"media_item_id": item_id, "tag_id": tag["id"]}
            for item_id in ids
            for tag in randomness.sample(tag_rows, randomness.randint(0, 3))
        ],
    )
    page_rows = [
        {
            "id": new_id(),
            "project_id": project.id,
            "title": f"Page {n}",
            "slug": f"page-{n}",
            "template": "blog_post",
        }
        for n in range(PAGES)
    ]
    session.execute(sa.insert(Page), page_rows)
    used = randomness.sample(ids, max(1, int(count * USED)))
    _insert(
        session,
        MediaReference,
        [{"page_id": randomness.choice(page_rows)["id"], "media_item_id": item_id} for item_id in used],
    )
    pairs = list(zip(paired[::2], paired[1::2], strict=True))
    _insert(
        session,
        MediaSimilarity,
        [
            {"item_id": a, "other_id": b, "distance": distance}
            for first, second in pairs
            for distance in [randomness.randint(0, 12)]
            for a, b in ((first, second), (second, first))
        ],
    )
    session.flush()
    newest = items[0]["inserted_at"] - timedelta(days=30)
    return Seeded(
        project_id=project.id,
        user_id=user_id,
        items=count,
        token=token,
        folder_ids=[row["id"] for row in folder_rows],
        tag_names=[row["name"] for row in tag_rows],
        paired_id=pairs[0][0],
        newest=newest.isoformat(),
        one_name=items[count // 3]["filename"],
    )


def _insert(session: Session, table: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(sa.insert(table), rows[start : start + BATCH])


# --- measuring -------------------------------------------------------------------------------------


def _measure(base_url: str, small: Seeded, large: Seeded) -> dict[str, dict[int, float]]:
    timings: dict[str, dict[int, float]] = {}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for name in requests(small):
            samples: dict[int, list[float]] = {SMALL: [], LARGE: []}
            for round_ in range(WARMUP + ROUNDS):
                order = (small, large) if round_ % 2 else (large, small)
                for project in order:
                    path, query = requests(project)[name]
                    headers = {"Authorization": f"Bearer {project.token}"}
                    started = time.perf_counter()
                    response = client.get(path, params=query, headers=headers)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        raise SystemExit(f"{name}: {response.status_code} {response.text[:300]}")
                    if round_ >= WARMUP:
                        samples[project.items].append(elapsed)
            timings[name] = {size: statistics.median(values) for size, values in samples.items()}
            print(f"  {name:<22} {timings[name][SMALL]:7.2f} ms  {timings[name][LARGE]:7.2f} ms", flush=True)
    return timings


def _report(timings: dict[str, dict[int, float]]) -> bool:
    print(
        f"\nRequest (median of {ROUNDS})        {SMALL:>7,} items  {LARGE:>9,} items   ratio  target ≤{TARGET_RATIO}x"
    )
    passed = True
    for name, by_size in timings.items():
        ratio = by_size[LARGE] / by_size[SMALL]
        verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
        passed &= ratio <= TARGET_RATIO
        print(f"{name:<32} {by_size[SMALL]:9.2f} ms  {by_size[LARGE]:11.2f} ms  {ratio:5.2f}x  {verdict}")
    return passed


def _print_plans(database_url: str, large: Seeded) -> None:
    """PostgreSQL's plan, with timings, of each list request's two statements (count and page)."""
    engine = create_db_engine(database_url)
    with Session(engine) as session:
        actor = projects.actor_for(session, user_id=large.user_id, project_id=large.project_id)
        for name, (path, query) in requests(large).items():
            if not path.endswith("media_items"):
                continue
            filters = {key[7:-1]: value for key, value in query.items() if key.startswith("filter[")}
            sort = listing.parse_sort(query.get("sort", listing.Sort.NEWEST.value))
            offset = int(query.get("page[offset]", "0"))
            matching, page = listing.statements(
                session,
                actor=actor,
                filters=listing.ItemFilter.parse(filters),
                sort=sort,
                limit=20,
                offset=offset,
            )
            for statement in (counting.bounded(matching), page):
                sql = statement.compile(engine, compile_kwargs={"literal_binds": True})
                print(f"\n--- {name}\n{sql}")
                for (line,) in session.execute(sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")):
                    print(line)
    engine.dispose()


if __name__ == "__main__":
    main()
