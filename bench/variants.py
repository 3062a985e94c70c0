"""Variant benchmark: our generate_variants against Pillow, the seed plan's pyvips approach and sharp.

Run from the repository root: `.venv/bin/python -m bench.variants` (about 5 minutes). Every approach
makes the same three variants (thumb 300, medium 800, large 1600 wide, same format as the original) from
the same bytes; for the 24 MP JPEG also the whole set, those widths in JPEG, WebP and AVIF, where sharp
is given our encoder settings (and, for reference, its own defaults). Repetitions are interleaved (one
run of each approach per round) so a busy machine slows all alike; the median of the rounds counts, after
one warm-up run each. Wall time is what the targets judge; CPU time (all threads of the process) is shown
beside it, since sharp buys its wall time with both cores. Then the medium's size and quality per format
(bench.quality), upload to ready end to end (bench.upload_ready), and re-making the renditions after an
edit against the first processing (bench.edits). Results also go to bench/results/.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyvips
from PIL import Image, ImageOps

from bench import edits, photos, quality, upload_ready
from nexus_core.media import formats, processing, renditions

ROOT = Path(__file__).resolve().parent.parent
SHARP_DIR = ROOT / "bench" / "sharp"
RESULTS_DIR = ROOT / "bench" / "results"
WIDTHS = dict(renditions.WIDTHS)
MAX_PIXELS = 100_000_000
ROUNDS = 7
PILLOW_SAVE = {"JPEG": {"quality": 82}, "PNG": {}, "WEBP": {"quality": 80}}
MODERN_FORMATS = (formats.WEBP, formats.AVIF)
SHARP_NAMES = {formats.JPEG: "jpeg", formats.WEBP: "webp", formats.AVIF: "avif"}


@dataclass(frozen=True)
class Sample:
    name: str
    mime_type: str
    pillow_format: str
    width: int
    height: int
    make: Callable[..., bytes]


SAMPLES = (
    Sample("24 MP JPEG", "image/jpeg", "JPEG", 6000, 4000, photos.jpeg),
    Sample("6 MP PNG", "image/png", "PNG", 3000, 2000, photos.png),
    Sample("3 MP WebP", "image/webp", "WEBP", 2000, 1500, photos.webp),
)


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # CPU time of the whole process, every thread, during the run
    sizes: list[int]


@dataclass
class Measurement:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    cpu_seconds: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, list[int]] = field(default_factory=dict)
    peak_kib: dict[str, tuple[int, int]] = field(default_factory=dict)

    def median(self, approach: str) -> float:
        return statistics.median(self.seconds[approach])

    def median_cpu(self, approach: str) -> float:
        return statistics.median(self.cpu_seconds[approach])


# --- the approaches -------------------------------------------------------------------------------


def ours(data: bytes, sample: Sample) -> list[int]:
    result = processing.generate_variants(data, sample.mime_type, max_pixels=MAX_PIXELS, widths=WIDTHS)
    return [len(variant.data) for variant in result.variants]


def pillow(data: bytes, sample: Sample) -> list[int]:
    """The usual Pillow way: open the original for each variant, draft (JPEG), thumbnail, save."""
    sizes = []
    for width in WIDTHS.values():
        height = round(sample.height * width / sample.width)
        with Image.open(io.BytesIO(data)) as image:
            if sample.pillow_format == "JPEG":
                image.draft("RGB", (width, height))
            image.thumbnail((width, height))
            ImageOps.exif_transpose(image, in_place=True)
            output = io.BytesIO()
            image.save(output, sample.pillow_format, **PILLOW_SAVE[sample.pillow_format])
            sizes.append(output.tell())
    return sizes


def pillow_decoded_once(data: bytes, sample: Sample) -> list[int]:
    """A careful Pillow user: one draft decode for the largest variant, the others from it in memory."""
    sizes = []
    with Image.open(io.BytesIO(data)) as original:
        widest = max(WIDTHS.values())
        if sample.pillow_format == "JPEG":
            original.draft("RGB", (widest, round(sample.height * widest / sample.width)))
        original.load()
        for width in sorted(WIDTHS.values(), reverse=True):
            image = original.copy()
            image.thumbnail((width, round(sample.height * width / sample.width)))
            output = io.BytesIO()
            image.save(output, sample.pillow_format, **PILLOW_SAVE[sample.pillow_format])
            sizes.append(output.tell())
    return sizes[::-1]


def seed_plan(data: bytes, sample: Sample) -> list[int]:
    """The seed plan: one full decode with pyvips (no shrink-on-load), thumbnail_image for each size.

    It saves with our encoder settings, so the difference to `ours` is the decoding strategy alone.
    """
    encoder = formats.BY_MIME[sample.mime_type].encoder
    assert encoder is not None, "samples are rasters"
    original = pyvips.Image.new_from_buffer(data, "", fail_on="truncated").copy_memory()
    return [
        len(original.thumbnail_image(width).write_to_buffer(encoder.suffix, **encoder.variant_options))
        for width in WIDTHS.values()
    ]


def ours_modern(data: bytes, sample: Sample) -> list[int]:
    """The second job's image work: every width as WebP and AVIF."""
    result = processing.generate_variants(
        data, sample.mime_type, max_pixels=MAX_PIXELS, widths=WIDTHS, outputs=MODERN_FORMATS
    )
    return [len(variant.data) for variant in result.variants]


