"""Live flags mid-turn (issue 13), on real audio through the real pipeline — not timed: positions in
the audio, never wall-clock seconds (benchmarks/bench_latency.py measures those).

The turn is four sentences synthesised one by one (so where the flagged one ends is known) with a
breath of 0.3 s between them: one flagged phrase sits in the middle, one ends the turn. Its words were flagged in every
position of the latency benchmark's call (start, middle, end of a turn)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assist.session.call import CallSession
from assist.session.messages import CallMessage, CoachEvent, FinalUtterance, Position, Retraction
from tests.speech.calls import RATE, demo_module, spec, workdir

pytestmark = pytest.mark.slow

SENTENCES = ["Let me pull up your account on my screen.", "We get this all the time.",
             "The driver left a card at your address.", "Sure, no problem."]
FLAGGED = 1  # index of the flagged sentence (known-issue)
# The turn ends on "no problem": a rule with a look-ahead (not_followed_by), decided at the pause.
BREATH_S = 0.3


def _trimmed(a: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(a) > 0.01)
    return a[loud[0]:loud[-1] + 1]


@functools.cache
def mid_turn_call() -> tuple[Path, float, float]:
    """A stereo call whose one agent turn holds the flagged sentence in its middle: (path, where the
    flagged sentence ends, where the turn ends), seconds."""
    t, flagged_end = int(0.5 * RATE), 0.0
    pieces = []
    for i, s in enumerate(SENTENCES):
        a = _trimmed(demo_module().say(s, "en-us+f3", 150)) * 0.8
        pieces.append((t, a))
        t += len(a)
        if i == FLAGGED:
            flagged_end = t / RATE
        t += int(BREATH_S * RATE)
    turn_end = (t - int(BREATH_S * RATE)) / RATE
    x = np.zeros((t + RATE, 2), dtype=np.float32)
    for start, a in pieces:
        x[start:start + len(a), 0] = a
    path = workdir() / "mid-turn.wav"
    sf.write(path, x, RATE)
    return path, flagged_end, turn_end


@functools.cache
def mid_turn_run() -> list[CallMessage]:
    path, _, _ = mid_turn_call()
    messages: list[CallMessage] = []
    CallSession(spec(path, semantic=False)).pipeline(messages.append).run()
    return messages


def _first_position_at(messages: list[CallMessage], t: float) -> int:
    return next(i for i, m in enumerate(messages) if isinstance(m, Position) and m.t >= t)


def test_mid_turn_phrase_is_flagged_before_the_turn_ends() -> None:
    messages = mid_turn_run()
    _, flagged_end, turn_end = mid_turn_call()
    flags = [i for i, m in enumerate(messages) if isinstance(m, CoachEvent) and m.event.type == "flag"
             and m.event.category == "known-issue" and m.event.speaker == "agent"]
    assert flags, [m.utterance.text for m in messages if isinstance(m, FinalUtterance)]
    # from the audio up to 1.5 s past the phrase, i.e. before the next sentence (2.4 s) is over. The
    # decode at the breath after the phrase usually flags it 0.3 s past its end; Whisper tiny.en
    # sometimes mishears the phrase's end in that first pass ("we get miss all the time") and the
    # next pass, a second later, has it.
    assert flags[0] < _first_position_at(messages, flagged_end + 1.5)
    last_final = max(i for i, m in enumerate(messages) if isinstance(m, FinalUtterance))
    assert flags[0] < last_final


def test_end_of_turn_phrase_is_flagged_before_the_turn_s_final() -> None:
    """"Sure, no problem." ends the turn. Its rule has a look-ahead ("no problem" is fine when more
    follows), so on a partial it waited for the turn's final: 0.5 s of pause plus the final's decode.
    The partial decoded at the pause (the speaker silent after the words) decides it now."""
    messages = mid_turn_run()
    agent_finals = [i for i, m in enumerate(messages) if isinstance(m, FinalUtterance)
                    and m.utterance.speaker == "agent"]
    flag = next((i for i, m in enumerate(messages) if isinstance(m, CoachEvent) and m.event.type == "flag"
                 and m.event.category == "no-problem"), None)
    assert flag is not None, [messages[i].utterance.text for i in agent_finals]  # type: ignore[attr-defined]
    assert flag < agent_finals[-1]
    # the flag decided at the pause stands: the turn's final holds the phrase too
    assert not any(isinstance(m, Retraction) and m.event.category == "no-problem" for m in messages)


def test_sentences_committed_at_pauses_stay_one_utterance_with_every_sentence() -> None:
    """The default stream commits each finished sentence at the breath after it (commit_pauses):
    the turn is still one final utterance, holding all four sentences (nothing lost at the cuts)."""
    messages = mid_turn_run()
    finals = [m.utterance for m in messages if isinstance(m, FinalUtterance) and m.utterance.speaker == "agent"]
    assert len(finals) == 1, [u.text for u in finals]
    text = finals[0].text.lower()
    assert all(w in text for w in ("account", "time", "driver", "problem")), text


def test_sentence_cut_closes_a_mid_turn_sentence_before_the_turn_ends() -> None:
    """WhisperStream(cut_sentences=True) (an option; off by default, as a turn is one utterance in the
    report): the flagged sentence is closed as its own final while the turn goes on, nothing lost."""
    from assist.speech.models import resolve_model
    from assist.speech.whisper_asr import WhisperASR, WhisperStream

    path, _, turn_end = mid_turn_call()
    x = sf.read(path, dtype="float32")[0][:, 0]
    st = WhisperStream(WhisperASR(resolve_model("whisper", None, "en").path), cut_sentences=True)
    early, finals = [], []
    for i in range(0, len(x), 1600):
        got = [s for s in st.accept(x[i:i + 1600]) if s.final]
        finals += got
        if (i + 1600) / RATE < turn_end:
            early += [" ".join(w.text for w in s.words).lower() for s in got]
    finals += st.finish()
    assert any("time" in t and "all" in t for t in early), early
    heard = " ".join(w.text for s in finals for w in s.words).lower()
    assert "driver" in heard and "account" in heard, heard  # nothing lost at the cuts


def test_streaming_word_times_are_not_early() -> None:
    """Whisper puts a window's first word at the window's start, i.e. in the 0.3 s of lead-in kept
    before the speech: the turn's first word must start where the audio does (bug: 0.3-0.4 s early)."""
    messages = mid_turn_run()
    _, flagged_end, _ = mid_turn_call()
    finals = [m.utterance for m in messages if isinstance(m, FinalUtterance)]
    assert abs(finals[0].words[0].start - 0.5) < 0.15, finals[0].words[0]  # the speech starts at 0.5 s
    flag = next(m.event for m in messages if isinstance(m, CoachEvent) and m.event.category == "known-issue")
    assert abs(flag.end - flagged_end) < 0.4, (flag.end, flagged_end)


