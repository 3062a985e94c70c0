"""Benchmark: the /media proxy against Starlette's StaticFiles serving the same directory.

Run `python -m bench.proxy`. Both servers run as uvicorn subprocesses with the same settings; the
load comes from `wrk` when installed (`apt-get install -y wrk`), else from a slower asyncio client
(`NEXUS_BENCH_LOAD=python` forces it). The target: the proxy serves at least twice the requests/s
of StaticFiles for each file size. The servers take turns for a few rounds and each keeps its median
run. Server CPU time per request is shown too: unlike requests/s it holds steady when other work
shares the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.applications import Starlette

MEDIA_DIR_VARIABLE = "NEXUS_BENCH_MEDIA_DIR"
TARGET_RATIO = 2.0
SERVERS = {"StaticFiles": "static_files_app", "proxy": "proxy_app"}
SIZES = {"200 KB": 200 * 1024, "5 MB": 5 * 1024 * 1024}
CONNECTIONS = 32
WARMUP_SECONDS = 1
DURATION_SECONDS = 3
ROUNDS = 5


def proxy_app() -> FastAPI:
    """uvicorn factory: a FastAPI app with the media router on local storage (from NEXUS_* settings)."""
    from fastapi import FastAPI

    from nexus_core.media.proxy import router

    app = FastAPI()
    app.include_router(router)
    return app


def static_files_app() -> Starlette:
    """uvicorn factory: the baseline, Starlette's StaticFiles mounted at /media on the same directory."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    return Starlette(routes=[Mount("/media", StaticFiles(directory=os.environ[MEDIA_DIR_VARIABLE]))])


@dataclass
class Run:
    requests_per_second: float
    p99_ms: float
    requests: int
    cpu_seconds: float = 0.0


@dataclass
class Result:
    requests_per_second: float
    p99_ms: float
    cpu_us_per_request: float
    peak_rss_mb: float


def main() -> None:
    """Run every case and print the table; exit status 1 when a ratio misses the target."""
    load = os.environ.get("NEXUS_BENCH_LOAD") or ("wrk" if shutil.which("wrk") else "python")
    if load == "python":
        print("wrk not found: using the asyncio client, which saturates before the servers do.")
        print("For real numbers: apt-get install -y wrk\n")
    if (busy := os.getloadavg()[0]) > 1:
        print(f"warning: load average {busy:.1f} at the start: other work on this machine skews requests/s\n")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nexus-bench-") as directory, contextlib.ExitStack() as stack:
        paths = _write_files(Path(directory))
        servers = {
            name: stack.enter_context(_server(factory, directory)) for name, factory in SERVERS.items()
        }
        results = {
            (name, size): result
            for size, path in paths.items()
            for name, result in _run_case(load, servers, path, SIZES[size]).items()
        }
    passed = _print_table(results, load)
    print(f"\ntotal {time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.1f} at the end")
    if not passed:
        raise SystemExit(1)


def _run_case(load: str, servers: dict[str, tuple[str, int]], path: str, size: int) -> dict[str, Result]:
    runs: dict[str, list[Run]] = {name: [] for name in servers}
    for base_url, _ in servers.values():
        _check(base_url + path, size)
        _measure(load, base_url + path, WARMUP_SECONDS)
    for _ in range(ROUNDS):
        for name, (base_url, pid) in servers.items():
            cpu_before = _cpu_seconds(pid)
            run = _measure(load, base_url + path, DURATION_SECONDS)
            run.cpu_seconds = _cpu_seconds(pid) - cpu_before
            runs[name].append(run)
    results = {}
    for name, (_, pid) in servers.items():
        median = sorted(runs[name], key=lambda run: run.requests_per_second)[ROUNDS // 2]
        cpu_us = statistics.median(run.cpu_seconds / run.requests * 1e6 for run in runs[name])
        results[name] = Result(median.requests_per_second, median.p99_ms, cpu_us, _peak_rss_mb(pid))
    return results


def _write_files(directory: Path) -> dict[str, str]:
    paths = {}
    project = uuid.uuid4()
    for name, size in SIZES.items():
        path = f"{project}/{uuid.uuid4()}.jpg"
        (directory / str(project)).mkdir(exist_ok=True)
        (directory / path).write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(size - 6) + b"\xff\xd9")
        paths[name] = f"/media/{path}"
    return paths