def ours_set(data: bytes, sample: Sample) -> list[int]:
    """The whole set as `nexus serve`'s own worker makes an upload's (media/head_start.py): one decode, the
    first job's encodes (own format, placeholder, hash), then the second job's (WebP, AVIF)."""
    decoded = processing.decode(data, sample.mime_type, max_pixels=MAX_PIXELS, widths=WIDTHS)
    first = processing.encode(decoded, describe=True)
    modern = processing.encode(decoded, outputs=MODERN_FORMATS)
    return [len(variant.data) for variant in (*first.variants, *modern.variants)]


def ours_set_in_workers(data: bytes, sample: Sample) -> list[int]:
    """The whole set as separate `nexus worker` processes make it: each job decodes the original."""
    first = processing.generate_variants(
        data, sample.mime_type, max_pixels=MAX_PIXELS, widths=WIDTHS, describe=True
    )
    return [len(variant.data) for variant in first.variants] + ours_modern(data, sample)


def pillow_modern(data: bytes, sample: Sample) -> list[int]:
    """The usual Pillow way for WebP and AVIF, with our encoder settings (AVIF speed = 9 - effort)."""
    sizes = []
    for mime_type in MODERN_FORMATS:
        options = formats.BY_MIME[mime_type].encoder.variant_options  # type: ignore[union-attr]
        save = {"quality": options["Q"]}
        save |= (
            {"speed": 9 - options["effort"]} if mime_type == formats.AVIF else {"method": options["effort"]}
        )
        for width in WIDTHS.values():
            height = round(sample.height * width / sample.width)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (width, height))
                image.thumbnail((width, height))
                output = io.BytesIO()
                image.save(output, formats.BY_MIME[mime_type].name.upper(), **save)
                sizes.append(output.tell())
    return sizes


def sharp_settings() -> dict[str, dict[str, int]]:
    """Our encoder settings (media/formats.py) in sharp's words."""
    settings = {}
    for mime_type in (formats.JPEG, *MODERN_FORMATS):
        options = formats.BY_MIME[mime_type].encoder.variant_options  # type: ignore[union-attr]
        effort = {"effort": options["effort"]} if "effort" in options else {}
        settings[SHARP_NAMES[mime_type]] = {"quality": options["Q"], **effort}
    return settings


