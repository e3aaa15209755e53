"""The UI tests' scripted stand-in (tests/ui/fakes.py) must behave like the real CallPipeline where
the screen can tell: the same kinds of update, in the same order, with the same fields. Otherwise a
UI test passes against a pipeline that does not exist (it once sent no levels, one partial, and no
latency). The real side is a streaming run of real espeak-ng speech through Whisper tiny.en."""

from __future__ import annotations

from typing import Any

import pytest

from assist.config import Config
from assist.pipeline import Update
from tests.speech.calls import streaming_run
from tests.ui.fakes import ScriptedPipeline

pytestmark = pytest.mark.slow

# "status" is not compared: the real pipeline sends one only when recognition runs behind.
OPTIONAL = {"status"}


def shape(updates: list[Update]) -> dict[str, Any]:
    """What a consumer of the updates can rely on, without the words (which only the real one hears)."""
    kinds = [u.kind for u in updates]
    partials: dict[int, int] = {}
    grown = 0  # utterances whose partial text grew before they became final
    finals_after_partial = 0
    for u in updates:
        if u.kind == "partial" and u.utterance is not None:
            assert not u.utterance.final
            partials[u.utterance.index] = partials.get(u.utterance.index, 0) + 1
        elif u.kind == "final" and u.utterance is not None:
            assert u.utterance.final
            finals_after_partial += u.utterance.index in partials
            grown += partials.get(u.utterance.index, 0) >= 2
    events = [u.event for u in updates if u.kind == "event" and u.event is not None]
    positions = [u.data["t"] for u in updates if u.kind == "position"]
    levels = [u.data for u in updates if u.kind == "level"]
    return {
        "first": kinds[0], "last": kinds[-1],
        "kinds": set(kinds) - OPTIONAL,
        "start fields": set(updates[0].data),
        "end fields": set(updates[-1].data),
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
    real_updates, _ = streaming_run()
    fake_updates: list[Update] = []
    ScriptedPipeline(fake_updates.append, Config(company="Acme", agent_name="Dana")).run()
    real, fake = shape(real_updates), shape(fake_updates)
    assert real["kinds"] == {"start", "level", "partial", "final", "event", "position", "end"}, real
    assert fake == real, {k: (fake[k], real[k]) for k in real if fake[k] != real[k]}
