"""Frame-flood benchmark: peak memory and time of ten many-frame GIFs next to ten still images.

Run from the repository root: `.venv/bin/python -m bench.frames`. The red team's flood: ten small
animated GIFs (600 frames of 400 × 400 each, 96 megapixels, about 80 KB a file) processed as the
embedded job queue does it, two jobs at a time, each followed by `release_memory()`. The baseline,
measured in the same run and the same way, is ten still GIFs of the same 400 × 400 frame. Each case
runs in a fresh process that reports its own peak RSS (VmHWM), and its RSS before and after the jobs.
Results also go to bench/results/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nexus_core.media import processing
from tests import images

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
FILES = 10
WIDTH = HEIGHT = 400
FRAMES = 600
JOBS_AT_ONCE = 2  # the embedded consumer's thread workers (nexus_core.media.tasks.consumer_options)
MAX_PIXELS = 100_000_000
PEAK_RATIO_TARGET = 2.0  # frame flood's peak RSS, at most this many times the still images'
RETAINED_TARGET_MIB = 32  # RSS after the jobs, at most this much above the RSS before


def _status_mib(field: str) -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field))
    return int(line.split()[1]) / 1024


def _job(data: bytes) -> None:
    processing.generate_variants(data, "image/gif", max_pixels=MAX_PIXELS)
    processing.release_memory()


def worker(directory: str) -> None:
    """Process every GIF in `directory` in this (fresh) process; print the memory figures as JSON."""
    files = [path.read_bytes() for path in sorted(Path(directory).glob("*.gif"))]
    before = _status_mib("VmRSS:")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=JOBS_AT_ONCE) as pool:
        list(pool.map(_job, files))
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "before": before,
                "peak": _status_mib("VmHWM:"),
                "after": _status_mib("VmRSS:"),
                "seconds": seconds,
            }
        )
    )


def measure(directory: Path) -> dict[str, float]:
    code = f"from bench.frames import worker; worker({str(directory)!r})"
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def _write_inputs(name: str, frames: int) -> tuple[Path, int]:
    directory = RESULTS_DIR / f"frames-{name}"
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.gif"):
        old.unlink()
    total = 0
    for index in range(FILES):
        data = (
            images.gif_frame_flood(WIDTH, HEIGHT, frames=frames) if frames > 1 else images.gif(WIDTH, HEIGHT)
        )
        (directory / f"{index}.gif").write_bytes(data)
        total += len(data)
    return directory, total


def report(results: dict[str, dict[str, float]], sizes: dict[str, int]) -> tuple[str, bool]:
    labels = {
        "still": f"{FILES} still GIFs, {WIDTH} × {HEIGHT}",
        "flood": f"{FILES} GIFs of {FRAMES} frames, {WIDTH} × {HEIGHT}",
    }
    lines = [
        f"Each case in a fresh process, {JOBS_AT_ONCE} jobs at a time, release_memory() after each job.",
        "",
        f"  {'case':34} {'input':>9} {'time s':>7} {'RSS before':>11} {'peak RSS':>9} {'RSS after':>10}",
    ]
    for name, result in results.items():
        lines.append(
            f"  {labels[name]:34} {sizes[name] / 1e6:7.2f}MB {result['seconds']:7.1f} "
            f"{result['before']:8.0f}MiB {result['peak']:6.0f}MiB {result['after']:7.0f}MiB"
        )
    still, flood = results["still"], results["flood"]
    ratio = flood["peak"] / still["peak"]
    retained = flood["after"] - flood["before"]
    checks = [
        (
            f"frame flood peak RSS <= {PEAK_RATIO_TARGET:g}x the still images'",
            f"{ratio:.2f}x ({flood['peak']:.0f} vs {still['peak']:.0f} MiB)",
            ratio <= PEAK_RATIO_TARGET,
        ),
        (
            f"RSS after the flood within {RETAINED_TARGET_MIB} MiB of before",
            f"{retained:+.0f} MiB",
            retained <= RETAINED_TARGET_MIB,
        ),
    ]
    lines += ["", "Targets"]
    lines.extend(f"  {'PASS' if passed else 'FAIL'}  {label:52} {value}" for label, value, passed in checks)
    return "\n".join(lines), all(passed for _, _, passed in checks)


def main() -> None:
    if not Path("/proc/self/status").exists():
        sys.exit("bench.frames reads peak memory from /proc (Linux)")
    results: dict[str, dict[str, float]] = {}
    sizes: dict[str, int] = {}
    for name, frames in (("still", 1), ("flood", FRAMES)):
        directory, sizes[name] = _write_inputs(name, frames)
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        results[name] = measure(directory)
    table, passed = report(results, sizes)
    print(table)
    (RESULTS_DIR / "frames.txt").write_text(table + "\n")
    (RESULTS_DIR / "frames.json").write_text(json.dumps(results, indent=2))
    print(f"\n{'All targets met.' if passed else 'Some targets missed.'}")


if __name__ == "__main__":
    main()