APPROACHES: dict[str, Callable[[bytes, Sample], list[int]]] = {
    "ours": ours,
    "pillow": pillow,
    "pillow_once": pillow_decoded_once,
    "seed": seed_plan,
}
SET_APPROACHES: dict[str, Callable[[bytes, Sample], list[int]]] = {
    "ours_set": ours_set,
    "ours_set_in_workers": ours_set_in_workers,
}
MEMORY_APPROACHES = {
    **APPROACHES,
    **SET_APPROACHES,
    "ours_modern": ours_modern,
    "pillow_modern": pillow_modern,
}
LABELS = {
    "ours": "ours (generate_variants)",
    "pillow": "Pillow, usual way",
    "pillow_once": "Pillow, decoded once",
    "seed": "seed plan (pyvips full decode)",
    "sharp": "sharp (timed inside node)",
    "ours_set": "ours, serve's own worker",
    "ours_set_in_workers": "ours, separate workers",
    "sharp_set": "sharp, our settings",
    "sharp_defaults": "sharp, its defaults",
}


# --- sharp ----------------------------------------------------------------------------------------


class Sharp:
    """A long-running node process that times one run of sharp per file path it is sent."""

    def __init__(self, output_set: dict[str, dict[str, int]] | None = None) -> None:
        """Each width in the original's format, or with `output_set` in each of its formats and settings."""
        if not (SHARP_DIR / "node_modules" / "sharp").is_dir():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SHARP_DIR, check=True)
        widths = [str(width) for width in WIDTHS.values()]
        chosen = [f"--set={json.dumps(output_set)}"] if output_set is not None else []
        self.process = subprocess.Popen(
            ["node", "resize.mjs", "--stdin", *chosen, *widths],
            cwd=SHARP_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.versions = ""

    def run(self, path: Path) -> Run:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        result = json.loads(self.process.stdout.readline())
        self.versions = (
            f"sharp {result['sharp']} (libvips {result['vips']}, concurrency {result['concurrency']})"
        )
        return Run(result["seconds"], result["cpu_seconds"], result["bytes"])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


# --- peak memory, each in a fresh process -----------------------------------------------------------


def _vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def memory_worker(approach: str, path: str, sample_name: str) -> None:
    """Run one approach once in this (fresh) process and print its peak RSS before and after, in KiB.

    Every worker imports the same modules (pyvips and Pillow), so the baselines match.
    """
    sample = next(sample for sample in SAMPLES if sample.name == sample_name)
    data = Path(path).read_bytes()
    baseline = _vm_hwm_kib()
    MEMORY_APPROACHES[approach](data, sample)
    print(json.dumps([baseline, _vm_hwm_kib()]))


def peak_memory(approach: str, path: Path, sample: Sample) -> tuple[int, int]:
    code = f"from bench.variants import memory_worker; memory_worker({approach!r}, {str(path)!r}, {sample.name!r})"
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    baseline, peak = json.loads(output)
    return baseline, peak


# --- running and reporting --------------------------------------------------------------------------


def measure(sample: Sample, path: Path, sharps: dict[str, Sharp], with_set: bool) -> Measurement:
    data = path.read_bytes()
    measurement = Measurement()
    chosen = {**APPROACHES, **(SET_APPROACHES if with_set else {})}
    runners: dict[str, Callable[[], Run]] = {
        name: (lambda approach=approach: _timed(approach, data, sample)) for name, approach in chosen.items()
    }
    for name, sharp in sharps.items():
        if with_set or name == "sharp":
            runners[name] = lambda sharp=sharp: sharp.run(path)
    for name, run in runners.items():
        measurement.sizes[name] = run().sizes  # warm-up
        measurement.seconds[name], measurement.cpu_seconds[name] = [], []
    for _ in range(ROUNDS):
        for name, run in runners.items():
            result = run()
            measurement.seconds[name].append(result.seconds)
            measurement.cpu_seconds[name].append(result.cpu_seconds)
    for name in ("ours", "pillow", *(("ours_modern", "pillow_modern") if with_set else ())):
        measurement.peak_kib[name] = peak_memory(name, path, sample)
    return measurement


def _timed(approach: Callable[[bytes, Sample], list[int]], data: bytes, sample: Sample) -> Run:
    cpu, start = time.process_time(), time.perf_counter()
    sizes = approach(data, sample)
    return Run(time.perf_counter() - start, time.process_time() - cpu, sizes)


def report(
    results: dict[str, Measurement], inputs: dict[str, int], sharp_versions: str
) -> tuple[list[str], list[tuple[str, str, bool]]]:
    lines = [
        f"Variants {', '.join(f'{name} {width}' for name, width in WIDTHS.items())} px wide; "
        f"median of {ROUNDS} interleaved rounds after a warm-up; {os.cpu_count()} CPUs; "
        f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)} "
        f"(concurrency {pyvips.concurrency_get()}); Pillow {Image.__version__}; {sharp_versions}.",
        "",
    ]
    for name, measurement in results.items():
        lines.append(f"{name} ({inputs[name] / 1e6:.1f} MB)")
        lines.extend(
            _table(
                measurement,
                "ours",
                ("ours", "pillow", "pillow_once", "seed", "sharp"),
                "variant bytes (thumb / medium / large)",
            )
        )
        lines.append(_peaks(measurement, "ours", "pillow"))
        if "ours_set" in measurement.seconds:
            lines.append(f"  the whole set: each width as JPEG, WebP and AVIF ({_settings_text()})")
            lines.extend(
                _table(
                    measurement,
                    "ours_set",
                    ("ours_set", "ours_set_in_workers", "sharp_set", "sharp_defaults"),
                    "bytes (JPEG, WebP, AVIF; thumb / medium / large)",
                )
            )
            lines.append(
                _peaks(measurement, "ours_modern", "pillow_modern", "peak RSS of WebP + AVIF (second job)")
            )
        lines.append("")
    jpeg, png = results["24 MP JPEG"], results["6 MP PNG"]
    targets = [
        ("JPEG: ours >= 1.6x faster than Pillow", _speedup(jpeg, "pillow"), 1.6),
        ("JPEG: ours >= 1.5x faster than sharp", _speedup(jpeg, "sharp"), 1.5),
        ("JPEG: ours >= 1.4x faster than the seed plan", _speedup(jpeg, "seed"), 1.4),
        ("JPEG: the whole set >= 1.5x faster than sharp's", _speedup(jpeg, "sharp_set", "ours_set"), 1.5),
        ("PNG: ours >= 3x faster than Pillow", _speedup(png, "pillow"), 3.0),
    ]
    checks = [(label, f"{value:.2f}x", value >= goal) for label, value, goal in targets]
    larger = [
        f"{variant} {ours:,} > {theirs:,}"
        for variant, ours, theirs in zip(WIDTHS, png.sizes["ours"], png.sizes["pillow"], strict=True)
        if ours > theirs
    ]
    checks.append(
        ("PNG: every variant no larger than Pillow's", "; ".join(larger) or "all smaller", not larger)
    )
    for name, measurement in results.items():
        for ours, theirs in (("ours", "pillow"), ("ours_modern", "pillow_modern")):
            if ours in measurement.peak_kib:
                ours_peak, pillow_peak = measurement.peak_kib[ours][1], measurement.peak_kib[theirs][1]
                checks.append(
                    (
                        f"{name}{', WebP + AVIF' if ours == 'ours_modern' else ''}: peak memory no higher than Pillow's",
                        f"{ours_peak / 1024:.0f} vs {pillow_peak / 1024:.0f} MiB",
                        ours_peak <= pillow_peak,
                    )
                )
    return lines, checks


