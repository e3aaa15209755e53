"""From the coach's event to the card on screen (issue 13: "the screen adds no visible delay").

    python3 benchmarks/bench_card.py [--events 60] [--gap 0.25] [--no-traffic] [--no-busy] [--json OUT]

The live screen runs headless (Textual's `App.run_test()`, 120x35) with a stand-in pipeline on the
call's worker thread, as a real call runs: every `--gap` seconds (jittered ±40 %) it hands a flag
(a `CoachEvent` whose matched words carry a unique marker) to the screen's sink — the same
`from_pipeline` -> `post_message(FromCall)` a real pipeline's thread uses. With traffic (default),
that thread also sends what a live call sends between flags: a position and a growing partial of
the agent's turn every 0.1 s.

Per event, three moments (monotonic clock):
- post: just before the worker thread hands the event to the sink;
- handler: the screen's `coach_event` runs on the UI thread (the card's `item` is set there);
- frame: the first compositor update that holds the marker reaches `App._display` — where a terminal
  would get its bytes (headless, Textual drops them there). tests/ui/frames.py wraps it.
The terminal's own drawing of those bytes is not included (there is no terminal). Printed: post ->
handler and post -> frame, p50 / p95 / max, on the machine as it is and with one core kept busy by a
spinning second process this benchmark starts and stops; the load average with each.
Run by hand; not part of CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class FlagPipeline:
    """Stands in for CallPipeline on the worker thread: flags every `gap` s, traffic every 0.1 s."""

    position = 0.0

    def __init__(self, sink: Any, watch: Any, n: int, gap: float, traffic: bool) -> None:
        self.sink, self.watch, self.n, self.gap, self.traffic = sink, watch, n, gap, traffic
        self.go = threading.Event()
        self.done = threading.Event()
        self._stop = threading.Event()
        self.posted: dict[str, float] = {}

    def run(self) -> dict[str, Any]:
        from assist.engine.events import Event
        from assist.session.messages import CallStarted, CoachEvent, PartialUtterance, Position
        from assist.transcript import Utterance, Word

        self.go.wait()
        self.sink(CallStarted("bench", "none", True, "bench.wav"))
        rng = random.Random(13)
        t_audio, words, utt = 0.0, [], 0
        next_flag = time.monotonic() + 0.5
        i = 0
        while i < self.n and not self._stop.is_set():
            now = time.monotonic()
            if now >= next_flag:
                marker = f"xq{i:03d}q"
                ev = Event(type="flag", category="not-my-job", utterance=utt, speaker="agent", start=t_audio,
                           end=t_audio + 0.5, rule="bench", match=f"that is not my job {marker}",
                           suggestion="Let me find the right person for you.", severity="warning",
                           why="Bench.", id=f"bench-{i}", final=False)
                self.watch.expect(marker)
                self.posted[marker] = time.monotonic()
                self.sink(CoachEvent(ev))
                i += 1
                next_flag = now + self.gap * rng.uniform(0.6, 1.4)
            if self.traffic:
                t_audio += 0.1
                words.append(Word(f"word{len(words)}", t_audio, t_audio + 0.08))
                if len(words) > 30:  # a new turn now and then
                    words, utt = words[-1:], utt + 1
                self.sink(PartialUtterance(Utterance(utt, "agent", words[0].start, words[-1].end,
                                                     " ".join(w.text for w in words), list(words), final=False)))
                self.sink(Position(round(t_audio, 2)))
            self._stop.wait(min(0.1, max(0.0, next_flag - time.monotonic())) if self.traffic
                            else max(0.0, next_flag - time.monotonic()))
        self.done.set()
        self._stop.wait()
        return {}

    def stop(self) -> None:
        self._stop.set()

    def pause(self) -> None: ...
    def resume(self) -> None: ...

    def report_so_far(self, *, source: str, duration_s: float) -> dict[str, Any]:
        return {}


async def measure(n: int, gap: float, traffic: bool) -> tuple[list[float], list[float], int]:
    from assist.config import Config
    from assist.ui.launch import make_app
    from tests.ui.fakes import call_spec
    from tests.ui.frames import FrameWatch

    cfg = Config(company="Acme", agent_name="Dana")
    made: list[FlagPipeline] = []
    watch_ref: list[FrameWatch] = []

    def factory(sink: Any, spec: Any) -> FlagPipeline:
        made.append(FlagPipeline(sink, watch_ref[0], n, gap, traffic))
        return made[0]

    app = make_app("live", call_spec(cfg), config=cfg, factory=factory, ask_names=False, save=False)
    watch_ref.append(FrameWatch(app))
    handled: dict[str, float] = {}
    async with app.run_test(size=(120, 35)) as pilot:
        while not made:
            await pilot.pause(0.05)
        screen = app.call
        coach_event = screen.coach_event

        def timed(ev: Any) -> None:
            handled.setdefault(ev.match.rsplit(" ", 1)[-1], time.monotonic())
            coach_event(ev)

        screen.coach_event = timed  # type: ignore[method-assign]
        await pilot.pause(1.0)  # the screen has been up a while when a call's first flag comes
        made[0].go.set()
        while not made[0].done.is_set():
            await pilot.pause(0.1)
        end = time.monotonic() + 5.0
        while len(watch_ref[0].seen) < len(made[0].posted) and time.monotonic() < end:
            await pilot.pause(0.05)
        made[0].stop()
        await pilot.press("q")
    posted, seen = made[0].posted, watch_ref[0].seen
    to_handler = [handled[m] - t for m, t in posted.items() if m in handled]
    to_frame = [seen[m] - t for m, t in posted.items() if m in seen]
    return to_handler, to_frame, len(posted) - len(to_frame)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def ms(xs: list[float]) -> dict[str, float | None]:
    if not xs:
        return {"p50": None, "p95": None, "max": None}
    return {"p50": round(statistics.median(xs) * 1000, 1), "p95": round(pct(xs, 0.95) * 1000, 1),
            "max": round(max(xs) * 1000, 1)}


def run(n: int, gap: float, traffic: bool, busy: bool) -> dict[str, Any]:
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        if proc is not None:
            time.sleep(1.0)
        load0 = os.getloadavg()[0]
        h, f, missing = asyncio.run(measure(n, gap, traffic))
        load1 = os.getloadavg()[0]
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
    return {"handler_ms": ms(h), "frame_ms": ms(f), "events": n, "not_on_screen": missing,
            "load_avg": [round(load0, 2), round(load1, 2)]}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=60)
    ap.add_argument("--gap", type=float, default=0.25, help="mean seconds between flags")
    ap.add_argument("--no-traffic", action="store_true", help="flags only (no partials and positions between)")
    ap.add_argument("--no-busy", action="store_true", help="skip the run with one core busy")
    ap.add_argument("--no-idle", action="store_true", help="skip the run on the machine as it is")
    ap.add_argument("--json", metavar="OUT")
    a = ap.parse_args(argv)
    os.environ.setdefault("ASSIST_CONFIG", "/nonexistent/assist.toml")
    import textual

    print(f"{a.events} flags, ~{a.gap} s apart, {'with' if not a.no_traffic else 'without'} partials and positions "
          f"every 0.1 s; Textual {textual.__version__} headless 120x35; {os.cpu_count()} cores")
    results: dict[str, Any] = {"events": a.events, "gap_s": a.gap, "traffic": not a.no_traffic,
                               "cpu_count": os.cpu_count(), "textual": textual.__version__}
    for name, busy in (("idle", False), ("one core busy", True)):
        if (busy and a.no_busy) or (not busy and a.no_idle):
            continue
        r = run(a.events, a.gap, not a.no_traffic, busy)
        results[name] = r
        h, f = r["handler_ms"], r["frame_ms"]
        print(f"\n{name} (load average {r['load_avg'][0]} at start, {r['load_avg'][1]} at end):")
        print(f"  post -> handler  p50 {h['p50']} ms  p95 {h['p95']} ms  max {h['max']} ms")
        print(f"  post -> frame    p50 {f['p50']} ms  p95 {f['p95']} ms  max {f['max']} ms  "
              f"({r['events'] - r['not_on_screen']}/{r['events']} on screen)")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
