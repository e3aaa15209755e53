#!/usr/bin/env python3
"""`assist analyze` on long transcripts: does the time grow linearly with the number of lines?

    python3 benchmarks/bench_analyze.py                  # 3k, 13k and 64k lines, 3 runs each
    python3 benchmarks/bench_analyze.py --sizes 3000 --repeats 1

Issue 14 measured 1.9 s / 7.1 s / 213 s for 3,205 / 12,820 / 64,095 lines (the same call's lines
repeated): quadratic. This builds such transcripts from examples/support-call.txt (times dropped, so
they are estimated, the path that rescanned the file per line), then times:
  * read     — `load_transcript` alone, in this process (the transcript half of the work);
  * analyze  — the whole command, `python -m assist analyze FILE --format json --no-semantic`, in a
               fresh process (wall clock, includes start-up and writing the report).
Prints medians, seconds per 1,000 lines and the growth against the smallest size (linear: the same
seconds per 1,000 lines at every size). Wall-clock figures on a shared machine: the load is printed.
Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assist.transcript import load_transcript  # noqa: E402
from benchmarks.bench_engine import hardware  # noqa: E402


def build(path: Path, lines: int) -> int:
    src = [re.sub(r"^\[[\d:.]+\]\s*", "", x) for x in (ROOT / "examples/support-call.txt").read_text().splitlines()
           if x.strip()]
    out = [src[i % len(src)] for i in range(lines)]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out)


def time_read(path: Path, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        load_transcript(path)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_analyze(path: Path, repeats: int, timeout: float) -> float | None:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        try:
            r = subprocess.run([sys.executable, "-m", "assist", "analyze", str(path), "--format", "json",
                                "--no-semantic", "-o", os.devnull], cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        if r.returncode != 0:
            raise SystemExit(f"analyze failed on {path}: {r.stderr.strip()}")
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="3205,12820,64095", help="comma-separated line counts")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds before one analyze run is given up")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"# {hardware()}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"{'lines':>8} {'read s':>8} {'analyze s':>10} {'s/1k lines':>11} {'growth':>7}")
    base: float | None = None
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            p = Path(d) / f"long-{n}.txt"
            build(p, n)
            read = time_read(p, args.repeats)
            total = time_analyze(p, args.repeats if n < 30000 else max(1, args.repeats - 2), args.timeout)
            if total is None:
                print(f"{n:>8} {read:>8.3f} {'> ' + str(int(args.timeout)):>10} {'-':>11} {'-':>7}")
                continue
            per_k = total / n * 1000
            base = base or per_k
            print(f"{n:>8} {read:>8.3f} {total:>10.2f} {per_k:>11.3f} {per_k / base:>6.2f}x", flush=True)
    print(f"# load average {os.getloadavg()[0]:.1f} at end; growth = s/1k lines relative to the smallest size "
          "(1.0x everywhere = linear)")


if __name__ == "__main__":
    main()
