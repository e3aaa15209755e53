"""The replay's semantic warm-up (assist/session/scoring.py `_Warmer`): a decoded channel's
utterances are embedded on a thread while the next channel decodes. Unit tests with a stand-in
detector; the real detector's `warm` is tested in tests/engine/test_semantic.py and the whole replay
in tests/engine/test_semantic.py::test_replay_of_a_recorded_call_flags_paraphrases_semantically."""

from __future__ import annotations

from typing import Any

import pytest

from assist.session.scoring import _Warmer
from assist.speech.segment import merge_speakers
from assist.transcript import Word


def _words() -> list[Word]:
    # two utterances: a pause of 2 s between them
    return [Word("Thanks", 0.0, 0.3), Word("for", 0.3, 0.5), Word("calling.", 0.5, 0.9),
            Word("That", 3.0, 3.2), Word("is", 3.2, 3.3), Word("not", 3.3, 3.5), Word("my", 3.5, 3.6),
            Word("job.", 3.6, 3.9)]


class _Det:
    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def warm(self, texts: list[str], speaker: str) -> int:
        self.calls.append((texts, speaker))
        return len(texts)


def test_a_channel_s_utterances_are_warmed_as_the_coach_will_see_them() -> None:
    det = _Det()
    w = _Warmer(lambda: det)  # type: ignore[arg-type, return-value]
    w("agent", _words())
    w.join()
    coach_texts = [u.text for u in merge_speakers({"agent": _words(), "customer": []}) if u.speaker == "agent"]
    assert det.calls == [(coach_texts, "agent")]
    assert len(coach_texts) == 2


def test_a_detector_that_fails_to_load_is_left_to_the_coach(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> Any:
        raise RuntimeError("model folder damaged")

    w = _Warmer(broken)
    w("agent", _words())
    w.join()  # no exception here, and no thread traceback on stderr
    assert capsys.readouterr().err == ""


def test_without_a_detector_nothing_is_warmed() -> None:
    w = _Warmer(lambda: None)
    w("agent", _words())
    w.join()
