"""Faults injected for real: a storage endpoint that refuses connections, a database that goes away."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from nexus_core import accounts
from nexus_core.api import deps
from nexus_core.api import router as api_router
from nexus_core.db import create_db_engine, session_scope
from nexus_core.errors import StorageError
from nexus_core.media import upload
from nexus_core.media.storage.s3 import S3Storage
from nexus_core.media.tasks import PROCESS_RETRIES, huey
from nexus_core.models import MediaItem, MediaStatus
from nexus_core.policies import Actor
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project, stored_item
from tests.jsonapi import assert_valid_document
from tests.processes import free_port
from tests.queue import QueuedJobs


def api_as_admin(session: Session) -> tuple[TestClient, dict[str, str], Actor]:
    """The JSON API, and the headers of an admin's key in a new project."""
    actor = admin_of(session, make_project(session))
    token = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id).token
    app = FastAPI()
    app.include_router(api_router)
    return TestClient(app), {"Authorization": f"Bearer {token}"}, actor


@pytest.fixture
def refusing_s3(monkeypatch: pytest.MonkeyPatch) -> S3Storage:
    """A real boto3 client aimed at a loopback port where nothing listens."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    return S3Storage("media", endpoint_url=f"http://127.0.0.1:{free_port()}", region="us-east-1")


def test_s3_refusing_connections_during_upload(
    session: Session, refusing_s3: S3Storage, stored: StoredFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, headers, actor = api_as_admin(session)
    files = [upload.IncomingFile("harbour.jpg", images.jpeg(400, 300))]
    with pytest.raises(StorageError, match=r"“harbour\.jpg” was not saved\. Please try again"):
        upload.upload(session, actor=actor, files=files, storage=refusing_s3)
    assert session.exec(select(MediaItem)).all() == []
    assert stored.paths() == []

    monkeypatch.setattr(upload, "get_storage", lambda settings=None: refusing_s3)
    answer = client.post(
        "/api/v1/media_items",
        headers=headers,
        files={"file": ("harbour.jpg", images.jpeg(400, 300), "image/jpeg")},
    )
    assert answer.status_code == 503
    assert_valid_document(answer.json())
    assert "was not saved" in answer.json()["errors"][0]["detail"]
    assert session.exec(select(MediaItem)).all() == []


def test_database_unavailable_fails_cleanly_and_recovers(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, headers, _actor = api_as_admin(session)
    assert client.get("/api/v1/media_items", headers=headers).status_code == 200

    dead = create_db_engine(f"postgresql+psycopg://nexus@127.0.0.1:{free_port()}/nexus?connect_timeout=2")

    @contextmanager
    def unreachable() -> Iterator[Session]:
        with Session(dead) as broken:
            yield broken

    monkeypatch.setattr(deps, "session_scope", unreachable)
    answer = client.get("/api/v1/media_items", headers=headers)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert_valid_document(answer.json())
    assert "database is unavailable" in answer.json()["errors"][0]["detail"]

    monkeypatch.setattr(deps, "session_scope", session_scope)  # the database is back: no restart needed
    assert client.get("/api/v1/media_items", headers=headers).status_code == 200


def test_postgres_connections_killed_under_the_app_are_replaced(session: Session) -> None:
    """PostgreSQL restarts (or a failover) drop every pooled connection; the next request reconnects."""
    from sqlalchemy import text

    from nexus_core.db import get_engine

    engine = get_engine()
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (./dev test --production)")
    client, headers, _actor = api_as_admin(session)
    assert client.get("/api/v1/media_items", headers=headers).status_code == 200
    session.close()
    with create_db_engine(
        str(engine.url.render_as_string(hide_password=False))
    ).connect() as admin_connection:
        admin_connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert client.get("/api/v1/media_items", headers=headers).status_code == 200


def test_processing_that_fails_on_every_attempt_ends_as_error(
    session: Session, stored: StoredFiles, jobs: QueuedJobs
) -> None:
    actor = admin_of(session, make_project(session))
    [uploaded] = upload.upload(
        session, actor=actor, files=[upload.IncomingFile("dunes.jpg", images.jpeg(900, 600))]
    )
    item = stored_item(session, uploaded)
    stored.delete(item.file_path)  # every attempt now fails reading the original

    job = huey.dequeue()
    assert job is not None
    huey.execute(job)  # retries are left: the queue tries again later, the item is not given up on
    session.refresh(item)
    assert item.status == MediaStatus.PROCESSING

    job.retries, job.eta = 0, None  # the last attempt, due now
    huey.execute(job)
    session.refresh(item)
    assert item.status == MediaStatus.ERROR
    assert item.error is not None and f"after {PROCESS_RETRIES + 1} attempts" in item.error
