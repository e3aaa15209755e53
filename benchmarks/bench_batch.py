"""Batch throughput: audio minutes scored per wall-clock minute, by number of workers.

    python3 benchmarks/bench_batch.py [--calls 6] [--workers 1 2] [--semantic] [--engine whisper|vosk]

Synthesises N stereo calls from examples/demo-call.txt with espeak-ng (the same recipe as the
tests; each call starts after a different lead-in, so no two files have the same content hash),
then runs `assist batch` over them once per worker count, each time into a fresh history so
nothing is skipped. Wall time includes process start and model loading: it is what a team lead
waits for. Prints one line per run and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=6)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--semantic", action="store_true", help="also run the semantic detector (default: lexical)")
    ap.add_argument("--engine", choices=("whisper", "vosk"), help="speech engine (default: batch's choice)")
    a = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="assist-bench-") as tmp:
        d = Path(tmp)
        (d / "calls").mkdir()
        audio_s = synth(a.calls, d / "calls")
        print(f"{a.calls} calls, {audio_s / 60:.1f} audio min, {os.cpu_count()} cores", flush=True)
        for w in a.workers:
            out = d / f"out-{w}"
            cmd = [sys.executable, "-m", "assist", "batch", str(d / "calls"), "--out", str(out),
                   "--db", f"sqlite:///{d / f'h-{w}.sqlite3'}", "--workers", str(w)]
            if not a.semantic:
                cmd.append("--no-semantic")
            if a.engine:
                cmd += ["--engine", a.engine]
            env = {**os.environ, "ASSIST_CONFIG": str(d / "none.toml"), "ASSIST_DATA_DIR": str(d / "data"),
                   "HF_HUB_OFFLINE": "1"}
            t0 = time.monotonic()
            r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
            wall = time.monotonic() - t0
            if r.returncode != 0:
                print(r.stderr[-2000:], file=sys.stderr)
                return 1
            s = json.loads((out / "summary.json").read_text())
            engine = json.loads((out / "call-00.json").read_text())["call"].get("engine")
            row = {"workers": w, "calls": s["scored"], "audio_min": round(s["audio_s"] / 60, 2),
                   "wall_s": round(wall, 1), "audio_min_per_wall_min": round(s["audio_s"] / wall, 2),
                   "engine": engine, "semantic": a.semantic}
            results.append(row)
            print(f"workers={w}: {row['audio_min']} audio min in {row['wall_s']} s wall -> "
                  f"{row['audio_min_per_wall_min']} audio min per wall min ({engine})", flush=True)
    print(json.dumps({"cores": os.cpu_count(), "load_before": os.getloadavg()[0], "runs": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
