"""Load test: real `nexus` processes under many clients, on the default and the production set-up.

Run from the repository root: `.venv/bin/python -m bench.load` (needs `wrk`: `apt-get install -y wrk`;
the X-Accel-Redirect comparison needs nginx: `apt-get install -y nginx-light`), or
`.venv/bin/python -m bench.load accel` for the X-Accel-Redirect comparison alone (about 1.5 minutes).
Everything runs on 127.0.0.1, in a temporary NEXUS_HOME, and is stopped and removed at the end, on
failure too.

For each configuration it runs `nexus migrate`, creates a user, a project and an API key with the
`nexus` CLI, starts the servers, uploads one ~200 KB JPEG and waits until it is ready, then:

1. `/media/*` under load: `wrk -t2 -c200 -d30s --latency` on that JPEG's URL; requests/s, latency
   percentiles, non-2xx responses and socket errors (target 0), the CPU time the web process (and
   moto) used, and the web process's RSS sampled every second (target: peak - start < 100 MB);
2. uploads: 20 distinct ~5 MB JPEGs (12 MP) posted at once through `POST /api/v1/media_items`, then
   the list is polled until every item is `ready`; the time from the first byte sent to all ready
   (target: 20 ready, 0 errors). Three rounds: the web process's RSS rises with 20 bodies in
   flight and the allocator keeps some of it; a leak would show as growth from round to round, so
   the RSS after the last round must be within one round's upload bytes (~100 MB) of that after
   the first (leaking the bodies would add at least that much per round).

Configurations:

- default: SQLite, local files, `nexus serve` with its embedded worker (the SQLite queue);
- production: PostgreSQL (a fresh database `nexus_load`, dropped afterwards), Redis (db 14,
  flushed before and after), S3 on moto's server (its own process), `nexus serve --no-worker` and
  two `nexus worker` processes. Skipped when PostgreSQL or Redis is not reachable on 127.0.0.1.
  moto is a test double written in Python: the `/media` figures there measure it more than us.

3. X-Accel-Redirect (NEXUS_ACCEL_REDIRECT, local files): nginx with the configuration recommended in
   README.md's "Production" section, in front of `nexus serve`, against nginx serving the same
   directory itself and against the Python proxy alone: `wrk -t2 -c64`, 5 alternating 5 s runs
   each, median (target: >= 0.8x nginx direct's requests/s). The nginx configuration is README.md's
   block itself, read from the file, with this machine's port, media directory and cache directory
   put in (`README_PLACEHOLDERS`) inside `NGINX_HARNESS`; it is printed at the end. Before the load
   runs, its answers are compared with the Python proxy's: headers and body, a second (cached)
   request, the same with nexus stopped (SIGSTOP: served from nginx's cache alone), Range, If-Range,
   If-None-Match, 404s, a file that appears after its 404 (not cached) and one deleted after being
   cached (404 at once).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.nginx import NGINX, readme_nginx_block, user_directive
from tests.processes import NEXUS, free_port, running

HOST = "127.0.0.1"
EMAIL = "load@example.com"
PASSWORD = "load test correct horse"
SLUG = "load"

CLIENTS = 200
LOAD_SECONDS = 30
LOAD_THREADS = 2
UPLOADS = 20
UPLOAD_ROUNDS = 3  # more rounds tell a high-water mark from a leak
SMALL_SIZE = (800, 600)  # ~200 KB of noisy JPEG
LARGE_SIZE = (4000, 3000)  # ~5 MB of noisy JPEG, 12 MP
NOISE_SIGMA = 40
READY_TIMEOUT = 180
RSS_GROWTH_LIMIT_MB = 100

POSTGRES_ADMIN_URL = f"postgresql://postgres@{HOST}:5432/postgres"
DATABASE = "nexus_load"
REDIS_URL = f"redis://{HOST}:6379/14"
BUCKET = "nexus-load"

ACCEL_PREFIX = "/_media_files/"
ACCEL_CONNECTIONS = 64
ACCEL_ROUNDS = 5
ACCEL_SECONDS = 5
ACCEL_TARGET = 0.8
NGINX_WORKERS = "1"
DIRECT = "nginx direct"
ACCEL = "nginx + nexus, README config"
PYTHON = "Python proxy alone"

# What the benchmark puts in place of the README's example values; each must be in the README block.
README_PLACEHOLDERS = {
    "listen 80;": "listen {host}:{accel_port};",
    "server 127.0.0.1:8080;": "server {host}:{nexus_port};",
    "/srv/nexus/var/media/": "{media_dir}/",
    "/var/cache/nginx/nexus-media": "{directory}/nginx-cache",
}

# Process-wide settings of this run around README.md's block (the `http { }` content a site adds),
# plus the baseline: nginx serving the same directory itself.
NGINX_HARNESS = """\
worker_processes {workers};
{user}daemon off;
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {directory}/nginx-body;
    proxy_temp_path {directory}/nginx-proxy;
    fastcgi_temp_path {directory}/nginx-fastcgi;

    # README.md, "## Production", the nginx block:
{recommended}
    # The baseline: nginx serving the same directory itself.
    server {{
        listen {host}:{direct_port};
        location /media/ {{
            alias {media_dir}/;
        }}
    }}
}}
"""

# The headers the Python proxy sends with a file, which the X-Accel-Redirect path must keep.
FILE_HEADERS = (
    "content-type",
    "etag",
    "cache-control",
    "accept-ranges",
    "x-content-type-options",
    "content-security-policy",
)


@dataclass
class WrkRun:
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    nginx_us_per_request: float = 0.0
    nexus_us_per_request: float = 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


@dataclass
class Rss:
    """RSS samples of one process in MB, one a second."""

    samples: list[float] = field(default_factory=list)

    @property
    def start(self) -> float:
        return self.samples[0]

    @property
    def peak(self) -> float:
        return max(self.samples)

    @property
    def end(self) -> float:
        return self.samples[-1]

    def __str__(self) -> str:
        return f"{self.start:.0f} / {self.peak:.0f} / {self.end:.0f}"


@dataclass
class Uploads:
    count: int
    accepted: int = 0
    ready: int = 0
    accepted_seconds: float = 0.0
    ready_seconds: float | None = None
    errors: list[str] = field(default_factory=list)
    rss: Rss = field(default_factory=Rss)
    worker_peak_mb: list[float] = field(default_factory=list)


@dataclass
class ConfigResult:
    name: str
    file_bytes: int
    load: WrkRun
    load_rss: Rss
    load_cpu_seconds: dict[str, float]
    uploads: list[Uploads]
    upload_bytes: int


@dataclass
class AccelResult:
    runs: dict[str, WrkRun]
    header_problems: list[str]
    checks: list[str]
    config: str
    file_bytes: int
    ratios: dict[str, list[float]]  # each round's req/s over that round's nginx direct req/s


@dataclass
class Report:
    configs: list[ConfigResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    accel: AccelResult | None = None


PARTS = ("all", "accel")


def main(arguments: list[str] | None = None) -> None:
    """Run the configurations, print the tables and PASS/FAIL lines; exit status 1 on a FAIL.

    `arguments` (`python -m bench.load [all|accel]`): `accel` runs the X-Accel-Redirect comparison
    alone, on a fresh default set-up holding the one ~200 KB JPEG.
    """
    part = (arguments or ["all"])[0]
    if part not in PARTS or len(arguments or []) > 1:
        raise SystemExit(f"usage: python -m bench.load [{'|'.join(PARTS)}]")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on `kill` too
    if (busy := os.getloadavg()[0]) > 1:
        print(f"warning: load average {busy:.1f} at the start: other work on this machine skews the figures")
    started = time.monotonic()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="nexus-load-") as directory:
        if part == "accel":
            _run_accel_alone(Path(directory), report)
        else:
            _run_all(Path(directory), report)
    passed = _print_report(report)
    print(f"\ntotal {time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.1f} at the end")
    if not passed:
        raise SystemExit(1)


def _run_all(root: Path, report: Report) -> None:
    small, large = _small_image(), _large_images()
    print(
        f"images: one {len(small) / 1024:.0f} KB JPEG ({SMALL_SIZE[0]}x{SMALL_SIZE[1]}), {UPLOADS} distinct "
        f"JPEGs of {statistics.mean(map(len, large)) / 2**20:.1f} MB ({LARGE_SIZE[0]}x{LARGE_SIZE[1]})",
        flush=True,
    )
    default_home = root / "default"
    report.configs.append(_run_default(default_home, small, large))
    if reason := _production_unavailable():
        report.skipped.append(f"production configuration skipped: {reason}")
    else:
        report.configs.append(_run_production(root / "production", small, large))
    if reason := _accel_unavailable():
        report.skipped.append(f"X-Accel-Redirect comparison skipped: {reason}")
    else:
        report.accel = _run_accel(root / "accel", default_home)


def _run_accel_alone(root: Path, report: Report) -> None:
    """`python -m bench.load accel`: the default set-up with the one small JPEG, then the comparison."""
    if reason := _accel_unavailable():
        raise SystemExit(f"X-Accel-Redirect comparison impossible: {reason}")
    small = _small_image()
    print(f"image: one {len(small) / 1024:.0f} KB JPEG ({SMALL_SIZE[0]}x{SMALL_SIZE[1]})", flush=True)
    home = root / "default"
    print("\n[default] SQLite, local files: upload the JPEG and wait until it is ready", flush=True)
    home.mkdir()
    environment = nexus_environment(home)
    token = install_with_api_key(environment)
    port = free_port()
    with running(["serve", "--port", str(port)], environment, home / "serve.log") as web:
        base_url = f"http://{HOST}:{port}"
        _wait_until_serving(base_url, web)
        _upload_and_wait(base_url, {"Authorization": f"Bearer {token}"}, small)
    report.accel = _run_accel(root / "accel", home)


# --- configurations --------------------------------------------------------------------------------


def _run_default(home: Path, small: bytes, large: list[bytes]) -> ConfigResult:
    print("\n[default] SQLite, local files, nexus serve with its embedded worker", flush=True)
    home.mkdir()
    environment = nexus_environment(home)
    with contextlib.ExitStack() as stack:
        token = install_with_api_key(environment)
        port = free_port()
        web = stack.enter_context(running(["serve", "--port", str(port)], environment, home / "serve.log"))
        return _measure_config("default", f"http://{HOST}:{port}", token, web, [], None, small, large)


def _run_production(home: Path, small: bytes, large: list[bytes]) -> ConfigResult:
    print(
        f"\n[production] PostgreSQL ({DATABASE}), Redis (db 14), S3 on moto, serve --no-worker + 2 workers",
        flush=True,
    )
    import boto3
    import redis

    home.mkdir()
    queue = redis.Redis.from_url(REDIS_URL)
    with contextlib.ExitStack() as stack:
        stack.callback(queue.close)
        stack.callback(queue.flushdb)
        queue.flushdb()
        _create_database()
        stack.callback(_drop_database)
        moto_port = free_port()
        moto = stack.enter_context(
            running(
                [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(moto_port)],
                os.environ | {"PYTHONWARNINGS": "ignore"},
                home / "moto.log",
                program=None,
            )
        )
        _wait_until_listening(moto_port)
        endpoint = f"http://{HOST}:{moto_port}"
        credentials = {"AWS_ACCESS_KEY_ID": "load", "AWS_SECRET_ACCESS_KEY": "load"}
        boto3.session.Session(
            aws_access_key_id="load", aws_secret_access_key="load", region_name="us-east-1"
        ).client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        environment = nexus_environment(
            home,
            NEXUS_DATABASE_URL=f"postgresql+psycopg://postgres@{HOST}:5432/{DATABASE}",
            NEXUS_QUEUE_URL=REDIS_URL,
            NEXUS_STORAGE_BACKEND="s3",
            NEXUS_S3_ENDPOINT_URL=endpoint,
            NEXUS_S3_BUCKET=BUCKET,
            NEXUS_S3_REGION="us-east-1",
            **credentials,
        )
        token = install_with_api_key(environment)
        port = free_port()
        web = stack.enter_context(
            running(["serve", "--no-worker", "--port", str(port)], environment, home / "serve.log")
        )
        workers = [
            stack.enter_context(running(["worker"], environment, home / f"worker-{number}.log"))
            for number in (1, 2)
        ]
        return _measure_config("production", f"http://{HOST}:{port}", token, web, workers, moto, small, large)


def _measure_config(
    name: str,
    base_url: str,
    token: str,
    web: subprocess.Popen[bytes],
    workers: list[subprocess.Popen[bytes]],
    storage: subprocess.Popen[bytes] | None,
    small: bytes,
    large: list[bytes],
) -> ConfigResult:
    _wait_until_serving(base_url, web)
    headers = {"Authorization": f"Bearer {token}"}
    url = _upload_and_wait(base_url, headers, small)
    size = len(_fetch(url).content)
    _wrk(url, connections=CLIENTS, seconds=1)  # warm-up
    print(f"  /media load: wrk -t{LOAD_THREADS} -c{CLIENTS} -d{LOAD_SECONDS}s on {url}", flush=True)
    watched = {"web": web.pid} | ({"moto": storage.pid} if storage else {})
    cpu_before = {process: _cpu_seconds([pid]) for process, pid in watched.items()}
    with _sampling_rss(web.pid) as load_rss:
        load = _wrk(url, connections=CLIENTS, seconds=LOAD_SECONDS)
    cpu = {process: _cpu_seconds([pid]) - cpu_before[process] for process, pid in watched.items()}
    print(
        f"  {load.requests_per_second:.0f} req/s, p99 {load.p99_ms:.0f} ms, {load.errors} errors", flush=True
    )
    rounds = []
    for number in range(1, UPLOAD_ROUNDS + 1):
        print(f"  {UPLOADS} concurrent uploads of 5 MB, round {number}", flush=True)
        with _sampling_rss(web.pid) as upload_rss:
            uploads = asyncio.run(_upload_many(base_url, headers, large))
        uploads.rss = upload_rss
        uploads.worker_peak_mb = [_peak_rss_mb(worker.pid) for worker in workers]
        print(f"  {uploads.ready}/{UPLOADS} ready after {uploads.ready_seconds or 0:.1f} s", flush=True)
        rounds.append(uploads)
    return ConfigResult(name, size, load, load_rss, cpu, rounds, sum(map(len, large)))


# --- X-Accel-Redirect ------------------------------------------------------------------------------


def _run_accel(directory: Path, home: Path) -> AccelResult:
    """nginx direct vs nginx with README.md's configuration vs the Python proxy, on `home`'s files."""
    print(
        f"\n[X-Accel-Redirect] nginx direct vs nginx (README configuration) + NEXUS_ACCEL_REDIRECT="
        f"{ACCEL_PREFIX} vs the Python proxy alone",
        flush=True,
    )
    directory.mkdir()
    media_dir = home / "media"
    media_path = _largest_original(media_dir, limit=1024 * 1024)
    with contextlib.ExitStack() as stack:
        plain_port, accel_port = free_port(), free_port()
        plain = stack.enter_context(
            running(
                ["serve", "--no-worker", "--port", str(plain_port)],
                nexus_environment(home),
                directory / "serve-plain.log",
            )
        )
        accel = stack.enter_context(
            running(
                ["serve", "--no-worker", "--port", str(accel_port)],
                nexus_environment(home, NEXUS_ACCEL_REDIRECT=ACCEL_PREFIX),
                directory / "serve-accel.log",
            )
        )
        nginx_accel_port, nginx_direct_port = free_port(), free_port()
        config = nginx_config(
            directory,
            media_dir,
            nexus_port=accel_port,
            accel_port=nginx_accel_port,
            direct_port=nginx_direct_port,
        )
        config_path = directory / "nginx.conf"
        config_path.write_text(config)
        nginx = NGINX or "nginx"
        test = subprocess.run(
            [nginx, "-t", "-q", "-p", f"{directory}/", "-c", str(config_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if test.returncode != 0:
            raise SystemExit(f"nginx rejected the configuration:\n{test.stderr}\n{config}")
        nginx_process = stack.enter_context(
            running(
                [nginx, "-p", f"{directory}/", "-c", str(config_path)],
                dict(os.environ),
                directory / "nginx.log",
                program=None,
            )
        )
        _wait_until_serving(f"http://{HOST}:{plain_port}", plain)
        _wait_until_serving(f"http://{HOST}:{accel_port}", accel)
        _wait_until_listening(nginx_accel_port)
        _wait_until_listening(nginx_direct_port)
        targets = {
            DIRECT: f"http://{HOST}:{nginx_direct_port}/media/{media_path}",
            ACCEL: f"http://{HOST}:{nginx_accel_port}/media/{media_path}",
            PYTHON: f"http://{HOST}:{plain_port}/media/{media_path}",
        }
        header_problems, checks = _check_accel(
            targets, f"http://{HOST}:{accel_port}", accel, media_dir, media_path
        )
        # The master and the worker: the cache loader exits after a minute, the cache manager idles.
        nginx_pids = [nginx_process.pid, *_nginx_workers(nginx_process.pid)]
        pids = {
            DIRECT: (nginx_pids, []),
            ACCEL: (nginx_pids, [accel.pid]),
            PYTHON: ([], [plain.pid]),
        }
        for url in targets.values():
            _wrk(url, connections=ACCEL_CONNECTIONS, seconds=1)  # warm-up
        runs: dict[str, list[WrkRun]] = {name: [] for name in targets}
        for _ in range(ACCEL_ROUNDS):
            for name, url in targets.items():
                nginx_pids, nexus_pids = pids[name]
                nginx_before, nexus_before = _cpu_seconds(nginx_pids), _cpu_seconds(nexus_pids)
                run = _wrk(url, connections=ACCEL_CONNECTIONS, seconds=ACCEL_SECONDS)
                run.nginx_us_per_request = (_cpu_seconds(nginx_pids) - nginx_before) / run.requests * 1e6
                run.nexus_us_per_request = (_cpu_seconds(nexus_pids) - nexus_before) / run.requests * 1e6
                runs[name].append(run)
        medians = {}
        for name, results in runs.items():
            median = sorted(results, key=lambda run: run.requests_per_second)[ACCEL_ROUNDS // 2]
            median.nginx_us_per_request = statistics.median(run.nginx_us_per_request for run in results)
            median.nexus_us_per_request = statistics.median(run.nexus_us_per_request for run in results)
            median.non_2xx = max(run.non_2xx for run in results)
            median.socket_errors = max(run.socket_errors for run in results)
            medians[name] = median
        # Each run against the nginx direct run just before it: both saw the same machine load.
        ratios = {
            name: [
                run.requests_per_second / direct.requests_per_second
                for run, direct in zip(results, runs[DIRECT], strict=True)
            ]
            for name, results in runs.items()
        }
        file_bytes = (media_dir / media_path).stat().st_size
        return AccelResult(medians, header_problems, checks, config, file_bytes, ratios)


def nginx_config(
    directory: Path, media_dir: Path, *, nexus_port: int, accel_port: int, direct_port: int
) -> str:
    """README.md's nginx block with this run's addresses and directories, inside `NGINX_HARNESS`."""
    values = {
        "host": HOST,
        "nexus_port": nexus_port,
        "accel_port": accel_port,
        "media_dir": media_dir,
        "directory": directory,
    }
    recommended = readme_nginx_block(
        0, {example: ours.format(**values) for example, ours in README_PLACEHOLDERS.items()}
    )
    return NGINX_HARNESS.format(
        workers=NGINX_WORKERS,
        user=user_directive(),
        recommended=textwrap.indent(recommended, "    "),
        direct_port=direct_port,
        **values,
    )


def _check_accel(
    targets: dict[str, str],
    nexus_url: str,
    nexus: subprocess.Popen[bytes],
    media_dir: Path,
    media_path: str,
) -> tuple[list[str], list[str]]:
    """Compare nginx's answers with the Python proxy's: cached or not, ranges, revalidation, 404s."""
    url = targets[ACCEL]
    base = url.removesuffix(f"/media/{media_path}")
    python = _fetch(targets[PYTHON])
    etag = python.headers["etag"]
    problems: list[str] = []
    checks: list[str] = []
    if _fetch(targets[DIRECT]).content != python.content:
        problems.append("nginx direct serves other bytes than the Python proxy")

    def get(path: str, method: str = "GET", **headers: str) -> httpx.Response:
        return httpx.request(method, base + path, headers=headers, timeout=10)

    def same_file(label: str, answer: httpx.Response) -> None:
        """The whole file, with exactly the Python proxy's file headers."""
        checks.append(f"{label}: {answer.status_code}, {len(answer.content)} bytes")
        if answer.status_code != 200 or answer.content != python.content:
            problems.append(f"{label}: {answer.status_code} with {len(answer.content)} bytes, not the file")
        for name in FILE_HEADERS:
            if answer.headers.get_list(name) != python.headers.get_list(name):
                problems.append(
                    f"{label}: {name} {answer.headers.get_list(name)}, not {python.headers.get_list(name)}"
                )
        if "x-accel-redirect" in answer.headers:
            problems.append(f"{label}: the X-Accel-Redirect header reaches the client")

    def expect(label: str, answer: httpx.Response, status: int, body: bytes | None = None) -> None:
        checks.append(f"{label}: {answer.status_code}, {len(answer.content)} bytes")
        if answer.status_code != status or (body is not None and answer.content != body):
            problems.append(
                f"{label}: {answer.status_code} with {len(answer.content)} bytes, expected {status}"
            )
        if answer.status_code >= 400 and "nosniff" not in answer.headers.get("x-content-type-options", ""):
            problems.append(f"{label}: no X-Content-Type-Options: nosniff on the {answer.status_code}")

    backend = httpx.get(f"{nexus_url}/media/{media_path}", timeout=10)
    checks.append(
        f"nexus behind nginx answers {backend.status_code}, {len(backend.content)} bytes, Content-Length "
        f"{backend.headers.get('content-length')}, X-Accel-Redirect {backend.headers.get('x-accel-redirect')}"
    )
    media = f"/media/{media_path}"
    same_file("GET, nexus asked (the answer is cached)", get(media))
    same_file("GET again, from nginx's cache", get(media))
    os.kill(nexus.pid, signal.SIGSTOP)  # no answer from nexus now: only the cache can serve
    try:
        same_file("GET with nexus stopped (SIGSTOP)", get(media))
        expect("Range with nexus stopped", get(media, Range="bytes=0-99"), 206, python.content[:100])
    except httpx.TimeoutException:
        problems.append("with nexus stopped, nginx waited for it: the answer was not cached")
    finally:
        os.kill(nexus.pid, signal.SIGCONT)
    ranged = get(media, Range="bytes=0-99")
    expect("Range bytes=0-99", ranged, 206, python.content[:100])
    if ranged.headers.get("content-range") != f"bytes 0-99/{len(python.content)}":
        problems.append(f"Range: Content-Range {ranged.headers.get('content-range')}")
    expect("Range + If-Range with the ETag", get(media, Range="bytes=0-99", **{"If-Range": etag}), 206)
    same_file("Range + If-Range with another ETag", get(media, Range="bytes=0-99", **{"If-Range": '"other"'}))
    not_modified = get(media, **{"If-None-Match": etag})
    expect("If-None-Match with the ETag (nexus answers)", not_modified, 304)
    if not_modified.headers.get("etag") != etag:
        problems.append(f"304 without the ETag: {not_modified.headers.get('etag')}")
    same_file("If-None-Match with another ETag", get(media, **{"If-None-Match": '"other"'}))
    head = get(media, "HEAD")
    expect("HEAD", head, 200, b"")
    if head.headers.get("content-length") != str(len(python.content)) or head.headers.get("etag") != etag:
        problems.append(
            f"HEAD: Content-Length {head.headers.get('content-length')}, ETag {head.headers.get('etag')}"
        )
    project = media_path.partition("/")[0]
    later = f"{project}/{uuid.uuid4()}.jpg"
    try:
        expect("GET of a file not there yet", get(f"/media/{later}"), 404)
        shutil.copyfile(media_dir / media_path, media_dir / later)
        same_file("the same URL once the file is there (the 404 was not cached)", get(f"/media/{later}"))
        same_file("again, cached", get(f"/media/{later}"))
        (media_dir / later).unlink()
        expect("the same URL just after the file is deleted", get(f"/media/{later}"), 404)
    finally:
        (media_dir / later).unlink(missing_ok=True)
    item = media_path.partition("/")[2]
    for label, path in (
        ("not a media path (nexus's check)", f"/media/{project}/not-ours.jpg"),
        ("a media path percent-encoded", f"/media/{project}/%{ord(item[0]):02X}{item[1:]}"),
    ):
        expect(f"{label}: GET {path}", get(path), 404)
    for path in (f"{ACCEL_PREFIX}{media_path}", "/_media_check"):
        answer = get(path)
        checks.append(f"internal location asked directly: GET {path}: {answer.status_code}")
        if answer.status_code < 400 or answer.content == python.content:
            problems.append(f"{path} answered {answer.status_code} from outside")
    problems += _types_problems()
    return problems, checks


