"""Start real `nexus` processes (web server, worker) for tests, and stop them afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

NEXUS = str(Path(sys.executable).with_name("nexus"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_environment(**overrides: str) -> dict[str, str]:
    """The test's environment for a child; NiceGUI must not believe it runs under pytest."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"}
    environment.update(overrides)
    return environment


@contextmanager
def running(
    arguments: list[str], environment: dict[str, str], log: Path, *, program: str | None = NEXUS
) -> Iterator[subprocess.Popen[bytes]]:
    """A child (`nexus …` unless another program is named) with its output in `log`; terminated
    (killed after 15 s) on the way out."""
    command = [program, *arguments] if program else arguments
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=environment, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_serving(
    base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            httpx.get(f"{base_url}/api/v1/media_items", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start within {timeout} s:\n{log.read_text()}")
