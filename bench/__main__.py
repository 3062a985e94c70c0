"""`python -m bench` (or `./dev bench`): every benchmark, each printing ratios against its baseline."""

from __future__ import annotations

import sys

from bench import frames, library, library_api, load, proxy, variants

BENCHMARKS = {
    "variants": variants.main,
    "frames": frames.main,
    "proxy": proxy.main,
    "library": library.main,
    "library_api": library_api.main,
    "load": load.main,
}


def main() -> None:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        sys.exit(f"Unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}.")
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        BENCHMARKS[name]()


if __name__ == "__main__":
    main()