def _noisy(x: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    return (x + np.random.default_rng(seed).normal(0, sigma, len(x))).astype(np.float32)


def test_silero_gate_tells_speech_from_noise_where_energy_cannot() -> None:
    """White noise at rms 0.03 (louder than the energy gate's 0.01): the energy gate hears speech
    everywhere, Silero hears the sentences and the silence around and between them."""
    from assist.speech.segment import EnergyGate, SileroGate
    from tests.speech.calls import mono

    speech = np.concatenate([mono("We get this all the time."), np.zeros(RATE, dtype=np.float32),
                             mono("Let me pull up your account.")])
    clean = [float(np.sqrt(np.mean(speech[i:i + 1600] ** 2))) >= 0.01 for i in range(0, len(speech), 1600)]
    y = _noisy(speech, 0.03)
    frames = [y[i:i + 1600] for i in range(0, len(y), 1600)]
    energy, silero = EnergyGate(), SileroGate()
    e = [energy.is_speech(f) for f in frames]
    s = [silero.is_speech(f) for f in frames]
    assert sum(e) == len(frames)  # the energy gate never hears a pause
    agree = sum(a == b for a, b in zip(s, clean, strict=True)) / len(clean)
    assert agree >= 0.85, (agree, "".join("#" if b else "." for b in s))
    assert not any(s[:3]) and not any(s[-3:])  # the silence at both ends is silence


def test_silero_vad_closes_turns_in_noise() -> None:
    """Streaming Whisper with the Silero gate on a noisy channel: two turns a second apart come out
    as two finals, each as soon as its pause is heard (the energy gate would run them into one)."""
    from assist.speech.models import resolve_model
    from assist.speech.whisper_asr import WhisperASR, WhisperStream
    from tests.speech.calls import mono

    a, b = mono("We get this all the time."), mono("Let me pull up your account.")
    y = _noisy(np.concatenate([a, np.zeros(RATE, dtype=np.float32), b]), 0.03)
    st = WhisperStream(WhisperASR(resolve_model("whisper", None, "en").path), vad="silero")
    finals_before_end = []
    for i in range(0, len(y), 1600):
        finals_before_end += [s for s in st.accept(y[i:i + 1600]) if s.final]
    assert len(finals_before_end) >= 2, [" ".join(w.text for w in s.words) for s in finals_before_end]
