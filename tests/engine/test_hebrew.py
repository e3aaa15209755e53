"""The Hebrew lexicon in the coach: attached prefixes (ו ש ה כ ל ב מ), words that a prefix turns
into other words, Hebrew callbacks with weekdays/times, greeting and empathy phrase sets."""

from __future__ import annotations

import datetime as dt

import pytest

from assist.engine.coach import Coach
from assist.engine.lexicon import Lexicon, load_lexicon
from tests.engine.conftest import utt


@pytest.fixture(scope="module")
def he() -> Lexicon:
    return load_lexicon("he")


def cats(lex: Lexicon, speaker: str, text: str) -> set[str]:
    c = Coach(lex, company="אקמה", agent_name="דנה")
    c.feed(utt(0, speaker, text))
    return {e.category for e in c.events()}


@pytest.mark.parametrize("text", ["לא, זה לא אפשרי.", "ולא, זה לא יעבוד.", "טוב, לא, אין אפשרות.",
                                  "בדקתי. ולא, אין שום דבר בחשבון.", "לצערי לא"])
def test_no_opening_a_sentence_with_or_without_prefix(he: Lexicon, text: str) -> None:
    assert "starts-with-no" in cats(he, "agent", text)


@pytest.mark.parametrize("text", ["ללא עלות, זה עלינו.", "מלא אנשים אוהבים את החבילה.", "לא יהיה חיוב נוסף.",
                                  "לא תצטרך לשלם כלום.", "בדקתי ולא מצאתי חיוב כפול",  # "ולא" mid-sentence
                                  "לא מצאנו בעיה בקו."])
def test_prefixed_lookalikes_and_good_news_are_not_no(he: Lexicon, text: str) -> None:
    assert "starts-with-no" not in cats(he, "agent", text)


def test_prefix_on_multiword_phrases(he: Lexicon) -> None:
    assert cats(he, "agent", "וזה לא התפקיד שלי") == {"not-my-job"}
    assert cats(he, "agent", "שזה לא באחריות שלי") == {"not-my-job"}
    assert cats(he, "agent", "ולמה ביטלת את הוראת הקבע") == {"why-did-you"}
    assert cats(he, "agent", "וזה התפקיד שלי לדאוג לך") == set()


def test_niqqud_and_punctuation_do_not_matter(he: Lexicon) -> None:
    assert cats(he, "agent", "זֶה לֹא הַתַּפְקִיד שֶׁלִּי!") == {"not-my-job"}


def test_why_did_you_versus_what_did_you_mean(he: Lexicon) -> None:
    assert cats(he, "agent", "למה עשית את זה?") == {"why-did-you"}
    assert cats(he, "agent", "מה התכוונת להשיג?") == set()
    assert cats(he, "agent", "למה התכוונת כשאמרת שזה איטי?") == set()
    assert cats(he, "agent", "למה המערכת מציגה את זה? אני בודק.") == set()


@pytest.mark.parametrize("text, commitment", [
    ("אבדוק ואחזור אליך ביום ה'.", "ביום ה'"),
    ("אבדוק ואחזור אליך ביום חמישי עד השעה שלוש", "ביום חמישי עד השעה שלוש"),
    ("אתקשר אליך מחר בעשר בבוקר", "מחר בעשר בבוקר"),
    ("נחזור אליך היום בשעה 16:00.", "היום בשעה 16:00"),
])
def test_hebrew_concrete_callback_completes_the_item(he: Lexicon, text: str, commitment: str) -> None:
    c = Coach(he)
    c.feed(utt(0, "agent", text))
    assert c.events() == []
    assert c.checklist()["callback"] == {"status": "done", "at": 0.0, "commitment": commitment}


def test_hebrew_vague_promise_suggests_next_israeli_working_day(he: Lexicon) -> None:
    # Thursday 19 Nov 2026: Friday and Saturday are the weekend, so the next working day is Sunday.
    c = Coach(he, today=dt.date(2026, 11, 19))
    c.feed(utt(0, "agent", "אני אראה מה ניתן לעשות ואחזור אליך."))
    (ev,) = c.events()
    assert ev.category == "vague-promise" and ev.suggestion == "אבדוק ואחזור אליך ביום ראשון עד 15:00."
    assert ev.why.startswith("מדריך השירות, טיפ 8")


def test_hebrew_greeting_and_empathy(he: Lexicon) -> None:
    c = Coach(he, company="אקמה", agent_name="דנה")
    c.feed(utt(0, "agent", "אקמה שלום, מדברת דנה, במה אפשר לעזור?", start=0.5))
    assert c.checklist()["greeting"]["status"] == "done"
    c.feed(utt(1, "customer", "זה מגוחך, אני מחכה כבר שבועיים!", start=4))
    assert c.checklist(live=True)["empathy"]["status"] == "pending"
    c.feed(utt(2, "agent", "אני מבינה מה מתסכל אותך, בואי נסדר את זה עכשיו.", start=9))
    assert c.checklist()["empathy"]["status"] == "done"


def test_hebrew_partial_flag_once(he: Lexicon) -> None:
    c = Coach(he)
    seen = []
    for text in ["זה", "זה לא", "זה לא התפקיד", "זה לא התפקיד שלי"]:
        seen += c.feed(utt(0, "agent", text, final=False))
    seen += c.feed(utt(0, "agent", "זה לא התפקיד שלי."))
    assert [(e.type, e.category) for e in seen if e.type in ("flag", "retract")] == [("flag", "not-my-job")]
