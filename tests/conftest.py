"""Test set-up: an isolated NEXUS_HOME, a migrated database (SQLite, or PostgreSQL when
NEXUS_TEST_DATABASE_URL is set), tasks run at once in this process, or, with NEXUS_TEST_WORKERS=N,
by N separate `nexus worker` processes on a Redis queue (see tests/workers.py).

The configured storage is the local media directory, or, when NEXUS_TEST_S3=1, a bucket on moto's
S3 server on loopback (started here, before nexus_core reads its settings). Tests look at what is
stored through the `stored` fixture, which works on either. Under pytest-xdist each worker process
uses databases of its own (tests/parallel.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from tests import parallel

for _name in ("NEXUS_TEST_REDIS_URL", "NEXUS_TEST_WORKER_QUEUE_URL"):
    if os.environ.get(_name):
        os.environ[_name] = parallel.own_redis_url(os.environ[_name])
_GIVEN_DATABASE_URL = os.environ.get("NEXUS_TEST_DATABASE_URL", "")
if _GIVEN_DATABASE_URL:
    os.environ["NEXUS_TEST_DATABASE_URL"] = parallel.own_database_url(_GIVEN_DATABASE_URL)

_HOME = Path(tempfile.mkdtemp(prefix="nexus-test-"))
os.environ["NEXUS_HOME"] = str(_HOME)
os.environ["NEXUS_QUEUE_URL"] = (
    os.environ.get("NEXUS_TEST_WORKER_QUEUE_URL", "") if os.environ.get("NEXUS_TEST_WORKERS") else "memory://"
)
# WebP and AVIF add a few hundred ms to each upload of a test's size, so the suite makes modern renditions
# only where a test asks for them (the `modern_formats` fixture); processes it starts inherit this.
os.environ["NEXUS_MODERN_FORMATS"] = ""
os.environ.pop("NEXUS_STORAGE_BACKEND", None)
os.environ.pop("NEXUS_MEDIA_DIR", None)
if os.environ.get("NEXUS_TEST_DATABASE_URL"):
    os.environ["NEXUS_DATABASE_URL"] = os.environ["NEXUS_TEST_DATABASE_URL"]
else:
    os.environ.pop("NEXUS_DATABASE_URL", None)

S3_MODE = os.environ.get("NEXUS_TEST_S3") == "1"
S3_BUCKET = "nexus-test-media"
if S3_MODE:
    from tests.s3server import REGION, start_server

    _S3_SERVER, _S3_ENDPOINT = start_server()
    os.environ.update(
        NEXUS_STORAGE_BACKEND="s3",
        NEXUS_S3_BUCKET=S3_BUCKET,
        NEXUS_S3_ENDPOINT_URL=_S3_ENDPOINT,
        NEXUS_S3_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("NEXUS_S3_PREFIX", None)

import pytest  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from sqlmodel import Session, SQLModel, select  # noqa: E402

from nexus_core import accounts, models  # noqa: E402
from nexus_core.config import get_settings  # noqa: E402
from nexus_core.db import get_engine, migrate, session_scope  # noqa: E402
from nexus_core.media import tasks  # noqa: E402
from nexus_core.media.storage import LocalStorage, Storage, get_storage  # noqa: E402
from tests.receiver import Receiver, running_receiver  # noqa: E402

tasks.bind()  # as `nexus serve` and `nexus worker` do at start-up: jobs go to Huey (memory:// runs them at once)

# The tests make thousands of accounts: argon2id at its lowest cost keeps each hash ~2 ms instead of
# ~150 ms (Django's test settings swap in a fast hasher the same way). Still argon2id, still verified;
# the servers the browser tests start rehash at the real cost on sign-in, as they would after an upgrade.
accounts._password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

local_only = pytest.mark.skipif(
    S3_MODE, reason="about the local media directory; NEXUS_TEST_S3=1 stores in S3"
)
"""For the few tests about files on the local disk itself, which S3 mode has no counterpart of."""


def _delete_all_rows() -> None:
    """Clear every table, taking the projects' rows first as the product's writers do (a live server's
    worker may still be recording an item's duplicates), so the clearing waits instead of deadlocking."""
    with get_engine().begin() as connection:
        connection.execute(select(models.Project.id).with_for_update())
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@cache
def _s3_client():
    """One client for the test bucket (building one takes ~0.1 s)."""
    from nexus_core.media.storage.s3 import create_client

    return create_client(region=REGION, endpoint_url=_S3_ENDPOINT)


def _empty_bucket() -> None:
    client = _s3_client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=S3_BUCKET):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=S3_BUCKET, Delete={"Objects": keys, "Quiet": True})