def _table(measurement: Measurement, base: str, approaches: tuple[str, ...], sizes_heading: str) -> list[str]:
    lines = [f"  {'approach':32} {'wall ms':>8} {'vs ' + base:>9} {'CPU ms':>7}   {sizes_heading}"]
    for approach in approaches:
        seconds, cpu = measurement.median(approach), measurement.median_cpu(approach)
        sizes = " / ".join(f"{size:,}" for size in measurement.sizes[approach])
        lines.append(
            f"  {LABELS[approach]:32} {seconds * 1000:8.0f} {seconds / measurement.median(base):8.2f}x {cpu * 1000:7.0f}   {sizes}"
        )
    return lines


def _peaks(measurement: Measurement, ours: str, pillow: str, label: str = "peak RSS") -> str:
    ours_peak, pillow_peak = measurement.peak_kib[ours], measurement.peak_kib[pillow]
    return (
        f"  {label}: ours {ours_peak[1] / 1024:.0f} MiB (+{(ours_peak[1] - ours_peak[0]) / 1024:.0f} over "
        f"baseline), Pillow {pillow_peak[1] / 1024:.0f} MiB (+{(pillow_peak[1] - pillow_peak[0]) / 1024:.0f})"
    )


def _settings_text() -> str:
    return "; ".join(
        f"{name} {', '.join(f'{key} {value}' for key, value in options.items())}"
        for name, options in sharp_settings().items()
    )