def _types_problems() -> list[str]:
    """The README's `types { }` must give each extension nexus serves the Content-Type nexus gives it."""
    from nexus_core.media import formats

    match = re.search(r"\btypes\s*\{([^}]*)\}", readme_nginx_block(0, {}))
    if match is None:
        return ["README.md's nginx block has no types { } for /media/"]
    declared: dict[str, str] = {}
    for entry in match[1].split(";"):
        if entry.strip():
            mime, *extensions = entry.split()
            declared |= dict.fromkeys(extensions, mime)
    served = {row.extension: row.mime_type for row in formats.FORMATS}
    return [] if declared == served else [f"README's types {{ }} gives {declared}, nexus {served}"]


def _nginx_workers(pid: int) -> list[int]:
    return [
        child for child in _children(pid) if b"worker process" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def _largest_original(media_dir: Path, limit: int) -> str:
    """The small upload's original: the largest file under `limit` that is not a variant."""
    files = [
        path for path in media_dir.rglob("*.jpg") if "_" not in path.name and path.stat().st_size < limit
    ]
    return max(files, key=lambda path: path.stat().st_size).relative_to(media_dir).as_posix()


# --- set-up ----------------------------------------------------------------------------------------


def nexus_environment(home: Path, **settings: str) -> dict[str, str]:
    """Our settings only: nothing NEXUS_* or AWS_* from the caller, and NiceGUI must not think it runs under pytest."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEXUS_", "AWS_"))
        and key not in ("PYTEST_CURRENT_TEST", "NICEGUI_STORAGE_PATH")
    }
    return environment | {
        "NEXUS_HOME": str(home),
        "NEXUS_STORAGE_BACKEND": "local",
        "NICEGUI_STORAGE_PATH": str(home / ".nicegui"),
        **settings,
    }


def install_with_api_key(environment: dict[str, str]) -> str:
    """Migrate, create the user, project and API key with the CLI; the API token."""
    _nexus(["migrate"], environment)
    _nexus(["user", "create", EMAIL, "--password", PASSWORD], environment)
    _nexus(["project", "create", "Load", "--slug", SLUG, "--owner", EMAIL], environment)
    return _nexus(["apikey", "create", SLUG, EMAIL], environment).strip().splitlines()[-1]


def _nexus(arguments: list[str], environment: dict[str, str]) -> str:
    done = subprocess.run(
        [NEXUS, *arguments], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"nexus {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _production_unavailable() -> str | None:
    try:
        import psycopg
        import redis
    except ImportError as error:
        return f"{error.name} is not installed"
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL on {HOST}:5432 is not reachable ({str(error).strip()})"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis on {HOST}:6379 is not reachable ({error})"
    return None


def _create_database() -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def _drop_database() -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _accel_unavailable() -> str | None:
    from nexus_core.config import Settings

    if "accel_redirect" not in Settings.model_fields:
        return "this version has no NEXUS_ACCEL_REDIRECT setting"
    if NGINX is None:
        return "nginx is not installed (apt-get install -y nginx-light)"
    return None


def _small_image() -> bytes:
    """The ~200 KB JPEG served under load."""
    return _jpeg(SMALL_SIZE, 0)


def _large_images() -> list[bytes]:
    """UPLOADS distinct ~5 MB JPEGs."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(lambda seed: _jpeg(LARGE_SIZE, seed), range(1, UPLOADS + 1)))


def _jpeg(size: tuple[int, int], seed: int) -> bytes:
    """A gradient under gaussian noise, like a grainy photo."""
    import pyvips

    width, height = size
    noise = pyvips.Image.gaussnoise(width, height, sigma=NOISE_SIGMA, mean=128, seed=seed)
    position = pyvips.Image.xyz(width, height)
    red = position[0] * (200 / width) + noise * 0.5
    green = position[1] * (200 / height) + noise * 0.5
    return bytes(red.bandjoin([green, noise]).cast("uchar").jpegsave_buffer(Q=85))


# --- processes -------------------------------------------------------------------------------------


def _wait_until_listening(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on {HOST}:{port} after {timeout} s")


def _wait_until_serving(base_url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with status {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(f"{base_url}/api/v1/media_items", timeout=1)
            return
        time.sleep(0.2)
    raise SystemExit(f"{base_url} did not answer within {timeout} s")


def _rss_mb(pid: int) -> float:
    return _status_kb(pid, "VmRSS") / 1024


def _peak_rss_mb(pid: int) -> float:
    return _status_kb(pid, "VmHWM") / 1024


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of the processes, from /proc."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int, name: str) -> int:
    match = re.search(rf"{name}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    if match is None:
        raise SystemExit(f"no {name} for process {pid}")
    return int(match[1])


@contextlib.contextmanager
def _sampling_rss(pid: int) -> Iterator[Rss]:
    """RSS of `pid` at the start, every second, and at the end."""
    rss = Rss([_rss_mb(pid)])
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(1.0):
            with contextlib.suppress(OSError):
                rss.samples.append(_rss_mb(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield rss
    finally:
        stop.set()
        thread.join()
        rss.samples.append(_rss_mb(pid))


# --- requests --------------------------------------------------------------------------------------


def _fetch(url: str) -> httpx.Response:
    response = httpx.get(url, timeout=30)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:200]}")
    return response


def _upload_and_wait(base_url: str, headers: dict[str, str], data: bytes) -> str:
    """Upload one image, wait until it is ready; its original's URL."""
    created = httpx.post(
        f"{base_url}/api/v1/media_items",
        headers=headers,
        files={"file": ("sample.jpg", data, "image/jpeg")},
        timeout=60,
    )
    if created.status_code != 201:
        raise SystemExit(f"the upload answered {created.status_code}: {created.text[:500]}")
    resource = created.json()["data"]
    self_url = (resource[0] if isinstance(resource, list) else resource)["links"]["self"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        attributes = httpx.get(self_url, headers=headers, timeout=10).json()["data"]["attributes"]
        if attributes["status"] == "ready":
            return str(attributes["url"])
        if attributes["status"] == "error":
            raise SystemExit(f"processing failed: {attributes['error']}")
        time.sleep(0.2)
    raise SystemExit("the sample image was not ready within 60 s")


async def _upload_many(base_url: str, headers: dict[str, str], images: list[bytes]) -> Uploads:
    """Post every image at once (one request each), then poll the list until all are ready."""
    result = Uploads(len(images))
    limits = httpx.Limits(max_connections=len(images) + 1)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120, limits=limits) as client:

        async def upload(number: int, data: bytes) -> str | None:
            try:
                response = await client.post(
                    "/api/v1/media_items", files={"file": (f"photo-{number:02}.jpg", data, "image/jpeg")}
                )
            except httpx.HTTPError as error:
                result.errors.append(f"upload {number}: {type(error).__name__} {error}")
                return None
            if response.status_code != 201:
                result.errors.append(f"upload {number}: {response.status_code} {response.text[:200]}")
                return None
            resource = response.json()["data"]
            return str((resource[0] if isinstance(resource, list) else resource)["id"])

        started = time.monotonic()
        created = await asyncio.gather(*(upload(number, data) for number, data in enumerate(images, 1)))
        result.accepted_seconds = time.monotonic() - started
        pending = {item_id for item_id in created if item_id}
        result.accepted = len(pending)
        deadline = started + READY_TIMEOUT
        while pending and time.monotonic() < deadline:
            listing = await client.get("/api/v1/media_items", params={"page[limit]": 100})
            for resource in listing.json()["data"]:
                status = resource["attributes"]["status"]
                if resource["id"] in pending and status in ("ready", "error"):
                    pending.discard(resource["id"])
                    if status == "ready":
                        result.ready += 1
                    else:
                        result.errors.append(f"item {resource['id']}: {resource['attributes']['error']}")
            if pending:
                await asyncio.sleep(0.2)
        if pending:
            result.errors.append(f"{len(pending)} items not ready after {READY_TIMEOUT} s")
        else:
            result.ready_seconds = time.monotonic() - started
    return result


def _wrk(url: str, *, connections: int, seconds: int) -> WrkRun:
    if not url.startswith(f"http://{HOST}:"):
        raise SystemExit(f"refusing to load anything but {HOST}: {url}")
    command = [
        "wrk",
        f"-t{LOAD_THREADS}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkRun(
        requests_per_second=float(_find(r"Requests/sec:\s+([\d.]+)", output)[0]),
        p50_ms=_milliseconds(r"50%\s+([\d.]+)(us|ms|s)\b", output),
        p90_ms=_milliseconds(r"90%\s+([\d.]+)(us|ms|s)\b", output),
        p99_ms=_milliseconds(r"99%\s+([\d.]+)(us|ms|s)\b", output),
        max_ms=_milliseconds(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\b", output),
        requests=int(_find(r"(\d+) requests in", output)[0]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
    )


def _milliseconds(pattern: str, text: str) -> float:
    value, unit = _find(pattern, text)
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"no {pattern!r} in:\n{text}")
    return match.groups()


# --- report ----------------------------------------------------------------------------------------


def _print_report(report: Report) -> bool:
    verdicts: list[tuple[bool, str]] = []
    if report.configs:
        verdicts += _print_configs(report.configs)
    if report.accel is not None:
        verdicts += _print_accel(report.accel)
    print()
    for skipped in report.skipped:
        print(f"SKIP  {skipped}")
    for passed, line in verdicts:
        print(f"{'PASS' if passed else 'FAIL'}  {line}")
    if report.accel is not None:
        print(f"\nnginx configuration used:\n{textwrap.indent(report.accel.config, '    ')}")
    return all(passed for passed, _ in verdicts)


def _print_configs(configs: list[ConfigResult]) -> list[tuple[bool, str]]:
    print(
        f"\n/media/* under load: wrk -t{LOAD_THREADS} -c{CLIENTS} -d{LOAD_SECONDS}s --latency, one "
        f"{configs[0].file_bytes / 1024:.0f} KB JPEG (an original); web process RSS sampled every second"
    )
    print(
        f"{'configuration':<14}{'req/s':>7}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'max ms':>8}{'requests':>10}"
        f"{'non-2xx':>9}{'socket err':>11}  web RSS MB start / peak / end  CPU s used"
    )
    for config in configs:
        load = config.load
        cpu = ", ".join(f"{process} {seconds:.0f}" for process, seconds in config.load_cpu_seconds.items())
        print(
            f"{config.name:<14}{load.requests_per_second:>7.0f}{load.p50_ms:>8.0f}{load.p90_ms:>8.0f}"
            f"{load.p99_ms:>8.0f}{load.max_ms:>8.0f}{load.requests:>10}{load.non_2xx:>9}{load.socket_errors:>11}"
            f"  {config.load_rss!s:<30}{cpu}"
        )
    print(
        f"\n{UPLOADS} concurrent uploads of distinct ~5 MB JPEGs ({LARGE_SIZE[0]}x{LARGE_SIZE[1]}), one "
        f"POST /api/v1/media_items each, then the list polled until all are ready; {UPLOAD_ROUNDS} rounds"
    )
    print(
        f"{'configuration':<14}{'round':>6}{'accepted':>9}{'all 201 s':>10}{'ready':>6}{'all ready s':>12}"
        f"{'errors':>7}  web RSS MB start / peak / end  worker peak RSS MB"
    )
    for config in configs:
        for number, uploads in enumerate(config.uploads, 1):
            ready = f"{uploads.ready_seconds:.1f}" if uploads.ready_seconds is not None else "-"
            workers = " / ".join(f"{peak:.0f}" for peak in uploads.worker_peak_mb) or "(in the web process)"
            print(
                f"{config.name:<14}{number:>6}{uploads.accepted:>6}/{uploads.count:<2}"
                f"{uploads.accepted_seconds:>10.1f}{uploads.ready:>6}{ready:>12}{len(uploads.errors):>7}"
                f"  {uploads.rss!s:<30}{workers}"
            )
            for error in uploads.errors[:5]:
                print(f"    {error}")
    verdicts = []
    for config in configs:
        load, rss = config.load, config.load_rss
        verdicts += [
            (
                load.errors == 0,
                f"{config.name}: /media under {CLIENTS} clients for {LOAD_SECONDS} s: "
                f"{load.requests_per_second:.0f} req/s, p99 {load.p99_ms:.0f} ms, "
                f"{load.non_2xx} non-2xx, {load.socket_errors} socket errors (target 0 errors)",
            ),
            (
                rss.peak - rss.start < RSS_GROWTH_LIMIT_MB,
                f"{config.name}: web RSS {rss.start:.0f} -> peak {rss.peak:.0f} -> {rss.end:.0f} MB during the "
                f"/media load, +{rss.peak - rss.start:.0f} MB (target < {RSS_GROWTH_LIMIT_MB} MB)",
            ),
        ]
        for number, uploads in enumerate(config.uploads, 1):
            verdicts.append(
                (
                    uploads.ready == UPLOADS and not uploads.errors,
                    f"{config.name}: upload round {number}: {uploads.ready}/{UPLOADS} ready "
                    + (
                        f"{uploads.ready_seconds:.1f} s after the first byte"
                        if uploads.ready_seconds is not None
                        else "(not all)"
                    )
                    + f", {len(uploads.errors)} errors (target 0)",
                )
            )
        first, last = config.uploads[0].rss, config.uploads[-1].rss
        round_mb = config.upload_bytes / 2**20
        verdicts.append(
            (
                last.end - first.end < round_mb,
                f"{config.name}: web RSS {first.end:.0f} MB after upload round 1, {last.end:.0f} MB after round "
                f"{len(config.uploads)} (peaks {', '.join(f'{u.rss.peak:.0f}' for u in config.uploads)}): no leak "
                f"(target: less than one round's {round_mb:.0f} MB of uploads more)",
            )
        )
    return verdicts


def _print_accel(accel: AccelResult) -> list[tuple[bool, str]]:
    print(
        f"\nX-Accel-Redirect: wrk -t{LOAD_THREADS} -c{ACCEL_CONNECTIONS}, {ACCEL_ROUNDS} alternating "
        f"{ACCEL_SECONDS} s runs each (medians), {accel.file_bytes / 1024:.0f} KB file, nginx worker_processes "
        f"{NGINX_WORKERS}, one nexus serve process (--no-worker)"
    )
    print(
        f"{'server':<30}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}{'nginx CPU':>11}{'nexus CPU':>11}"
        "  req/s vs nginx direct"
    )
    for name, run in accel.runs.items():
        nginx_cpu = f"{run.nginx_us_per_request:.0f} us" if name != PYTHON else "-"
        nexus_cpu = f"{run.nexus_us_per_request:.1f} us" if name != DIRECT else "-"
        print(
            f"{name:<30}{run.requests_per_second:>7.0f}{run.p50_ms:>8.1f}{run.p99_ms:>8.1f}{run.errors:>7}"
            f"{nginx_cpu:>11}{nexus_cpu:>11}  {statistics.median(accel.ratios[name]):.2f}x"
        )
    print(
        "CPU per request: nginx = master + worker, nexus = the nexus serve process (~0 when nginx's cache answers);"
        "\nratio = median over the rounds of req/s over the nginx direct run just before; rounds: "
        + ", ".join(f"{ratio:.2f}" for ratio in accel.ratios[ACCEL])
    )
    for check in accel.checks:
        print(f"  {check}")
    ratio = statistics.median(accel.ratios[ACCEL])
    return [
        (
            ratio >= ACCEL_TARGET,
            f"X-Accel-Redirect (README nginx config): {ratio:.2f}x nginx direct's req/s (target >= {ACCEL_TARGET}x)",
        ),
        (
            not any(run.errors for run in accel.runs.values()),
            "X-Accel-Redirect comparison errors: "
            + ", ".join(f"{name} {run.errors}" for name, run in accel.runs.items())
            + " (target 0)",
        ),
        (
            not accel.header_problems,
            "X-Accel-Redirect: the Python proxy's body and headers, cached or not, with nexus stopped, Range, "
            "If-Range, If-None-Match, HEAD; 404s not cached, deletions effective at once"
            + "".join(f"\n      {problem}" for problem in accel.header_problems),
        ),
    ]


if __name__ == "__main__":
    main(sys.argv[1:])
