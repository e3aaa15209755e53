"""Live flag latency: how long after a flagged phrase ends in the audio its flag reaches the screen.

    python3 benchmarks/bench_latency.py [--phrases 24] [--no-busy] [--no-idle] [--opts JSON] [--json OUT]
        [--whole CACHE.json] [--dump DIR] [--verbose [--trace]]

A synthesised two-voice stereo call (espeak-ng, agent left, customer right, the demo call's recipe)
with `--phrases` flagged agent phrases (default 24, at least 24 for a reported figure), a third
each at the start, in the middle and at the end of agent turns of 3-12 s (neutral sentences around
them, 0.25 s apart, so a turn is one utterance); a short neutral customer reply after each turn.
Every sentence is synthesised alone, so where each phrase ends in the audio is known exactly.

The call is played in real time through the live path (`CallSession.pipeline` over the paced file
source, as `assist replay CALL --realtime`), twice: on the machine as it is ("idle") and with one
core kept busy by a second process this benchmark starts and stops (a spinning Python loop).

Latency of a phrase = wall time its flag (the first flag of its category in its turn, partial or
final) reached the sink, minus the wall time at which the phrase's last sample was fed. It does
not use the recogniser's word times. Printed per position: p50 / p95 / max and missed phrases;
and for the run: words lost against the whole-file transcript (`score_recording`), the share of
flags on which the realtime and whole-file reports agree (same category in the same turn, over
the union), retractions, and the largest lag announced.

`--opts '{"step_s": 0.5}'` passes keyword overrides to `WhisperStream` (to measure one choice).
The machine's load average is printed with the figures: on a shared machine they are under load.
Benchmarks are run by hand; this is not part of CI.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RATE = 16000
SENTENCE_GAP_S = 0.25  # between sentences of one turn: a breath, not an end of turn
TURN_GAP_S = 1.1  # between turns (as the demo call)

# (category, phrase): lines Whisper tiny.en hears well; each is used at several positions.
PHRASES = [
    ("starts-with-no", "No, I cannot do that for you."),
    ("not-my-job", "That is not my job."),
    ("known-issue", "We get this all the time."),
    ("why-did-you", "Why did you unplug the router?"),
    ("dismissive", "There is no need to shout."),
    ("no-problem", "Sure, no problem."),
    ("half-promise", "Hopefully it will arrive tomorrow."),
    ("not-my-job", "You will have to call the technical team."),
    ("dismissive", "That is just our policy."),
    ("known-issue", "You are not the only one."),
    ("condescending-check", "Does that make sense?"),
    ("starts-with-no", "No, the parcel left our warehouse on Monday."),
]
FILLERS = [
    "Let me pull up your account on my screen.",
    "I can see the order was placed last week.",
    "The parcel was sent from our main depot.",
    "Your account number is on the letter we sent.",
    "I am looking at the delivery notes right now.",
    "The driver left a card at your address.",
    "Your next bill will show the new price.",
    "The router has two green lights on the front.",
]
REPLIES = ["Okay.", "Right, I see.", "Go on then.", "Alright.", "Thanks for that.", "I understand."]
POSITIONS = ("start", "middle", "end")


@dataclass
class Planted:
    category: str
    text: str
    position: str
    turn: int  # index into the call's turns
    start: float  # the phrase's first and last sample, seconds
    end: float


@dataclass
class Call:
    path: Path
    turns: list[tuple[str, float, float]]  # (speaker, start, end)
    planted: list[Planted]
    duration: float


@dataclass
class RunResult:
    latency: dict[int, float] = field(default_factory=dict)  # planted index -> seconds
    report: dict[str, Any] = field(default_factory=dict)
    retractions: int = 0
    max_lag: float = 0.0
    lags: list[tuple[float, float]] = field(default_factory=list)  # (audio position, lag) of each "running behind"
    load: tuple[float, float] = (0.0, 0.0)
    cpu_s: float = 0.0  # this process's CPU time during the call (the busy process is not counted)
    wall_s: float = 0.0
    trace: list[tuple[float, str, int, str]] = field(default_factory=list)  # (wall, kind, agent turn, text)
    ends: list[float] = field(default_factory=list)  # wall time each planted phrase's end was played
    streams: dict[str, Any] = field(default_factory=dict)  # speaker -> its streaming recogniser


# --------------------------------------------------------------------------- the call


def _trimmed(audio: np.ndarray) -> np.ndarray:
    """espeak-ng's own leading/trailing silence off, so a phrase's end is its last sound."""
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[loud[0]:loud[-1] + 1] if len(loud) else audio


def _turn_plan(n: int) -> list[tuple[str, list[str], int]]:
    """n agent turns: (position, sentences, index of the flagged one)."""
    plan = []
    for i in range(n):
        pos = POSITIONS[i % 3]
        phrase = PHRASES[i % len(PHRASES)][1]
        f1, f2, f3 = (FILLERS[(i + k) % len(FILLERS)] for k in range(3))
        extra = [f3] if i % 2 else []  # turns of different lengths (3-12 s)
        if pos == "start":
            plan.append((pos, [phrase, f1, *extra], 0))
        elif pos == "middle":
            plan.append((pos, [f1, phrase, f2, *extra], 1))
        else:
            plan.append((pos, [f1, *extra, phrase], 1 + len(extra)))
    return plan


def make_call(n: int, out: Path) -> Call:
    import importlib.util

    import soundfile as sf

    spec = importlib.util.spec_from_file_location("make_demo_call", ROOT / "scripts" / "make_demo_call.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    voices, speed = demo.VOICES, demo.SPEED
    pieces: list[tuple[int, int, np.ndarray]] = []
    turns: list[tuple[str, float, float]] = []
    planted: list[Planted] = []
    t = int(0.5 * RATE)
    for i, (pos, sentences, flagged) in enumerate(_turn_plan(n)):
        t_turn = t
        for k, s in enumerate(sentences):
            a = _trimmed(demo.say(s, voices["agent"], speed["agent"]))
            pieces.append((0, t, a))
            if k == flagged:
                cat = next(c for c, p in PHRASES if p == s)
                planted.append(Planted(cat, s, pos, len(turns), t / RATE, (t + len(a)) / RATE))
            t += len(a) + int(SENTENCE_GAP_S * RATE)
        t -= int(SENTENCE_GAP_S * RATE)
        turns.append(("agent", t_turn / RATE, t / RATE))
        t += int(TURN_GAP_S * RATE)
        r = _trimmed(demo.say(REPLIES[i % len(REPLIES)], voices["customer"], speed["customer"]))
        pieces.append((1, t, r))
        turns.append(("customer", t / RATE, (t + len(r)) / RATE))
        t += len(r) + int(TURN_GAP_S * RATE)
    audio = np.zeros((t + RATE, 2), dtype=np.float32)
    for ch, start, a in pieces:
        audio[start:start + len(a), ch] = a * 0.8
    sf.write(out, audio, RATE)
    return Call(out, turns, planted, len(audio) / RATE)


# --------------------------------------------------------------------------- running it


def _spec(path: Path, realtime: bool) -> Any:
    from assist.config import Config
    from assist.session.spec import CallOptions, resolve_spec

    return resolve_spec(CallOptions(source=str(path), lexicon="en", company="Acme", agent_name="Dana",
                                    semantic=False, realtime=realtime, engine="whisper"), Config())


def _turn_of(call: Call, ev: dict[str, Any] | Any, speaker: str = "agent") -> int:
    """The turn of `speaker` an event's span overlaps most (nearest when none: word times are rough)."""
    s, e = (ev["start"], ev["end"]) if isinstance(ev, dict) else (ev.start, ev.end)
    cands = [i for i, t in enumerate(call.turns) if t[0] == speaker]
    return max(cands, key=lambda i: min(e, call.turns[i][2]) - max(s, call.turns[i][1]))


