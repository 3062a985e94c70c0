"""One test run over both cores (pytest-xdist): each worker process gets servers' databases of its own.

On the embedded default each process already has its own NEXUS_HOME (SQLite, media, queue). In the
production configuration the PostgreSQL database and the Redis databases are shared servers, so each
xdist worker uses its own copies: `test` becomes `test_gw1`, made empty at start and dropped at the end,
and Redis database numbers move down two per worker (14 and 15 stay gw0's, 12 and 13 are gw1's).
Run without xdist, everything is used as given. Imports no nexus_core: tests/conftest.py calls this
before the settings are read."""

from __future__ import annotations

import os

import sqlalchemy as sa
from sqlalchemy.engine import make_url

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
"""`gw0`, `gw1`, … under xdist; empty in a plain pytest run."""
INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0
REDIS_DATABASES_PER_WORKER = 2


def own_redis_url(url: str) -> str:
    """`url` with its database number moved down for this worker (the first worker keeps it)."""
    if not url or not INDEX:
        return url
    base, _, number = url.rpartition("/")
    moved = int(number or 0) - REDIS_DATABASES_PER_WORKER * INDEX
    if moved < 0:
        raise RuntimeError(f"{url}: too few Redis databases below it for xdist worker {WORKER}")
    return f"{base}/{moved}"


def own_database_url(url: str) -> str:
    """For a PostgreSQL `url` under xdist, the URL of an empty database named after it and this worker."""
    if not WORKER or not url.startswith("postgresql"):
        return url
    given = make_url(url)
    name = f"{given.database}_{WORKER}"
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return given.set(database=name).render_as_string(hide_password=False)


def drop_own_database(url: str, given_url: str) -> None:
    """Drop the database `own_database_url(given_url)` made (nothing when it returned `given_url`)."""
    if url != given_url:
        _admin(given_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _admin(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()