@pytest.fixture(scope="session", autouse=True)
def _migrated_database() -> Iterator[None]:
    migrate()
    _delete_all_rows()
    if S3_MODE:
        _s3_client().create_bucket(Bucket=S3_BUCKET)
    yield
    get_engine().dispose()
    if _GIVEN_DATABASE_URL:
        parallel.drop_own_database(os.environ["NEXUS_TEST_DATABASE_URL"], _GIVEN_DATABASE_URL)
    shutil.rmtree(_HOME, ignore_errors=True)
    if S3_MODE:
        _S3_SERVER.stop()


@pytest.fixture(scope="session", autouse=True)
def _worker_logs(_migrated_database: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Path]]:
    """With NEXUS_TEST_WORKERS=N, the worker processes that run this session's jobs."""
    from tests import workers

    if not workers.COUNT:
        yield []
        return
    with workers.running_workers(tmp_path_factory.mktemp("workers")) as logs:
        yield logs


@pytest.fixture(autouse=True)
def _jobs_run_by_workers(_worker_logs: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Queueing a processing job waits for a worker process to finish it (see tests/workers.py)."""
    if _worker_logs:
        from tests.workers import waiting_for_workers

        monkeypatch.setattr(
            tasks.huey,
            "enqueue",
            waiting_for_workers(tasks.huey, tasks.process_media_item.task_class, _worker_logs),
        )


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    yield
    _delete_all_rows()
    shutil.rmtree(get_settings().resolved_media_dir, ignore_errors=True)
    if S3_MODE:
        _empty_bucket()


@pytest.fixture
def session() -> Iterator[Session]:
    with session_scope() as db_session:
        yield db_session


@pytest.fixture
def media_dir() -> Path:
    """The local media directory: only for tests marked `local_only`; others use `stored`."""
    return get_settings().resolved_media_dir


class StoredFiles:
    """What the configured storage (local directory or S3 bucket) holds, by storage path."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.backend = storage.name
        """The configured backend's name, as items and maintenance reports record it."""

    def paths(self) -> list[str]:
        """Every stored file, sorted; on local disk also hidden ones (such as a leftover temporary)."""
        if isinstance(self.storage, LocalStorage):
            root = self.storage.root
            if not root.exists():
                return []
            return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
        return sorted(self.storage.iter_paths())

    def read(self, path: str) -> bytes:
        return self.storage.read_bytes(path)

    def write(self, path: str, data: bytes, *, seconds_old: float | None = None) -> None:
        self.storage.store(path, data, content_type="application/octet-stream")
        if seconds_old is not None:
            self.age(path, seconds_old)

    def delete(self, path: str) -> None:
        assert self.exists(path), path
        self.storage.delete(path)

    def exists(self, path: str) -> bool:
        return self.storage.exists(path)

    def age(self, path: str, seconds: float) -> None:
        """Make a file look last modified `seconds` ago."""
        if isinstance(self.storage, LocalStorage):
            moment = time.time() - seconds
            os.utime(self.storage.full_path(path), (moment, moment))
            return
        # moto's server runs in this process: set the object's time where moto keeps it.
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        from nexus_core.media.storage.s3 import S3Storage

        assert isinstance(self.storage, S3Storage)
        backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
        stored_object = backend.get_object(self.storage.bucket, self.storage.key(path))
        assert stored_object is not None, path
        stored_object.last_modified = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=seconds)


@pytest.fixture
def stored() -> StoredFiles:
    """The configured storage, to look at or prepare the stored files of a test."""
    return StoredFiles(get_storage())


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set NEXUS_* variables for one test; the settings are read again before and after."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def private_allowed(settings_env: pytest.MonkeyPatch) -> Iterator[None]:
    """NEXUS_WEBHOOK_ALLOW_PRIVATE=true for this test: webhooks may reach a receiver on loopback. Its
    jobs run in this process, which alone sees the setting (not the production pass's workers)."""
    from tests.queue import jobs_in_this_process

    settings_env.setenv("NEXUS_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    with jobs_in_this_process():
        yield


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback (tests/receiver.py); webhooks reach it with `private_allowed`."""
    with running_receiver() as running:
        yield running


@pytest.fixture
def modern_formats(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set NEXUS_MODERN_FORMATS for this test (the suite's default is none): `modern_formats("webp,avif")`.
    Its jobs run in this process, which alone sees the setting (not the production pass's workers)."""
    from tests.queue import jobs_in_this_process

    def use(value: str) -> None:
        monkeypatch.setenv("NEXUS_MODERN_FORMATS", value)
        get_settings.cache_clear()

    with jobs_in_this_process():
        yield use
    get_settings.cache_clear()


@pytest.fixture
def jobs() -> Iterator[object]:
    """Jobs stay queued (status pending) until the test calls `jobs.run_all()`."""
    from tests.queue import queued_jobs

    with queued_jobs() as driver:
        yield driver