class Busy:
    """One core kept busy by a second process (a spinning loop) while the block runs."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Busy:
        if self.on:
            self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            time.sleep(1.0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


def run_live(call: Call, opts: dict[str, Any], busy: bool) -> RunResult:
    from assist.session.call import CallSession
    from assist.session.messages import (
        CallMessage,
        CoachEvent,
        FinalUtterance,
        PartialUtterance,
        Retraction,
        RunningBehind,
    )

    res = RunResult()
    pipe_ref: list[Any] = []
    firsts: dict[int, float] = {}
    by_cat = collections.defaultdict(list)
    for i, p in enumerate(call.planted):
        by_cat[(p.category, p.turn)].append(i)

    def sink(m: CallMessage) -> None:
        now = time.monotonic()
        if isinstance(m, (PartialUtterance, FinalUtterance)) and m.utterance.speaker == "agent":
            u = m.utterance
            res.trace.append((now, "final" if u.final else "partial", _turn_of(call, u), u.text))
        if isinstance(m, (CoachEvent, Retraction)) and m.event.type in ("flag", "retract") \
                and m.event.speaker == "agent":
            res.trace.append((now, m.event.type, _turn_of(call, m.event), m.event.category))
        if isinstance(m, CoachEvent) and m.event.type == "flag" and m.event.speaker == "agent":
            key = (m.event.category, _turn_of(call, m.event))
            for i in by_cat.get(key, []):
                firsts.setdefault(i, now)
        elif isinstance(m, Retraction):
            res.retractions += 1
        elif isinstance(m, RunningBehind):
            res.max_lag = max(res.max_lag, m.lag_s)
            if m.lag_s and pipe_ref:
                res.lags.append((pipe_ref[0].position, m.lag_s))

    pipe = CallSession(_spec(call.path, True)).pipeline(sink)
    if opts:
        from assist.speech import whisper_asr

        base = pipe.recognizer_factory
        asr = base("agent").asr  # type: ignore[attr-defined]
        pipe.recognizer_factory = lambda sp: whisper_asr.WhisperStream(asr, **opts)
    pipe_ref.append(pipe)
    made = pipe.recognizer_factory

    def recognizer(sp: str) -> Any:
        rec = made(sp)
        res.streams[sp] = rec
        return rec

    pipe.recognizer_factory = recognizer
    with Busy(busy):
        load0 = os.getloadavg()[0]
        cpu0, wall0 = _cpu(), time.monotonic()
        res.report = pipe.run()
        res.cpu_s, res.wall_s = _cpu() - cpu0, time.monotonic() - wall0
        res.load = (load0, os.getloadavg()[0])
    fed_t, fed_wall = pipe._fed_t, pipe._fed_wall
    for i, wall in firsts.items():
        end = call.planted[i].end
        j = min(bisect.bisect_left(fed_t, end), len(fed_t) - 1)
        res.latency[i] = wall - (fed_wall[j] - (fed_t[j] - end))  # the moment the phrase's end was played
    for p in call.planted:
        j = min(bisect.bisect_left(fed_t, p.end), len(fed_t) - 1)
        res.ends.append(fed_wall[j] - (fed_t[j] - p.end))
    return res


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# --------------------------------------------------------------------------- scoring


_WORD = re.compile(r"[a-z0-9']+")


def _bag(report: dict[str, Any]) -> collections.Counter[str]:
    return collections.Counter(w for u in report["utterances"] for w in _WORD.findall(u["text"].lower()))


def words_lost(whole: dict[str, Any], live: dict[str, Any]) -> float:
    a, b = _bag(whole), _bag(live)
    total = sum(a.values())
    return sum((a - b).values()) / total if total else 0.0


def flag_agreement(call: Call, whole: dict[str, Any], live: dict[str, Any]) -> tuple[float, int, int]:
    def flags(rep: dict[str, Any]) -> set[tuple[str, str, int]]:
        return {(e["category"], e["speaker"], _turn_of(call, e, e["speaker"])) for e in rep["events"]
                if e["type"] in ("flag", "cue")}

    a, b = flags(whole), flags(live)
    union = a | b
    return (len(a & b) / len(union) if union else 1.0), len(a), len(b)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def summarise(call: Call, r: RunResult) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pos in (*POSITIONS, "all"):
        idx = [i for i, p in enumerate(call.planted) if pos in ("all", p.position)]
        lat = [r.latency[i] for i in idx if i in r.latency]
        out[pos] = {"n": len(idx), "flagged": len(lat),
                    "p50": round(statistics.median(lat), 2) if lat else None,
                    "p95": round(pct(lat, 0.95), 2) if lat else None,
                    "max": round(max(lat), 2) if lat else None}
    return out


def _whole_report(call: Call, cache: str | None, score: Any) -> dict[str, Any]:
    """The whole-file report of the call (the reference for words lost and flag agreement), cached
    in `cache` keyed by the audio's sha256: the whole-file path is not what these runs change."""
    import hashlib

    digest = hashlib.sha256(call.path.read_bytes()).hexdigest()
    if cache and Path(cache).exists():
        saved = json.loads(Path(cache).read_text(encoding="utf-8"))
        if saved.get("audio_sha256") == digest:
            return saved["report"]  # type: ignore[no-any-return]
    report: dict[str, Any] = score(_spec(call.path, False), call.path)
    if cache:
        Path(cache).write_text(json.dumps({"audio_sha256": digest, "report": report}), encoding="utf-8")
    return report


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--phrases", type=int, default=24, help="flagged phrases (a third per position)")
    ap.add_argument("--no-busy", action="store_true", help="skip the run with one core busy")
    ap.add_argument("--no-idle", action="store_true", help="skip the run on the machine as it is")
    ap.add_argument("--opts", default="", help="WhisperStream keyword overrides as JSON")
    ap.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    ap.add_argument("--whole", metavar="JSON", help="the whole-file report: read from this file if it is there "
                    "and was made from the same call audio, else computed and written to it (saves ~1-4 min a run "
                    "when only the live path changes)")
    ap.add_argument("--dump", metavar="DIR", help="also write the whole-file and each live report there "
                    "(to read what the words lost are)")
    ap.add_argument("--verbose", action="store_true", help="each phrase's latency")
    ap.add_argument("--trace", action="store_true", help="with --verbose: what the agent channel delivered "
                    "in each phrase's turn (partials, finals, flags), seconds from the phrase's end")
    a = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ASSIST_CONFIG", "/nonexistent/assist.toml")
    opts = json.loads(a.opts) if a.opts else {}
    from assist.session.scoring import score_recording

    with tempfile.TemporaryDirectory() as d:
        call = make_call(a.phrases, Path(d) / "latency-call.wav")
        print(f"call: {call.duration:.0f} s, {len(call.planted)} flagged phrases "
              f"({', '.join(f'{p}: {sum(q.position == p for q in call.planted)}' for p in POSITIONS)}), "
              f"agent turns {min(e - s for w, s, e in call.turns if w == 'agent'):.1f}-"
              f"{max(e - s for w, s, e in call.turns if w == 'agent'):.1f} s; opts {opts or 'default'}")
        whole = _whole_report(call, a.whole, score_recording)
        results: dict[str, Any] = {"opts": opts, "phrases": len(call.planted), "cpu_count": os.cpu_count()}
        for name, busy in (("idle", False), ("one core busy", True)):
            if (busy and a.no_busy) or (not busy and a.no_idle):
                continue
            r = run_live(call, opts, busy)
            s = summarise(call, r)
            agree, n_whole, n_live = flag_agreement(call, whole, r.report)
            lost = words_lost(whole, r.report)
            for sp, rec in r.streams.items():
                stats = getattr(rec, "stats", {})
                print(f"  {sp} decodes: " + "; ".join(
                    f"{k} {n} x, {aud / max(n, 1):.1f} s audio, {wall / max(n, 1):.2f} s wall each ({wall:.0f} s)"
                    for k, (n, aud, wall) in sorted(stats.items())))
            if a.dump:
                Path(a.dump).mkdir(parents=True, exist_ok=True)
                for tag, rep in (("whole", whole), (name.replace(" ", "-"), r.report)):
                    Path(a.dump, f"{tag}.json").write_text(json.dumps(rep, indent=1), encoding="utf-8")
            print(f"\n{name} (load average {r.load[0]:.2f} at start, {r.load[1]:.2f} at end):")
            for pos, v in s.items():
                print(f"  {pos:7s} p50 {v['p50']} s  p95 {v['p95']} s  max {v['max']} s  "
                      f"flagged {v['flagged']}/{v['n']}")
            print(f"  CPU {r.cpu_s / call.duration:.2f} s per audio second (all threads of this process; "
                  f"under 2 keeps up on 2 free cores, under 1 on one)")
            print(f"  words lost vs whole file {lost:.1%}; flags agreeing with the whole-file report {agree:.0%} "
                  f"(whole {n_whole}, live {n_live}); retractions {r.retractions}; largest lag said {r.max_lag} s")
            if a.verbose:
                if r.lags:
                    print("  running behind said at (audio s: lag s): "
                          + ", ".join(f"{t:.1f}: {lag}" for t, lag in r.lags))
                for i, p in enumerate(call.planted):
                    lat = r.latency.get(i)
                    print(f"    {p.position:6s} {'-' if lat is None else f'{lat:.2f}':>5s}  {p.text}")
                    if a.trace:
                        for wall, kind, turn, text in r.trace:
                            if turn == p.turn:
                                print(f"        {wall - r.ends[i]:+6.2f} {kind:7s} {text}")
            results[name] = {"positions": s, "words_lost": round(lost, 4), "agreement": round(agree, 3),
                             "retractions": r.retractions, "max_lag_s": r.max_lag, "lags": r.lags,
                             "load_avg": [round(x, 2) for x in r.load],
                             "cpu_per_audio_s": round(r.cpu_s / call.duration, 3)}
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
