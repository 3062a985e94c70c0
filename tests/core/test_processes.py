"""End to end across real processes: `nexus serve --no-worker` + `nexus worker` sharing a real queue."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from nexus_core import accounts
from tests import images
from tests.conftest import StoredFiles
from tests.factories import admin_of, make_project
from tests.processes import child_environment, free_port, running, wait_until_serving

SET_UPS = [
    pytest.param("sqlite", False, id="embedded-worker-sqlite-queue"),
    pytest.param("sqlite", True, id="separate-worker-sqlite-queue"),
    pytest.param(
        "redis",
        True,
        id="separate-worker-redis-queue",
        marks=pytest.mark.skipif(
            not os.environ.get("NEXUS_TEST_REDIS_URL"), reason="NEXUS_TEST_REDIS_URL unset"
        ),
    ),
]


def resolve_queue(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    import redis

    url = os.environ["NEXUS_TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.mark.parametrize(("queue", "separate_worker"), SET_UPS)
def test_upload_is_processed_by_a_real_consumer(
    session: Session, tmp_path: Path, queue: str, separate_worker: bool, stored: StoredFiles
) -> None:
    actor = admin_of(session, make_project(session))
    token = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id).token
    environment = child_environment(NEXUS_QUEUE_URL=resolve_queue(queue, tmp_path))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}

    server_log, worker_log = tmp_path / "serve.log", tmp_path / "worker.log"
    serve = ["serve", "--port", str(port), *(["--no-worker"] if separate_worker else [])]
    with running(serve, environment, server_log) as server:
        wait_until_serving(base_url, server, server_log)
        created = httpx.post(
            f"{base_url}/api/v1/media_items",
            headers=headers,
            files={"file": ("harbour.jpg", images.jpeg(2400, 1600), "image/jpeg")},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        item = created.json()["data"]
        if separate_worker:
            assert item["attributes"]["status"] == "pending"
            time.sleep(1)
            assert status_of(item["links"]["self"], headers) == "pending"  # nobody consumes the queue yet
            with running(["worker"], environment, worker_log):
                attributes = poll_until_done(item["links"]["self"], headers, worker_log)
        else:
            attributes = poll_until_done(item["links"]["self"], headers, server_log)
        assert attributes["status"] == "ready", attributes
        assert (attributes["width"], attributes["height"]) == (2400, 1600)
        assert set(attributes["variants"]) == {"thumb", "medium", "large"}
        for name, width in {"thumb": 300, "medium": 800, "large": 1600}.items():
            served = httpx.get(attributes["variants"][name])
            assert served.status_code == 200
            assert served.headers["content-type"] == "image/jpeg"
            assert width_of_jpeg(served.content) == width

        assert httpx.delete(item["links"]["self"], headers=headers).status_code == 204
        for url in [attributes["url"], *attributes["variants"].values()]:
            assert httpx.get(url).status_code == 404
    assert stored.paths() == []


def status_of(url: str, headers: dict[str, str]) -> str:
    return str(httpx.get(url, headers=headers).json()["data"]["attributes"]["status"])


def poll_until_done(url: str, headers: dict[str, str], log: Path, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attributes = httpx.get(url, headers=headers).json()["data"]["attributes"]
        if attributes["status"] in ("ready", "error"):
            return attributes
        time.sleep(0.25)
    raise AssertionError(f"still {attributes['status']} after {timeout} s; worker log:\n{log.read_text()}")


def width_of_jpeg(data: bytes) -> int:
    """Read the width from the JPEG's start-of-frame marker, without an image library."""
    index = 2
    while index < len(data):
        marker, length = data[index + 1], int.from_bytes(data[index + 2 : index + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[index + 7 : index + 9], "big")
        index += 2 + length
    raise ValueError("no SOF marker")


def big_png() -> bytes:
    """A 30-megapixel PNG that compresses well but takes a worker a noticeable moment to process."""
    import pyvips

    gradient = (pyvips.Image.xyz(6000, 5000)[0] * (255 / 6000)).cast("uchar")
    return bytes(gradient.bandjoin([gradient.flip("horizontal"), gradient]).pngsave_buffer(compression=1))


def test_a_worker_killed_mid_job_is_replaced_and_the_job_runs_again(session: Session, tmp_path: Path) -> None:
    actor = admin_of(session, make_project(session))
    token = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id).token
    environment = child_environment(
        NEXUS_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}", NEXUS_PROCESSING_TIMEOUT="2"
    )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    log = tmp_path / "serve.log"
    with running(["serve", "--no-worker", "--port", str(port)], environment, log) as server:
        wait_until_serving(base_url, server, log)
        created = httpx.post(
            f"{base_url}/api/v1/media_items",
            headers=headers,
            files={"file": ("big.png", big_png(), "image/png")},
            timeout=60,
        )
        assert created.status_code == 201, created.text
        url = created.json()["data"]["links"]["self"]

        with running(["worker"], environment, tmp_path / "first-worker.log") as first_worker:
            deadline = time.monotonic() + 60
            while status_of(url, headers) != "processing":
                assert time.monotonic() < deadline, "the worker never started the job"
                time.sleep(0.01)
            first_worker.kill()  # SIGKILL in the middle of the job: no clean-up of any kind
            first_worker.wait()
        assert status_of(url, headers) == "processing"
        time.sleep(2.5)  # longer than NEXUS_PROCESSING_TIMEOUT: the job is known to be lost

        second_log = tmp_path / "second-worker.log"
        with running(["worker"], environment, second_log):
            attributes = poll_until_done(url, headers, second_log)
        assert attributes["status"] == "ready", attributes
        assert set(attributes["variants"]) == {"thumb", "medium", "large"}
        assert "interrupted; queueing it again" in second_log.read_text()
