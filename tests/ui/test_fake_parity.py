"""The UI tests' scripted stand-in (tests/ui/fakes.py) must behave like the real CallPipeline where
the screen can tell: the same kinds of message, in the same order, with the same fields. Otherwise a
UI test passes against a pipeline that does not exist (it once sent no levels, one partial, and no
latency). The real side is a streaming run of real espeak-ng speech through Whisper tiny.en."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from assist.config import Config
from assist.session.messages import (
    CallEnded,
    CallMessage,
    CallStarted,
    CoachEvent,
    FinalUtterance,
    Levels,
    PartialUtterance,
    Position,
    Retraction,
    RunningBehind,
    Status,
)
from tests.speech.calls import streaming_run
from tests.ui.fakes import ScriptedPipeline, call_spec

pytestmark = pytest.mark.slow

# Status / RunningBehind / Retraction are not compared: the real pipeline sends them only when
# recognition runs behind, the semantic pass fails, or a partial's text stops holding a flag (a
# partial "No, I can't... No, I can't" flags twice, the next "No, I cannot do that for..." once —
# it depends on what Whisper hears, run to run; the retraction itself is tested in
# tests/ui/test_latency_screen.py).
OPTIONAL = {Status, RunningBehind, Retraction}


def shape(messages: list[CallMessage]) -> dict[str, Any]:
    """What a consumer of the messages can rely on, without the words (which only the real one hears)."""
    kinds = [type(m) for m in messages]
    partials: dict[int, int] = {}
    grown = 0  # utterances whose partial text grew before they became final
    finals_after_partial = 0
    for m in messages:
        if isinstance(m, PartialUtterance):
            assert not m.utterance.final
            partials[m.utterance.index] = partials.get(m.utterance.index, 0) + 1
        elif isinstance(m, FinalUtterance):
            assert m.utterance.final
            finals_after_partial += m.utterance.index in partials
            grown += partials.get(m.utterance.index, 0) >= 2
    events = [m.event for m in messages if isinstance(m, CoachEvent | Retraction)]
    positions = [m.t for m in messages if isinstance(m, Position)]
    levels = [m.levels for m in messages if isinstance(m, Levels)]
    first, last = messages[0], messages[-1]
    return {
        "first": type(first), "last": type(last),
        "kinds": set(kinds) - OPTIONAL,
        "start fields": {f.name for f in fields(first)} if isinstance(first, CallStarted) else None,
        "end carries the report": isinstance(last, CallEnded) and last.report.get("schema") == "assist.report/1",
        "level speakers": {frozenset(d) for d in levels},
        "levels in 0..1": all(isinstance(v, float) and 0.0 <= v <= 1.0 for d in levels for v in d.values()),
        "positions in order": positions == sorted(positions) and bool(positions),
        "a final follows its partials": finals_after_partial > 0,
        "a partial grows": grown > 0,
        "event types": {e.type for e in events} >= {"flag", "cue", "checklist"},
        "flags on partials": any(e.type == "flag" and not e.final for e in events),
        # flags and cues of a streaming run say how late they came; checklist decisions do not
        "latency on flags and cues": {type(e.latency_s).__name__ for e in events if e.type in ("flag", "cue")},
        "latency on checklist": {type(e.latency_s).__name__ for e in events if e.type == "checklist"},
    }


def test_the_scripted_pipeline_emits_what_the_real_one_does() -> None:
    real_messages, _ = streaming_run()
    fake_messages: list[CallMessage] = []
    ScriptedPipeline(fake_messages.append, call_spec(Config(company="Acme", agent_name="Dana"))).run()
    real, fake = shape(real_messages), shape(fake_messages)
    assert real["kinds"] == {CallStarted, Levels, PartialUtterance, FinalUtterance, CoachEvent, Position,
                             CallEnded}, real
    assert fake == real, {k: (fake[k], real[k]) for k in real if fake[k] != real[k]}