def _speedup(measurement: Measurement, approach: str, base: str = "ours") -> float:
    return measurement.median(approach) / measurement.median(base)


def main() -> None:
    if shutil.which("node") is None:
        sys.exit("node is needed for the sharp baseline")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    sharps = {
        "sharp": Sharp(),
        "sharp_set": Sharp(sharp_settings()),
        "sharp_defaults": Sharp({name: {} for name in SHARP_NAMES.values()}),
    }
    results: dict[str, Measurement] = {}
    inputs: dict[str, int] = {}
    try:
        for sample in SAMPLES:
            path = RESULTS_DIR / f"input-{sample.width}x{sample.height}.{sample.pillow_format.lower()}"
            path.write_bytes(sample.make(sample.width, sample.height))
            inputs[sample.name] = path.stat().st_size
            print(f"measuring {sample.name} ...", file=sys.stderr, flush=True)
            results[sample.name] = measure(sample, path, sharps, with_set=sample.mime_type == formats.JPEG)
    finally:
        for sharp in sharps.values():
            sharp.close()
    lines, checks = report(results, inputs, sharps["sharp"].versions)
    print("measuring the medium's size and quality per format ...", file=sys.stderr, flush=True)
    quality_lines, quality_checks = quality.report(quality.measure())
    print("measuring upload to ready ...", file=sys.stderr, flush=True)
    camera = upload_ready.camera_jpeg()
    sample = SAMPLES[0]
    upload_lines, upload_check = upload_ready.report(
        upload_ready.measure(camera, lambda data: seed_plan(data, sample))
    )
    checks = [*checks, *quality_checks, upload_check]
    table = "\n".join(
        [*lines, *quality_lines, "", *upload_lines, "", "Targets"]
        + [f"  {'PASS' if passed else 'FAIL'}  {label:62} {value}" for label, value, passed in checks]
    )
    print(table)
    (RESULTS_DIR / "variants.txt").write_text(table + "\n")
    (RESULTS_DIR / "variants.json").write_text(
        json.dumps({name: vars(measurement) for name, measurement in results.items()}, indent=2)
    )
    passed = all(passed for _, _, passed in checks)
    print("\nmeasuring re-making after an edit (bench.edits) ...", file=sys.stderr, flush=True)
    edit_table, edit_passed = edits.report(edits.measure())
    print(f"\n{edit_table}")
    (RESULTS_DIR / "edits.txt").write_text(edit_table + "\n")
    passed = passed and edit_passed
    print(f"\n{'All targets met.' if passed else 'Some targets missed.'}")
    if not passed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
