"""Upload to ready, end to end, against the seed plan's processing step alone (part of `bench.variants`).

A real `nexus serve` on the embedded default (SQLite, local files, its own worker, the default settings:
modern formats included) in a temporary NEXUS_HOME. Each round times, in this process, the seed plan's
processing of the photo (decode it whole, thumbnail each width, encode), then uploads the same photo
over HTTP (`POST /api/v1/media_items?duplicates=allow`, so every upload is processed) and polls the item
every POLL seconds until the API says `ready`, taking the moment it became ready from the item's
`updated_at` (the same clock: polling more often only steals the server's CPU); then it waits for the
second job (WebP, AVIF) to finish, so that no round runs beside another's encoders. Median of ROUNDS after
a warm-up round.

Where the time goes: each step the server takes is timed again here, alone, on the same bytes, and
shown as a share of the end-to-end time. The image work starts as the file arrives and goes on while the
original is written and committed (media/head_start.py's early start), so the shares do not add up; what
the steps leave is HTTP, database commits, the queue's hand-off and polling.
"""

from __future__ import annotations

import asyncio
import hashlib
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartParser

from bench import photos
from bench.load import install_with_api_key, nexus_environment
from nexus_core.body_limit import COALESCE
from nexus_core.config import get_settings
from nexus_core.media import formats, head_start, metadata, validation
from nexus_core.media.storage import LocalStorage
from tests.processes import free_port, running, wait_until_serving

ROUNDS = 7
POLL = 0.05
MODERN = {formats.WEBP, formats.AVIF}
TARGET = 1.2
WIDTH, HEIGHT = 6000, 4000
CAMERA_QUALITY, CAMERA_GRAIN = 95, 6.0  # about 16 MB, a camera's high-quality JPEG


@dataclass
class UploadTimes:
    request: list[float] = field(default_factory=list)  # POST sent to 201 received
    to_ready: list[float] = field(default_factory=list)  # 201 to the API saying ready
    modern: list[float] = field(default_factory=list)  # ready to WebP and AVIF listed
    seed: list[float] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)
    size: int = 0

    @property
    def end_to_end(self) -> float:
        return statistics.median([a + b for a, b in zip(self.request, self.to_ready, strict=True)])


def camera_jpeg() -> bytes:
    return photos.natural_jpeg(WIDTH, HEIGHT, quality=CAMERA_QUALITY, grain=CAMERA_GRAIN)


def measure(data: bytes, seed_plan: Callable[[bytes], object]) -> UploadTimes:
    times = UploadTimes(size=len(data))
    with tempfile.TemporaryDirectory(prefix="nexus-bench-upload-") as directory:
        home = Path(directory)
        environment = nexus_environment(home)
        token = install_with_api_key(environment)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = home / "serve.log"
        with running(["serve", "--port", str(port)], environment, log) as server:
            wait_until_serving(base_url, server, log)
            with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
                for round_ in range(ROUNDS + 1):
                    started = time.perf_counter()
                    seed_plan(data)
                    seed = time.perf_counter() - started
                    request, to_ready, modern = _upload_until_ready(client, base_url, data)
                    if round_:  # the first is the warm-up
                        times.seed.append(seed)
                        times.request.append(request)
                        times.to_ready.append(to_ready)
                        times.modern.append(modern)
    times.steps = _server_steps(data)
    return times


def _upload_until_ready(client: httpx.Client, base_url: str, data: bytes) -> tuple[float, float, float]:
    """Seconds from sending to 201, from 201 to ready (the moment the item's row says so), and from
    ready to WebP and AVIF listed."""
    started_at, started = time.time(), time.perf_counter()
    created = client.post(
        f"{base_url}/api/v1/media_items",
        params={"duplicates": "allow"},
        files={"file": ("camera.jpg", data, "image/jpeg")},
    )
    request = time.perf_counter() - started
    if created.status_code != 201:
        raise SystemExit(f"the upload answered {created.status_code}: {created.text[:500]}")
    url = created.json()["data"]["links"]["self"]
    attributes = _poll(client, url, lambda attributes: attributes["status"] not in ("pending", "processing"))
    if attributes["status"] != "ready":
        raise SystemExit(f"processing failed: {attributes['error']}")
    ready_at = datetime.fromisoformat(attributes["updated_at"]).timestamp()
    _poll(
        client,
        url,
        lambda attributes: {rendition["format"] for rendition in attributes["renditions"]} >= MODERN,
    )
    modern_at = time.time()
    return request, ready_at - started_at - request, modern_at - ready_at


