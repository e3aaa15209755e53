"""Normalisation: written and recogniser text must reach the rules in the same form."""

from __future__ import annotations

import pytest

from assist.engine.lexicon import load_lexicon
from assist.engine.normalize import normalize

EN = load_lexicon("en").contractions


@pytest.mark.parametrize("text, sentences", [
    ("Well, no. That's NOT my job!", ["well no", "that is not my job"]),
    ("well no thats not my job", ["well no that is not my job"]),
    ("I’ll call you back at 3pm.", ["i will call you back at 3 pm"]),
    ("I'll call at 3 p.m. on Friday", ["i will call at 3 pm on friday"]),
    ("on the 14th at 10:30, or 14/3", ["on the 14th at 10:30 or 14/3"]),
    ("No...problem", ["no problem"]),
    ("wait…no", ["wait no"]),
    ("Call Dr. Smith? Yes.", ["call dr smith", "yes"]),
    ("It costs 3.5 pounds.", ["it costs 3.5 pounds"]),
])
def test_english(text: str, sentences: list[str]) -> None:
    assert [s.text for s in normalize(text, EN).sentences] == sentences


def test_hebrew_niqqud_and_geresh() -> None:
    assert [s.text for s in normalize("זֶה לֹא הַתַּפְקִיד שֶׁלִּי! אחזור אליך ביום ה'.").sentences] == [
        "זה לא התפקיד שלי", "אחזור אליך ביום ה"]


def test_tokens_point_back_to_original_words() -> None:
    n = normalize("Sorry, that's not my job.", EN)
    (s,) = n.sentences
    assert [t.text for t in s.tokens] == ["sorry", "that", "is", "not", "my", "job"]
    assert [t.word for t in s.tokens] == [0, 1, 1, 2, 3, 4]
    assert n.words[s.tokens[s.token_at(s.text.index("job"))].word] == "job."


def test_no_dot_ends_a_sentence_unless_a_number_follows() -> None:
    assert [s.text for s in normalize("I checked. No. We can't.", EN).sentences] == [
        "i checked", "no", "we can not"]
    assert [s.text for s in normalize("It's order No. 5 on the list.", EN).sentences] == [
        "it is order no 5 on the list"]