@contextlib.contextmanager
def _server(factory: str, media_dir: str) -> Iterator[tuple[str, int]]:
    port = _free_port()
    options = ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    if importlib.util.find_spec("uvloop"):
        options += ["--loop", "uvloop"]
    if importlib.util.find_spec("httptools"):
        options += ["--http", "httptools"]
    environment = os.environ | {
        MEDIA_DIR_VARIABLE: media_dir,
        "NEXUS_STORAGE_BACKEND": "local",
        "NEXUS_MEDIA_DIR": media_dir,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", f"bench.proxy:{factory}"]
    command += ["--host", "127.0.0.1", "--port", str(port), *options]
    process = subprocess.Popen(command, env=environment)
    try:
        _wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise SystemExit("the server did not start within 30 s")


def _check(url: str, size: int) -> None:
    response = httpx.get(url, timeout=10)
    if response.status_code != 200 or len(response.content) != size:
        raise SystemExit(f"{url} answered {response.status_code} with {len(response.content)} bytes")


def _measure(load: str, url: str, seconds: int) -> Run:
    return (
        _measure_with_wrk(url, seconds) if load == "wrk" else asyncio.run(_measure_with_httpx(url, seconds))
    )


def _measure_with_wrk(url: str, seconds: int) -> Run:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors:\n{output}")
    requests_per_second = float(_find(r"Requests/sec:\s+([\d.]+)", output)[0])
    value, unit = _find(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return Run(requests_per_second, p99_ms, int(_find(r"(\d+) requests in", output)[0]))


async def _measure_with_httpx(url: str, seconds: int) -> Run:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=CONNECTIONS), timeout=30) as client:

        async def worker() -> None:
            while time.monotonic() < deadline:
                begun = time.perf_counter()
                response = await client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                latencies.append(time.perf_counter() - begun)

        begun = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.monotonic() - begun
    latencies.sort()
    return Run(len(latencies) / elapsed, latencies[int(len(latencies) * 0.99) - 1] * 1000, len(latencies))


def _find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"no {pattern!r} in:\n{text}")
    return match.groups()


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    return int(_find(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())[0]) / 1024


def _print_table(results: dict[tuple[str, str], Result], load: str) -> bool:
    print(
        f"\n/media proxy vs Starlette StaticFiles: uvicorn 1 worker, {CONNECTIONS} connections, load {load}, "
        f"median of {ROUNDS} alternating runs of {DURATION_SECONDS} s"
    )
    print(f"{'file':<8}{'server':<13}{'req/s':>9}{'p99 ms':>9}{'CPU us/req':>12}{'peak RSS MB':>13}  ratio")
    passed = True
    for size in SIZES:
        baseline, ours = results["StaticFiles", size], results["proxy", size]
        ratio = ours.requests_per_second / baseline.requests_per_second
        cpu_ratio = baseline.cpu_us_per_request / ours.cpu_us_per_request
        verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
        passed &= verdict == "PASS"
        for name, result in (("StaticFiles", baseline), ("proxy", ours)):
            print(
                f"{size:<8}{name:<13}{result.requests_per_second:>9.0f}{result.p99_ms:>9.1f}"
                f"{result.cpu_us_per_request:>12.0f}{result.peak_rss_mb:>13.0f}",
                f" {ratio:.2f}x req/s {verdict}, {cpu_ratio:.2f}x less CPU per request"
                if name == "proxy"
                else "",
            )
    print(
        f"target: proxy >= {TARGET_RATIO:.0f}x the req/s of StaticFiles for each size. Peak RSS is each "
        f"server's high-water mark so far: bounded for 5 MB files x {CONNECTIONS} connections."
    )
    return passed


if __name__ == "__main__":
    main()
