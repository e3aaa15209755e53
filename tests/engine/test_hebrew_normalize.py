"""Hebrew as recognisers and people write it: niqqud and cantillation, geresh and gershayim, maqaf,
final letters, spelling variants, gendered forms, and spoken days and times for the callback item.
The normaliser folds them; the lexicon folds its patterns the same way (engine/hebrew.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.engine.coach import Coach
from assist.engine.lexicon import Lexicon, load_lexicon, parse_lexicon
from assist.engine.normalize import normalize
from tests.engine.conftest import utt


def norm(text: str) -> list[str]:
    return [s.text for s in normalize(text).sentences]


@pytest.fixture(scope="module")
def he() -> Lexicon:
    return load_lexicon("he")


# ----------------------------------------------------------------------------- the normaliser
@pytest.mark.parametrize("text, want", [
    # niqqud, and cantillation marks (etnahta U+0591, merkha U+05A5) as in a pointed text
    ("זֶה לֹא הַתַּפְקִיד שֶׁלִּי", ["זה לא התפקיד שלי"]),
    ("אֶחְזֹ֑ור אֵלֶ֥יךָ מָחָר", ["אחזור אליך מחר"]),
    ("\ufb2aלום", ["שלום"]),  # שׁ as one precomposed character
    ("\u200fשלום\u200e, \u202bמה\u202c נשמע", ["שלום מה נשמע"]),  # RLM/LRM and embeddings from copied RTL text
    # maqaf splits like a hyphen; a lone prefix before it stays on its word
    ("בית־ספר", ["בית ספר"]),
    ("אחזור ב־3", ["אחזור ב3"]),
    ("אחזור ב-15:00", ["אחזור ב15:00"]),
    ("ה-SLA שלנו", ["הsla שלנו"]),
    ("וב-10 בבוקר", ["וב10 בבוקר"]),
    # geresh and gershayim (Hebrew and ASCII)
    ("ביום ה'", ["ביום ה"]),
    ("ביום ה׳", ["ביום ה"]),
    ('עד אחה"צ', ["עד אחר הצהריים"]),
    ("עד אחה״צ", ["עד אחר הצהריים"]),
    ('זה רק 5 ש"ח', ["זה רק 5 שקלים"]),
    ("צ׳ק על השולחן", ["צ'ק על השולחן"]),
    # final letters by position; hesitations keep theirs
    ("אחזור אליכ מחר", ["אחזור אליך מחר"]),
    ("שלומ לכם", ["שלום לכם"]),
    ("ןהבעיה", ["נהבעיה"]),
    ("אממ לא", ["אממ לא"]),
    ("אמ כן", ["אמ כן"]),
    # spelling variants (full / defective), also behind a prefix
    ("מייד אחזור", ["מיד אחזור"]),
    ("ומייד", ["ומיד"]),
    ("שניה אחת", ["שנייה אחת"]),
    ("יתכן שזה יסתדר", ["ייתכן שזה יסתדר"]),
    # gendered forms: feminine second person to the masculine; את as "you" to אתה, as object marker kept
    ("תחכי רגע על הקו", ["תחכה רגע על הקו"]),
    ("את צודקת", ["אתה צודק"]),
    ("את לא מקשיבה לי", ["אתה לא מקשיב לי"]),
    ("אני מבינה שאת מתוסכלת", ["אני מבין שאתה מתוסכל"]),
    ("אני בודקת את החשבון", ["אני בודק את החשבון"]),
    ("בואי נסדר את זה", ["בוא נסדר את זה"]),
    # dotted times after a time word or prefix; a price stays a price
    ("בשעה 15.00", ["בשעה 15:00"]),
    ("עד ב-16.30", ["עד ב16:30"]),
    ("זה עולה 12.50", ["זה עולה 12.50"]),
])
def test_hebrew_forms(text: str, want: list[str]) -> None:
    assert norm(text) == want


def test_english_is_untouched() -> None:
    assert norm("I'll call you back at 3.30 pm, OK?") == ["i'll call you back at 3.30 pm ok"]


def test_tokens_still_point_at_the_words_the_user_saw() -> None:
    n = normalize('אחזור אלייך ב-15:00 אחה"צ')
    (s,) = n.sentences
    assert [t.text for t in s.tokens] == ["אחזור", "אליך", "ב15:00", "אחר", "הצהריים"]
    assert [n.words[t.word] for t in s.tokens] == ["אחזור", "אלייך", "ב-15:00", 'אחה"צ', 'אחה"צ']


# ----------------------------------------------------------------------------- rules meet folded text
def _mini(patterns: list[str], fillers: list[str] | None = None) -> Lexicon:
    data = {
        "meta": {"language": "he", "prefixes": ["ו", "ש", "ה", "כ", "ל", "ב", "מ"], "fillers": fillers or []},
        "rules": [{"id": "he.t", "category": "ultimatum", "patterns": patterns, "suggestion": "x", "why": "y"}],
        "checklist": {"greeting": {"phrases": ["שלום"], "suggestion": "s"},
                      "empathy": {"phrases": ["אני מבין"], "suggestion": "s"},
                      "callback": {"intent": ["אחזור אליך"], "concrete": ["מחר"], "suggestion": "s", "why": "w"}},
    }
    return parse_lexicon(data, Path("mini-he.toml"))


def _flagged(lex: Lexicon, text: str) -> bool:
    c = Coach(lex)
    c.feed(utt(0, "agent", text))
    return any(e.category == "ultimatum" for e in c.events())


@pytest.mark.parametrize("pattern, text", [
    ("תחכה על הקו", "תחכי על הקו"),  # written masculine, said feminine
    ("תחכי על הקו", "תחכה על הקו"),  # written feminine, said masculine
    ("אתה חייב לשלם", "את חייבת לשלם"),
    ("את חייבת לשלם", "אתה חייב לשלם"),
    ("מיד", "מייד"),
    ("מייד", "ומיד"),
])
def test_a_rule_in_one_form_matches_the_other(pattern: str, text: str) -> None:
    assert _flagged(_mini([pattern]), text)


def test_folding_does_not_make_the_object_marker_a_pronoun() -> None:
    lex = _mini(["אתה החשבון"])
    assert not _flagged(lex, "בדקתי את החשבון")


def test_feminine_fillers_still_open_a_sentence(he: Lexicon) -> None:
    c = Coach(he)
    c.feed(utt(0, "agent", "תקשיבי, לא, זה לא אפשרי"))
    assert "starts-with-no" in {e.category for e in c.events()}


@pytest.mark.parametrize("text, category", [
    ("את חייבת לשדרג את החבילה", "ultimatum"),
    ("תירגעי, גברתי", "dismissive"),
    ("זה לא בתחום האחריות שלי", "not-my-job"),
    ("אֲנַחְנוּ מַכִּירִים אֶת הַבְּעָיָה", "known-issue"),
    ("את מגזימה", "dismissive"),
    ("היית צריכה לקרוא את החוזה", "dismissive"),
])
def test_he_lexicon_on_feminine_and_pointed_text(he: Lexicon, text: str, category: str) -> None:
    c = Coach(he)
    c.feed(utt(0, "agent", text))
    assert category in {e.category for e in c.events()}


# ----------------------------------------------------------------------------- the callback item in Hebrew
@pytest.mark.parametrize("text, commitment", [
    ("אבדוק ואחזור אליך ביום חמישי בשלוש", "ביום חמישי בשלוש"),
    ("אני אחזור אלייך מחר עד הצהריים", "מחר עד הצהריים"),
    ("אבדוק ואחזור אליך ביום חמישי בשלוש.", "ביום חמישי בשלוש"),
    ("אחזור אליך ב-3", "ב-3"),
    ("נחזור אלייך ביום ה' ב-15:00", "ביום ה' ב-15:00"),
    ("אתקשר אלייך בחמישי בשלוש וחצי", "בחמישי בשלוש וחצי"),
    ('אחזור אלייך היום עד אחה"צ', 'היום עד אחה"צ'),
    ("אחזור אליך מחר ברבע לארבע", "מחר ברבע לארבע"),
    ("אחזור אליכ מחר בעשר", "מחר בעשר"),  # a recogniser's wrong final letter
    ("אני אחזור אלייך ביום ראשון בין שתיים לארבע", "ביום ראשון בין שתיים לארבע"),
    ("אחזור אליך בשעה 15.00", "בשעה 15.00"),
    ("אחזור אלייך ביום שלישי בעשרים לחמש", "ביום שלישי בעשרים לחמש"),
    ("אחזור אלייך ביום רביעי באחת עשרה", "ביום רביעי באחת עשרה"),
    ("אני אחזור אליך ב-14 לחודש", "ב-14 לחודש"),
    ("אחזור אלייך מחרתיים בבוקר", "מחרתיים בבוקר"),
    ("אחזור אליך ביום חמישי הקרוב עד שלוש", "ביום חמישי הקרוב עד שלוש"),
    ("נציגה תחזור אלייך מחר בין תשע לעשר", "מחר בין תשע לעשר"),
    ("אחזור אליך מחר ב-9 וחצי", "מחר ב-9 וחצי"),
    ("אֶחְזוֹר אֵלַיִךְ מָחָר בְּשָׁלוֹשׁ", "מָחָר בְּשָׁלוֹשׁ"),
])
def test_a_concrete_hebrew_commitment_completes_the_callback(he: Lexicon, text: str, commitment: str) -> None:
    c = Coach(he)
    c.feed(utt(0, "agent", text))
    assert c.events() == []
    assert c.checklist()["callback"] == {"status": "done", "at": 0.0, "commitment": commitment}


@pytest.mark.parametrize("text", [
    "אחזור אליך בהמשך",
    "אחזור אליך בקרוב",
    "אחזור אלייך כשתהיה לי תשובה",
    "אחזור אליך, יש שני חיובים בחשבון",  # "שני" here is "two", not Monday
    "אחזור אלייך באחד הימים",
])
def test_a_hebrew_callback_without_day_and_time_is_a_vague_promise(he: Lexicon, text: str) -> None:
    c = Coach(he)
    c.feed(utt(0, "agent", text))
    assert [e.category for e in c.events()] == ["vague-promise"]
    assert c.checklist()["callback"]["status"] != "done"
