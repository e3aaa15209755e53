"""Batch throughput: audio minutes scored per wall-clock minute, by number of workers, local or on a Dask cluster.

    python3 benchmarks/bench_batch.py [--calls 6] [--workers 1 2] [--cluster 1 2] [--semantic] [--engine whisper|vosk]

`--cluster N…` also runs `assist batch --cluster` against a Dask scheduler with N workers started on
this machine (one process each, one task thread, the machine's cores shared out between them). The
scheduler and workers are started before the clock starts — a cluster is long-lived — so the wall
time is the client's: its start, hashing, sending the audio, the workers' first model load, scoring.

Synthesises N stereo calls from examples/demo-call.txt with espeak-ng (the same recipe as the
tests; each call starts after a different lead-in, so no two files have the same content hash),
then runs `assist batch` over them once per worker count, each time into a fresh history so
nothing is skipped. Wall time includes process start and model loading: it is what a team lead
waits for. Prints one line per run and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent


def synth(n: int, folder: Path) -> float:
    spec = importlib.util.spec_from_file_location("make_demo_call", ROOT / "scripts" / "make_demo_call.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    turns = mod.parse_script((ROOT / "examples" / "demo-call.txt").read_text(encoding="utf-8"))
    base, _ = mod.synth_call(turns)  # synthesise once; the copies differ by their lead-in silence
    total = 0.0
    import numpy as np

    for i in range(n):
        pad = np.zeros((int(mod.RATE * 0.1 * (i + 1)), 2), dtype=base.dtype)
        audio = np.concatenate([pad, base])
        sf.write(folder / f"call-{i:02d}.wav", audio, mod.RATE)
        total += len(audio) / mod.RATE
    return total


@contextlib.contextmanager
def dask_cluster(n: int, folder: Path, env: dict[str, str]) -> Iterator[str]:
    """A scheduler and `n` single-threaded workers on loopback, sharing this machine's cores; yields
    the address once all workers are connected."""
    from distributed import Client

    folder.mkdir(parents=True)
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    addr = f"tcp://127.0.0.1:{port}"
    wenv = {**env, "ASSIST_CPU_THREADS": str(max(1, (os.cpu_count() or 1) // n))}
    dask = [sys.executable, "-m", "dask"]
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for i in range(n):
            procs.append(subprocess.Popen([*dask, "worker", addr, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                           "--local-directory", str(folder / f"w{i}")], cwd=folder, env=wenv,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(addr, timeout="60s", set_as_default=False) as c:
            c.wait_for_workers(n, timeout=120)
        yield addr
    finally:
        for p in procs:  # a worker whose scheduler is gone can sit in reconnect attempts: no grace
            p.kill()
            p.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=6)
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="local runs: worker processes")
    ap.add_argument("--cluster", type=int, nargs="*", default=[], help="Dask cluster runs: worker count")
    ap.add_argument("--repeat", type=int, default=1, help="run the whole list this many times, interleaved "
                                                          "(on a shared machine the load drifts: compare within a round)")
    ap.add_argument("--semantic", action="store_true", help="also run the semantic detector (default: lexical)")
    ap.add_argument("--engine", choices=("whisper", "vosk"), help="speech engine (default: batch's choice)")
    a = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="assist-bench-") as tmp:
        d = Path(tmp)
        (d / "calls").mkdir()
        audio_s = synth(a.calls, d / "calls")
        print(f"{a.calls} calls, {audio_s / 60:.1f} audio min, {os.cpu_count()} cores", flush=True)
        runs = ([("local", w) for w in a.workers] + [("cluster", n) for n in a.cluster]) * a.repeat
        for k, (mode, w) in enumerate(runs):
            out = d / f"out-{mode}-{w}-{k}"
            cmd = [sys.executable, "-m", "assist", "batch", str(d / "calls"), "--out", str(out),
                   "--db", f"sqlite:///{d / f'h-{mode}-{w}-{k}.sqlite3'}"]
            if not a.semantic:
                cmd.append("--no-semantic")
            if a.engine:
                cmd += ["--engine", a.engine]
            env = {**os.environ, "ASSIST_CONFIG": str(d / "none.toml"), "ASSIST_DATA_DIR": str(d / "data"),
                   "HF_HUB_OFFLINE": "1"}
            with contextlib.ExitStack() as stack:
                if mode == "cluster":
                    cmd += ["--cluster", stack.enter_context(dask_cluster(w, d / f"dask-{w}-{k}", env))]
                else:
                    cmd += ["--workers", str(w)]
                load = os.getloadavg()[0]
                t0 = time.monotonic()
                r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
                wall = time.monotonic() - t0
            if r.returncode != 0:
                print(r.stderr[-2000:], file=sys.stderr)
                return 1
            s = json.loads((out / "summary.json").read_text())
            engine = json.loads((out / "call-00.json").read_text())["call"].get("engine")
            row = {"mode": mode, "workers": w, "calls": s["scored"], "audio_min": round(s["audio_s"] / 60, 2),
                   "wall_s": round(wall, 1), "audio_min_per_wall_min": round(s["audio_s"] / wall, 2),
                   "engine": engine, "semantic": a.semantic, "load_avg_1m_at_start": round(load, 1)}
            results.append(row)
            print(f"{mode} workers={w}: {row['audio_min']} audio min in {row['wall_s']} s wall -> "
                  f"{row['audio_min_per_wall_min']} audio min per wall min ({engine}; load {load:.1f})", flush=True)
    med = {f"{m}-{w}": statistics.median(r["audio_min_per_wall_min"] for r in results if (r["mode"], r["workers"]) == (m, w))
           for m, w in dict.fromkeys((r["mode"], r["workers"]) for r in results)}
    print(json.dumps({"cores": os.cpu_count(), "load_after": round(os.getloadavg()[0], 1), "median": med,
                      "runs": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
