"""UI benchmarks: time to first frame, and the UI's cost per pipeline update.

    python3 benchmarks/bench_ui.py            # prints a small table (and --json for machines)

- first frame: a fresh Python process starts `assist replay examples/demo-call.ogg` headless
  (Textual's test driver, 120x35) and reports when the first frame was drawn, measured from the
  process start (interpreter start-up and imports included). Models load after that, in a worker.
- update cost: the demo call's updates (finals, partials, coach events, positions) applied to a
  mounted app, one at a time, with the screen refreshed after each; the median and p95 per kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import asyncio, os, sys, time
t_start = float(os.environ["BENCH_T0"])
from assist.config import Config
from assist.session.spec import CallOptions, resolve_spec
from assist.ui.launch import make_app
cfg = Config(company="Acme", agent_name="Dana")
app = make_app("replay", resolve_spec(CallOptions(source="examples/demo-call.ogg"), cfg), config=cfg,
               ask_names=False, save=False, audio_out=False)
async def main():
    async with app.run_test(size=(120, 35)) as pilot:
        while app.t_first_frame is None:
            await pilot.pause(0.01)
        # Textual captures print() while the app runs: write to the real stdout
        os.write(1, f"{app.t_first_frame - time.monotonic() + (time.time() - t_start)}\n".encode())
        await pilot.press("q")
asyncio.run(main())
"""


def first_frame(runs: int) -> list[float]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, ASSIST_CONFIG=str(Path(tmp) / "c.toml"), ASSIST_DATA_DIR=tmp, HF_HUB_OFFLINE="1")
        for _ in range(runs):
            env["BENCH_T0"] = repr(time.time())
            r = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=120)
            lines = [x for x in r.stdout.splitlines() if x.strip()]
            if r.returncode != 0 or not lines:
                raise SystemExit(f"first-frame run failed: {r.stderr[-500:]}")
            out.append(float(lines[-1]))
    return out


async def update_cost(repeat: int) -> dict[str, list[float]]:
    from assist.config import Config
    from assist.session.messages import CallEnded, CallMessage, CallStarted, CoachEvent, Retraction
    from assist.ui.launch import make_app
    from tests.ui.fakes import ScriptedPipeline, call_spec

    cfg = Config(company="Acme", agent_name="Dana")
    msgs: list[CallMessage] = []
    ScriptedPipeline(msgs.append, call_spec(cfg), stop_after=None).run()
    msgs = [m for m in msgs if not isinstance(m, CallStarted | CallEnded)]
    costs: dict[str, list[float]] = {}
    for _ in range(repeat):
        app = make_app("live", call_spec(cfg), config=cfg, factory=lambda sink, spec: _Idle(), ask_names=False,
                       save=False)
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.pause()
            for m in msgs:
                kind = type(m).__name__
                if isinstance(m, CoachEvent | Retraction):
                    kind += f":{m.event.type}"
                t0 = time.perf_counter()
                app.call.apply(m)  # the handler's own work, on the UI thread
                t1 = time.perf_counter()
                await pilot.pause()  # until the screen has laid out and painted the change
                t2 = time.perf_counter()
                costs.setdefault(kind, []).append(t1 - t0)
                costs.setdefault("(with repaint) " + kind, []).append(t2 - t0)
            await pilot.press("q")
    return costs


class _Idle:
    """A pipeline that emits nothing until stopped (the benchmark applies updates itself)."""

    def __init__(self) -> None:
        import threading

        self._stop = threading.Event()

    def run(self) -> dict[str, object]:
        self._stop.wait()
        return {}

    def stop(self) -> None:
        self._stop.set()

    def pause(self) -> None: ...
    def resume(self) -> None: ...

    position = 0.0

    def report_so_far(self, *, source: str, duration_s: float) -> dict[str, object]:
        return {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="fresh processes for the first-frame time")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the demo call's updates")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    ff = first_frame(a.runs)
    costs = asyncio.run(update_cost(a.repeat))
    every = [c for k, v in costs.items() if not k.startswith("(") for c in v]
    res = {
        "cpu_count": os.cpu_count(),
        "first_frame_s": {"median": round(statistics.median(ff), 3), "max": round(max(ff), 3), "runs": len(ff)},
        "update_ms": {k: {"median": round(statistics.median(v) * 1000, 2),
                          "p95": round(sorted(v)[int(0.95 * (len(v) - 1))] * 1000, 2), "n": len(v)}
                      for k, v in sorted(costs.items())},
        "update_ms_all_median": round(statistics.median(every) * 1000, 2),
    }
    if a.json:
        print(json.dumps(res, indent=2))
        return
    print(f"first frame: median {res['first_frame_s']['median']} s, max {res['first_frame_s']['max']} s "
          f"over {len(ff)} fresh processes ({os.cpu_count()} cores)")
    print(f"UI cost per update (handler on the UI thread), median of all: {res['update_ms_all_median']} ms")
    for k, v in res["update_ms"].items():
        print(f"  {k:<34} median {v['median']:>7} ms   p95 {v['p95']:>7} ms   n={v['n']}")


if __name__ == "__main__":
    main()
