"""The coach is linear in the length of the call (issue 14, item 1): no step rescans what came
before. A 64,000-line call (the support call's lines repeated) goes through the coach; while it is
fed, the call's utterances, standing events and empathy episodes are never iterated, and the result is the single
call's flags times the repeats. The time it takes is a benchmark figure (benchmarks/bench_engine.py
--long), never an assertion here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assist.engine.coach import Coach, CoachRun
from assist.engine.lexicon import load_lexicon
from assist.transcript import Utterance, load_transcript

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LINES = 64_000


class CountingDict(dict):  # type: ignore[type-arg]
    """A dict that counts how often its contents are walked."""

    walks = 0

    def values(self) -> Any:
        CountingDict.walks += 1
        return super().values()

    def items(self) -> Any:
        CountingDict.walks += 1
        return super().items()

    def __iter__(self) -> Iterator[Any]:
        CountingDict.walks += 1
        return super().__iter__()


class CountingList(list):  # type: ignore[type-arg]
    def __iter__(self) -> Iterator[Any]:
        CountingDict.walks += 1
        return super().__iter__()


def long_call(n: int) -> tuple[list[Utterance], int]:
    one = load_transcript(ROOT / "examples" / "support-call.txt").utterances
    span = one[-1].end + 2.0
    utts = [Utterance(len(one) * r + u.index, u.speaker, u.start + r * span, u.end + r * span, u.text)
            for r in range(n // len(one) + 1) for u in one][:n]
    return utts, len(one)


def test_a_64000_line_call_is_coached_without_rescanning_the_call() -> None:
    utts, per_call = long_call(LINES)
    lex = load_lexicon("en")
    single = Coach(lex, company="Acme", agent_name="Dana")
    CoachRun(single).transcript(utts[:per_call])
    flags_per_call = sum(e.type == "flag" for e in single.events())
    cues_per_call = sum(e.type == "cue" for e in single.events())

    coach = Coach(lex, company="Acme", agent_name="Dana")
    coach.utterances = CountingDict()
    coach.book._by_id = CountingDict()
    coach.empathy.episodes = CountingList()
    CountingDict.walks = 0
    run = CoachRun(coach)
    for u in utts:
        run.utterance(u, clock=u.start)
    assert CountingDict.walks == 0, "a step of the coach walked the whole call"
    run.finish()
    report = coach.report(source="long.txt")

    reps = LINES // per_call
    flags = [e for e in report["events"] if e["type"] == "flag"]
    cues = [e for e in report["events"] if e["type"] == "cue"]
    assert len(report["utterances"]) == LINES
    # every repeat of the call is flagged as the call alone is (the partial last repeat aside)
    assert reps * flags_per_call <= len(flags) <= (reps + 1) * flags_per_call
    assert reps * cues_per_call <= len(cues) <= (reps + 1) * cues_per_call
    # each repeat opens an empathy episode and answers it at once
    episodes = report["checklist"]["empathy"]["episodes"]
    assert len(episodes) >= reps and all(ep["status"] == "done" for ep in episodes)
    assert report["checklist"]["greeting"]["status"] == "done"