def _poll(client: httpx.Client, url: str, done: Callable[[dict], bool], timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attributes = client.get(url).json()["data"]["attributes"]
        if done(attributes):
            return attributes
        time.sleep(POLL)
    raise SystemExit(f"{url} did not get there within {timeout} s")


# --- the server's steps, each alone ------------------------------------------------------------------


def _server_steps(data: bytes) -> dict[str, float]:
    settings = get_settings()
    body, content_type = _multipart(data)
    with tempfile.TemporaryDirectory(prefix="nexus-bench-steps-") as directory:
        storage = LocalStorage(Path(directory))
        processed = head_start.process(data, formats.JPEG, settings)
        steps: dict[str, Callable[[], object]] = {
            "multipart parsing": lambda: asyncio.run(_parse(body, content_type)),
            "validation (type, completeness, header)": lambda: validation.validate_upload(
                "camera.jpg", data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
            ),
            "metadata stripping": lambda: metadata.strip_private_metadata(data, formats.JPEG),
            "SHA-256": lambda: hashlib.sha256(data).hexdigest(),
            "writing the original (and fsync)": lambda: storage.store(
                "original.jpg", data, content_type=formats.JPEG
            ),
            "image work (decode, resize, encode, placeholder)": lambda: head_start.process(
                data, formats.JPEG, settings
            ),
            "writing the variants": lambda: [
                storage.store(f"{variant.name}.jpg", variant.data, content_type=formats.JPEG)
                for variant in processed.variants
            ],
        }
        return {name: _median_seconds(step) for name, step in steps.items()}


def _median_seconds(step: Callable[[], object], repeats: int = 5) -> float:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _multipart(data: bytes) -> tuple[bytes, str]:
    request = httpx.Request("POST", "http://bench/", files={"file": ("camera.jpg", data, "image/jpeg")})
    return request.read(), request.headers["content-type"]


async def _parse(body: bytes, content_type: str) -> int:
    async def chunks():  # as the form parser receives it (body_limit joins the server's messages)
        for start in range(0, len(body), COALESCE):
            yield body[start : start + COALESCE]

    form = await MultiPartParser(Headers({"content-type": content_type}), chunks()).parse()
    try:
        upload = form["file"]
        assert not isinstance(upload, str)
        await upload.seek(0)
        return len(await upload.read())
    finally:
        await form.close()


# --- report ----------------------------------------------------------------------------------------------


def report(times: UploadTimes) -> tuple[list[str], tuple[str, str, bool]]:
    end_to_end, seed = times.end_to_end, statistics.median(times.seed)
    request, to_ready = statistics.median(times.request), statistics.median(times.to_ready)
    ratio = seed / end_to_end
    lines = [
        f"Upload to ready: a {WIDTH * HEIGHT / 1e6:.0f} MP JPEG of {times.size / 1e6:.1f} MB over HTTP to `nexus serve` "
        f"(embedded default), ready as stamped by the server; median of {ROUNDS} rounds, each beside a run of the seed plan",
        f"  end to end                                 {end_to_end * 1000:7.0f} ms  (request {request * 1000:.0f} ms, "
        f"201 to ready {to_ready * 1000:.0f} ms)",
        f"  seed plan's processing alone (in process)  {seed * 1000:7.0f} ms  -> end to end is {ratio:.2f}x faster",
        f"  WebP and AVIF listed after ready           {statistics.median(times.modern) * 1000:7.0f} ms  (second job)",
        "  each server step alone, as a share of end to end (the image work overlaps writing and committing):",
    ]
    lines.extend(
        f"    {name:50} {seconds * 1000:6.0f} ms  {seconds / end_to_end:5.0%}"
        for name, seconds in times.steps.items()
    )
    steps = sum(times.steps.values()) - times.steps["writing the original (and fsync)"]
    lines.append(
        f"    {'the rest: HTTP, commits, queue hand-off, polling':50} {(end_to_end - steps) * 1000:6.0f} ms  {(end_to_end - steps) / end_to_end:5.0%}"
    )
    return lines, (
        f"upload -> ready >= {TARGET}x faster than the seed plan's processing",
        f"{ratio:.2f}x",
        ratio >= TARGET,
    )
