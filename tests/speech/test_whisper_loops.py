"""A decoder loop in a Whisper segment is collapsed to one copy (unit tests; words made by hand).

Seen in the latency benchmark's whole-file decode (the seeded temperature fallback): the customer's
one "alright" came out as 76 "alright,"s within 0.54 s — the replay's transcript, its report and the
benchmark's "words lost" (16.5 %, of which 89 were "alright") all carried it."""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from assist.speech import whisper_asr
from assist.speech.audio import RATE
from assist.speech.whisper_asr import WhisperASR, without_loops
from assist.transcript import Word


def _words(texts: list[str], start: float, per_word: float) -> list[Word]:
    return [Word(t, start + i * per_word, start + (i + 1) * per_word, 0.9) for i, t in enumerate(texts)]


def test_a_word_repeated_faster_than_speech_is_one_word() -> None:
    looped = _words(["Okay,"] + ["alright,"] * 76, 178.6, 0.007)
    assert [w.text for w in without_loops(looped)] == ["Okay,", "alright,"]


def test_a_phrase_loop_keeps_one_copy_and_what_follows() -> None:
    looped = _words(["Go", "on,", "man."] * 4 + ["Thanks."], 10.0, 0.08)
    assert [w.text for w in without_loops(looped)] == ["Go", "on,", "man.", "Thanks."]


def test_a_phrase_heard_twice_in_no_time_is_one_phrase() -> None:
    """A greedy partial "No, I can't... No, I can't" (0.7 s of speech) gave two "starts with no"
    cards, one retracted by the final."""
    looped = _words(["No,", "I", "can't...", "No,", "I", "can't"], 0.5, 0.11)
    assert [w.text for w in without_loops(looped)] == ["No,", "I", "can't..."]


def test_repeats_at_a_speaking_pace_stay() -> None:
    said = _words(["No,", "no,", "no,", "that", "is", "wrong."], 3.0, 0.3)
    assert without_loops(said) == said
    twice = _words(["Right.", "Right."], 3.0, 0.05)  # a word twice is not a loop
    assert without_loops(twice) == twice
    thanks = _words(["Thank", "you,", "thank", "you."], 3.0, 0.3)  # a phrase twice, at a speaking pace
    assert without_loops(thanks) == thanks


class _Seg:
    def __init__(self, words: list[Word]) -> None:
        self.no_speech_prob, self.avg_logprob = 0.1, -0.3
        self.words = [types.SimpleNamespace(word=" " + w.text, start=w.start, end=w.end, probability=w.prob)
                      for w in words]


class _LoopingModel:
    """What faster-whisper returned on that window: a looped segment after a normal one."""

    model = types.SimpleNamespace(is_multilingual=False)

    def transcribe(self, audio: np.ndarray, **kw: Any) -> tuple[list[_Seg], None]:
        return [_Seg(_words(["I", "see."], 0.2, 0.3)), _Seg(_words(["alright,"] * 40, 2.0, 0.01))], None


def test_the_transcriber_hands_on_the_collapsed_segment(monkeypatch: Any) -> None:
    monkeypatch.setattr(whisper_asr, "load_whisper", lambda *a, **k: _LoopingModel())
    asr = WhisperASR("fake-model")
    words = asr.transcribe(np.zeros(3 * RATE, np.float32), offset=100.0)
    assert [w.text for w in words] == ["I", "see.", "alright,"]
    assert words[-1].start == 102.0


class _RecordingModel(_LoopingModel):
    def __init__(self) -> None:
        self.kw: list[dict[str, Any]] = []

    def transcribe(self, audio: np.ndarray, **kw: Any) -> tuple[list[_Seg], None]:
        self.kw.append(kw)
        return [], None


def test_one_pass_at_temperature_0_when_the_caller_asks_no_fallback(monkeypatch: Any) -> None:
    model = _RecordingModel()
    monkeypatch.setattr(whisper_asr, "load_whisper", lambda *a, **k: model)
    asr = WhisperASR("fake-model")
    asr.transcribe(np.zeros(3 * RATE, np.float32))  # whole files: faster-whisper's fallback schedule
    asr.transcribe(np.zeros(3 * RATE, np.float32), fallback=False, short=True)
    assert "temperature" not in model.kw[0]
    assert all(kw["temperature"] == 0.0 for kw in model.kw[1:]) and len(model.kw) >= 2
