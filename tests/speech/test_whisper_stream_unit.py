"""WhisperStream's decode schedule, with a fake recogniser (unit tests of one layer: which decodes
run when; real audio through real models is in test_latency.py and test_whisper.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from assist.speech.audio import RATE
from assist.speech.whisper_asr import WhisperStream
from assist.transcript import Word


class _FakeASR:
    """One word per second of audio; records each decode: (seconds of audio, beam, short window,
    the short window's least length)."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, int | None, bool, float]] = []
        self.fallbacks: list[bool] = []

    def transcribe(self, audio: np.ndarray, init_prompt: str = "", offset: float = 0.0, vad: Any = None,
                   beam_size: int | None = None, short: bool = False, min_window_s: float = 5.0,
                   fallback: bool = True) -> list[Word]:
        self.calls.append((len(audio) / RATE, beam_size, short, min_window_s))
        self.fallbacks.append(fallback)
        n = max(1, int(len(audio) / RATE))
        return [Word(f"w{i}", offset + i, offset + i + 0.5) for i in range(n)]


def _feed(st: WhisperStream, seconds: float, loud: bool) -> list[Any]:
    x = (np.full(int(seconds * RATE), 0.1, dtype=np.float32) if loud else np.zeros(int(seconds * RATE), np.float32))
    out = []
    for i in range(0, len(x), RATE // 10):
        out += st.accept(x[i:i + RATE // 10])
    return out


def _finals(asr: _FakeASR) -> list[tuple[float, int | None, bool, float]]:
    return [c for c in asr.calls if c[1] != 1]  # partials are greedy (beam 1), a final is not


def test_the_final_is_decoded_during_the_pause_and_used_when_the_turn_ends() -> None:
    asr = _FakeASR()
    st = WhisperStream(asr)  # type: ignore[arg-type]
    _feed(st, 2.0, loud=True)
    _feed(st, 0.3, loud=False)
    assert len(_finals(asr)) == 1, asr.calls  # decoded at 0.3 s of silence, before the turn ends
    out = _feed(st, 0.3, loud=False)
    finals = [s for s in out if s.final]
    assert len(finals) == 1 and finals[0].words  # the turn ended at 0.5 s of silence …
    assert len(_finals(asr)) == 1  # … with the words decoded ahead, no second decode


def test_speech_after_the_early_final_is_decoded_again() -> None:
    asr = _FakeASR()
    st = WhisperStream(asr)  # type: ignore[arg-type]
    _feed(st, 2.0, loud=True)
    _feed(st, 0.3, loud=False)  # the early final: 2.2 s of audio
    _feed(st, 1.5, loud=True)  # the speaker goes on
    out = _feed(st, 0.6, loud=False)
    assert len(_finals(asr)) == 2 and _finals(asr)[1][0] > 3.5, asr.calls  # the whole turn, again
    assert [len(s.words) for s in out if s.final] == [int(_finals(asr)[1][0])]


def test_a_partial_decoded_at_a_pause_says_so() -> None:
    asr = _FakeASR()
    st = WhisperStream(asr)  # type: ignore[arg-type]
    mid = [s for s in _feed(st, 2.5, loud=True) if not s.final]
    assert mid and not any(s.paused for s in mid)  # the 1 s tick, mid-speech
    at_pause = [s for s in _feed(st, 0.2, loud=False) if not s.final]
    assert at_pause and at_pause[-1].paused


def test_the_final_is_decoded_on_a_10_s_window_or_on_the_usual_30_s_one() -> None:
    for opts, window in (({}, (True, 10.0)), ({"final_window_s": 0}, (False, 5.0))):
        asr = _FakeASR()
        st = WhisperStream(asr, **opts)  # type: ignore[arg-type]
        _feed(st, 2.0, loud=True)
        _feed(st, 0.6, loud=False)
        assert [c[2:] for c in _finals(asr)] == [window], opts
        assert all(c[2:] == (True, 5.0) for c in asr.calls if c[1] == 1)  # partials: the short window


class _SentenceASR(_FakeASR):
    """As _FakeASR, and every decode's last word ends a sentence ("w1.")."""

    def transcribe(self, audio: np.ndarray, init_prompt: str = "", offset: float = 0.0, vad: Any = None,
                   beam_size: int | None = None, short: bool = False, min_window_s: float = 5.0,
                   fallback: bool = True) -> list[Word]:
        words = super().transcribe(audio, init_prompt, offset, vad, beam_size, short, min_window_s)
        self.prompts.append(init_prompt)
        last = words[-1]
        return [*words[:-1], Word(last.text + ".", last.start, last.end)]

    def __init__(self) -> None:
        super().__init__()
        self.prompts: list[str] = []


def test_the_decode_at_a_pause_is_the_final_s_and_is_shown_at_once() -> None:
    """A greedy partial misheard a turn's first sentence and two greedy passes agreed on the mistake:
    the flag waited for the turn's final. The decode at the pause is now the final's (beam search)
    and goes out as a partial decided at the pause; the turn's final reuses it."""
    asr = _SentenceASR()
    st = WhisperStream(asr)  # type: ignore[arg-type]
    _feed(st, 2.0, loud=True)
    at_pause = [s for s in _feed(st, 0.2, loud=False) if not s.final]
    assert asr.calls[-1][1] != 1 and asr.calls[-1][2:] == (True, 10.0), asr.calls  # beam, the final's window
    assert at_pause and at_pause[-1].paused and at_pause[-1].words[-1].text.endswith(".")
    n = len(asr.calls)
    out = _feed(st, 0.4, loud=False)
    assert [s.final for s in out] == [True] and len(asr.calls) == n  # the turn's final: no decode more


def test_a_finished_sentence_is_committed_when_the_speaker_goes_on() -> None:
    """After the pause's decode ended a sentence, the speaker goes on: the sentence is kept as final
    text and leaves the window, so later decodes hear only the open sentence; the turn is still one
    utterance, whose final holds both sentences (here built from the commits: final_whole_turn off)."""
    asr = _SentenceASR()
    st = WhisperStream(asr, final_whole_turn=False)  # type: ignore[arg-type]
    _feed(st, 3.0, loud=True)
    _feed(st, 0.3, loud=False)  # the pause: 3.2 s decoded with beam search
    first = [c for c in asr.calls if c[1] != 1]
    assert len(first) == 1 and first[0][0] > 3.0, asr.calls
    n = len(asr.calls)
    out = _feed(st, 2.0, loud=True) + _feed(st, 0.6, loud=False)
    later = asr.calls[n:]
    assert later and all(c[0] < 2.8 for c in later), later  # the second sentence alone (plus a lead-in)
    assert "w2." in asr.prompts[-1]  # … with the committed sentence as the decoder's context
    partials = [s for s in out if not s.final]
    assert partials and all(s.key == 0 and s.words[2].text == "w2." for s in partials)
    finals = [s for s in out if s.final]
    assert len(finals) == 1 and finals[0].key == 0 and [w.text for w in finals[0].words][:3] == ["w0", "w1", "w2."]
    assert len(finals[0].words) > 3 and finals[0].words[3].start >= 3.2  # the second sentence, after the cut


def test_without_a_sentence_end_the_turn_is_not_cut() -> None:
    asr = _FakeASR()  # no full stops
    st = WhisperStream(asr)  # type: ignore[arg-type]
    _feed(st, 3.0, loud=True)
    _feed(st, 0.3, loud=False)
    _feed(st, 2.0, loud=True)
    _feed(st, 0.6, loud=False)
    assert max(c[0] for c in asr.calls) > 5.0, asr.calls  # the whole turn decoded


def test_without_commit_pauses_the_decode_at_a_pause_is_greedy() -> None:
    asr = _SentenceASR()
    st = WhisperStream(asr, commit_pauses=False)  # type: ignore[arg-type]
    _feed(st, 3.0, loud=True)
    _feed(st, 0.2, loud=False)
    assert asr.calls[-1][1] == 1, asr.calls
    _feed(st, 0.1, loud=False)  # 0.3 s: the early final (beam)
    _feed(st, 2.0, loud=True)
    _feed(st, 0.6, loud=False)
    assert max(c[0] for c in asr.calls) > 5.0, asr.calls  # the whole turn decoded again


class _EchoASR(_SentenceASR):
    """As _SentenceASR; once a sentence is committed (it is in the prompt), each decode starts by
    hearing that sentence's last word again at the window's start (the quiet end of the word)."""

    def transcribe(self, audio: np.ndarray, init_prompt: str = "", offset: float = 0.0, vad: Any = None,
                   beam_size: int | None = None, short: bool = False, min_window_s: float = 5.0,
                   fallback: bool = True) -> list[Word]:
        words = super().transcribe(audio, init_prompt, offset, vad, beam_size, short, min_window_s)
        return [Word("W2.", offset, offset + 0.1), *words] if "w2." in init_prompt else words


def test_the_committed_sentence_s_last_word_heard_again_at_the_cut_is_dropped() -> None:
    asr = _EchoASR()
    st = WhisperStream(asr, final_whole_turn=False)  # type: ignore[arg-type]
    _feed(st, 3.0, loud=True)
    _feed(st, 0.3, loud=False)
    out = _feed(st, 2.0, loud=True) + _feed(st, 0.6, loud=False)
    final = next(s for s in out if s.final)
    assert [w.text for w in final.words][2:4] == ["w2.", "w0"], [w.text for w in final.words]


class _GhostASR(_SentenceASR):
    """As _SentenceASR, and every beam decode ends with a word that takes no time ("Thank you.")."""

    def transcribe(self, audio: np.ndarray, init_prompt: str = "", offset: float = 0.0, vad: Any = None,
                   beam_size: int | None = None, short: bool = False, min_window_s: float = 5.0,
                   fallback: bool = True) -> list[Word]:
        words = super().transcribe(audio, init_prompt, offset, vad, beam_size, short, min_window_s)
        end = offset + len(audio) / RATE
        return words if beam_size == 1 else [*words, Word("Okay.", end - 0.05, end)]


def test_a_word_that_takes_no_time_at_a_pause_s_end_is_not_committed() -> None:
    asr = _GhostASR()
    st = WhisperStream(asr)  # type: ignore[arg-type]
    _feed(st, 3.0, loud=True)
    at_pause = [s for s in _feed(st, 0.3, loud=False) if not s.final]
    assert at_pause and at_pause[-1].words[-1].text == "w2.", [w.text for w in at_pause[-1].words]
    out = _feed(st, 2.0, loud=True) + _feed(st, 0.6, loud=False)
    final = next(s for s in out if s.final)
    assert "Okay." not in [w.text for w in final.words], [w.text for w in final.words]


def test_the_live_thread_budget_is_half_the_cores_and_can_be_set(monkeypatch: Any) -> None:
    from assist.speech import whisper_stream

    monkeypatch.delenv("ASSIST_LIVE_THREADS", raising=False)
    for cores, threads in ((1, 1), (2, 1), (4, 2), (16, 2)):
        monkeypatch.setattr(whisper_stream.os, "cpu_count", lambda c=cores: c)
        assert whisper_stream.live_cpu_threads() == threads, cores
    monkeypatch.setenv("ASSIST_LIVE_THREADS", "3")
    assert whisper_stream.live_cpu_threads() == 3


class _DisagreeASR(_SentenceASR):
    """As _SentenceASR, but the beam pass (at a pause) hears other words than the greedy passes."""

    def transcribe(self, audio: np.ndarray, init_prompt: str = "", offset: float = 0.0, vad: Any = None,
                   beam_size: int | None = None, short: bool = False, min_window_s: float = 5.0,
                   fallback: bool = True) -> list[Word]:
        words = super().transcribe(audio, init_prompt, offset, vad, beam_size, short, min_window_s)
        return words if beam_size == 1 else [Word("x" + w.text, w.start, w.end) for w in words]


def test_a_pause_decode_the_greedy_pass_before_disagrees_with_is_not_committed() -> None:
    """Committing one beam pass alone made its mistake permanent ("We get miss all the time", where the
    greedy pass had "this"): a sentence is committed only when the two passes agree."""
    asr = _DisagreeASR()
    st = WhisperStream(asr)  # type: ignore[arg-type]
    _feed(st, 3.0, loud=True)
    at_pause = [s for s in _feed(st, 0.3, loud=False) if not s.final]
    assert at_pause and at_pause[-1].words[0].text == "xw0"  # the beam pass is shown …
    _feed(st, 2.0, loud=True)
    _feed(st, 0.6, loud=False)
    assert max(c[0] for c in asr.calls) > 5.0, asr.calls  # … but not committed: the whole turn decoded


def test_the_turn_s_final_is_decoded_over_the_whole_turn_despite_commits() -> None:
    """final_whole_turn (default): partials decode one sentence, but the report's final hears the
    whole turn (sentence by sentence it lost more words against the whole file: 8.5 vs 4.4 %)."""
    asr = _SentenceASR()
    st = WhisperStream(asr)  # type: ignore[arg-type]
    _feed(st, 3.0, loud=True)
    _feed(st, 0.3, loud=False)
    n = len(asr.calls)
    out = _feed(st, 2.0, loud=True) + _feed(st, 0.6, loud=False)
    assert all(c[0] < 2.8 for c in asr.calls[n:-1]), asr.calls[n:]  # partials: the open sentence
    assert asr.calls[-1][0] > 5.0 and asr.calls[-1][1] != 1, asr.calls[-1]  # the final: the whole turn, beam
    final = next(s for s in out if s.final)
    assert final.words[0].start < 1.0 and len(final.words) == int(asr.calls[-1][0])


def test_a_breath_between_frames_still_gets_its_decode_at_the_pause() -> None:
    """A 0.25 s breath after a sentence that ends 0.07 s into a frame holds one whole silent 0.1 s
    frame: counted in whole frames it was 0.1 s, below the pause, and the sentence's flag waited
    for the next tick (~1 s on). The quiet end of the last loud frame counts as pause too."""
    for offset_s in (0.0, 0.03, 0.07):
        asr = _FakeASR()
        st = WhisperStream(asr)  # type: ignore[arg-type]
        x = np.concatenate([np.full(int((2.0 + offset_s) * RATE), 0.1, np.float32),
                            np.zeros(int(0.25 * RATE), np.float32), np.full(RATE, 0.1, np.float32)])
        out = []
        for i in range(0, len(x), RATE // 10):
            out += st.accept(x[i:i + RATE // 10])
        assert any(s.paused for s in out), (offset_s, asr.calls)


def test_live_decodes_never_fall_back_to_sampling() -> None:
    """Whisper's temperature fallback re-decoded a greedy partial cut mid-word up to 5 times (a
    10.7 s final took 2.7 s): live decodes are one pass; whole files keep the fallback."""
    asr = _FakeASR()
    st = WhisperStream(asr)  # type: ignore[arg-type]
    _feed(st, 2.5, loud=True)
    _feed(st, 0.3, loud=False)
    _feed(st, 2.0, loud=True)
    st.finish()
    assert len(asr.fallbacks) >= 3 and not any(asr.fallbacks), asr.fallbacks
