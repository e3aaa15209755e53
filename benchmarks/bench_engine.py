#!/usr/bin/env python3
"""Engine throughput: how fast the coach turns text into events, on one core.

    python3 benchmarks/bench_engine.py            # both languages, ~20 s
    python3 benchmarks/bench_engine.py --quick    # fewer repeats
    python3 benchmarks/bench_engine.py --long     # a 4,000 and a 64,000-line call through the coach

Measures, per language, over the devset's lines (tests/data/devset.jsonl):
  * final   — one final utterance fed to a running call's Coach (rules + callback + checklist);
  * partial — one incremental update: the same utterance re-fed one word longer, as a live
              recogniser does (the cost a live call pays on every partial result);
  * matcher — the lexical matcher alone (normalise + rules), no checklist bookkeeping;
  * coach   — building a Coach (once per call; the lexicon's compiled rule tables are cached per
              loaded lexicon, so this is bookkeeping only).
  * long    — (--long) the support call's lines repeated to 4,000 and 64,000 utterances, through
              the coach and its report (`CoachRun`): CPU seconds for each and per 1,000 lines; a
              linear coach shows the same figure per 1,000 lines at both sizes.
Reports the median over repeats of CPU ms per item and items per second (process CPU time, so
other load on a shared machine inflates it less). Not a timed test: numbers depend on the
machine, which is printed with them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assist.engine.coach import Coach  # noqa: E402
from assist.engine.evaluate import DEVSET, load_rows  # noqa: E402
from assist.engine.lexicon import load_lexicon  # noqa: E402
from assist.engine.rules import Matcher  # noqa: E402
from assist.transcript import Utterance  # noqa: E402


def hardware() -> str:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model or 'unknown CPU'}; {cores} core(s) visible; Python {platform.python_version()}; single thread"


def median_time(fn: Callable[[], int], repeats: int) -> tuple[float, int]:
    """Median seconds per run of `fn` (which returns how many items it processed)."""
    times: list[float] = []
    n = 0
    for _ in range(repeats):
        # CPU time of this process, not wall time: the machine is shared, and waiting for a core
        # is not the engine's cost.
        t0 = time.process_time()
        n = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), n


def bench(lang: str, repeats: int) -> list[tuple[str, float, int]]:
    lex = load_lexicon(lang)
    texts = [(r.speaker, r.text) for r in load_rows(DEVSET) if r.lang == lang]

    def finals() -> int:
        c = Coach(lex, company="Acme", agent_name="Dana")
        t = 0.0
        for i, (spk, text) in enumerate(texts):
            c.feed(Utterance(i, spk, t, t + 2.0, text))
            t += 2.5
        return len(texts)

    def partials() -> int:
        c = Coach(lex, company="Acme", agent_name="Dana")
        n = 0
        t = 0.0
        for i, (spk, text) in enumerate(texts):
            words = text.split()
            for k in range(1, len(words) + 1):
                c.feed(Utterance(i, spk, t, t + 2.0, " ".join(words[:k]), final=False))
                n += 1
            c.feed(Utterance(i, spk, t, t + 2.0, text))
            t += 2.5
        return n  # the finals are included in the time but counted as overhead, not as updates

    m = Matcher(lex)

    def matcher() -> int:
        for spk, text in texts:
            m.find(m.normalize(text), spk)
        return len(texts)

    def coaches() -> int:
        for _ in range(50):
            Coach(lex)
        return 50

    out = []
    for name, fn in (("final", finals), ("partial", partials), ("matcher", matcher), ("coach init", coaches)):
        fn()  # warm up (regex caches, prefilters)
        sec, n = median_time(fn, repeats)
        out.append((name, sec, n))
    return out


def long_call(sizes: tuple[int, ...] = (4_000, 64_000)) -> None:
    from assist.engine.coach import CoachRun
    from assist.transcript import load_transcript

    one = load_transcript(Path(__file__).resolve().parent.parent / "examples" / "support-call.txt").utterances
    span = one[-1].end + 2.0
    lex = load_lexicon("en")
    print(f"{'lines':>7} {'CPU s':>8} {'s per 1,000 lines':>18}")
    for n in sizes:
        utts = [Utterance(len(one) * r + u.index, u.speaker, u.start + r * span, u.end + r * span, u.text)
                for r in range(n // len(one) + 1) for u in one][:n]
        t0 = time.process_time()
        c = Coach(lex, company="Acme", agent_name="Dana")
        CoachRun(c).transcript(utts)
        c.report(source="long.txt")
        sec = time.process_time() - t0
        print(f"{n:7d} {sec:8.2f} {sec / n * 1000:18.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    ap.add_argument("--lang", action="append", help="language(s) (default: en and he)")
    ap.add_argument("--long", action="store_true", help="only the long-call figure (4,000 vs 64,000 lines)")
    a = ap.parse_args(argv)
    repeats = 3 if a.quick else 7
    print(f"hardware: {hardware()}")
    if a.long:
        long_call()
        return 0
    print(f"{'lang':5} {'what':11} {'items':>6} {'ms/item (median)':>17} {'items/s':>10}")
    for lang in a.lang or ["en", "he"]:
        for name, sec, n in bench(lang, repeats):
            per = sec / n
            print(f"{lang:5} {name:11} {n:6d} {per * 1000:17.4f} {1 / per:10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
