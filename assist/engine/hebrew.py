"""Hebrew as recognisers (and people) write it, folded to one form for the rules.

normalize.py calls `canonical_word` on every Hebrew word and `canonical_sentence` on every sentence
with Hebrew in it; lexicon.py folds the Hebrew in a Hebrew lexicon's patterns with
`canonical_pattern`, so a rule written "תחכה" also matches "תחכי", and one written "מייד" matches
"מיד". What is folded (the text the user sees — matches, commitments — keeps the original words):

- niqqud and cantillation (normalize.py strips them; maqaf ־ splits words like a hyphen);
- gershayim inside an acronym: אחה"צ -> אחהצ, then a few acronyms to their words (אחר הצהריים);
- final letters by position: a final form inside a word, a plain form at its end (אליכ -> אליך);
- a lone prefix before a hyphen joins the next word: "ב-3" -> "ב3", "ה-15:00" -> "ה15:00";
- spelling variants, full vs defective spelling (כתיב מלא/חסר) where a table is cheap: מייד -> מיד;
- second-person feminine forms to the masculine (תחכי -> תחכה, מבינה -> מבין, צודקת -> צודק),
  and the pronoun את -> אתה when it is "you" (followed by such a form), so a rule needs one form.

The tables list whole words, optionally behind the attached prefixes ו ש ה כ ל ב מ. Words that
a gender swap would turn into another word are left out (תחזור is "you will return" and "she will").
"""

from __future__ import annotations

import re

HEBREW_LETTER = re.compile(r"[\u05d0-\u05ea]")
_FINAL_TO_PLAIN = str.maketrans("ךםןףץ", "כמנפצ")
_PLAIN_TO_FINAL = {"כ": "ך", "מ": "ם", "נ": "ן", "פ": "ף", "צ": "ץ"}
PREFIX_LETTERS = frozenset("ובהכלמש")

# Full vs defective spelling and other variants -> the one form the lexicon uses.
SPELLING: dict[str, str] = {
    "מייד": "מיד", "תיכף": "תכף", "עדין": "עדיין", "שניה": "שנייה", "היתה": "הייתה", "היתי": "הייתי",
    "יתכן": "ייתכן", "מסויים": "מסוים", "מסויימת": "מסוימת", "לדוגמא": "לדוגמה", "אוקי": "אוקיי",
    "בעייה": "בעיה", "צהרים": "צהריים", "שלש": "שלוש", "ששי": "שישי", "שתים": "שתיים", "בטלת": "ביטלת",
    "נסית": "ניסית", "דברתי": "דיברתי", "סדרתי": "סידרתי", "טפלתי": "טיפלתי", "תקנתי": "תיקנתי",
    "אלייך": "אליך", "אליכי": "אליך", "לגבייך": "לגביך", "אתך": "איתך", "אתכם": "איתכם", "כאלו": "כאלה",
    "אחראיים": "אחראים", "אינטרנת": "אינטרנט", "בייחוד": "במיוחד", "תכנית": "תוכנית",
    "ביחד": "יחד", "עכשו": "עכשיו",
}
# Acronyms a recogniser writes with gershayim (removed before this lookup) -> their words.
ACRONYMS: dict[str, str] = {"אחהצ": "אחר הצהריים", "לפנהצ": "לפני הצהריים", "שח": "שקלים"}

# Second-person feminine -> masculine. Imperatives and futures (תחכי -> תחכה), then present-tense
# forms and adjectives, which also say that a preceding את is "you" (FEMININE_PRESENT).
_FUTURE = {
    "תחכי": "תחכה", "חכי": "חכה", "תמתיני": "תמתין", "המתיני": "המתן", "תקשיבי": "תקשיב", "הקשיבי": "הקשב",
    "תשמעי": "תשמע", "שמעי": "שמע", "תראי": "תראה", "תביני": "תבין", "תירגעי": "תירגע",
    "תרגעי": "תרגע", "תרגיעי": "תרגיע", "תנסי": "תנסה", "נסי": "נסה", "תבדקי": "תבדוק", "תתקשרי": "תתקשר",
    "תחזרי": "תחזור", "תפני": "תפנה", "תשלמי": "תשלם", "תשדרגי": "תשדרג", "תחליפי": "תחליף",
    "תחתמי": "תחתום", "תצטרכי": "תצטרך", "תרצי": "תרצה", "תקבלי": "תקבל", "תדאגי": "תדאג", "תעשי": "תעשה",
    "תלחצי": "תלחץ", "תכבי": "תכבה", "כבי": "כבה", "תדליקי": "תדליק", "תאתחלי": "תאתחל",
    "תשלחי": "תשלח", "תמלאי": "תמלא", "תקראי": "תקרא", "תגידי": "תגיד", "תסבירי": "תסביר",
    "תעבירי": "תעביר", "תני": "תן", "תחזיקי": "תחזיק", "בואי": "בוא", "תבואי": "תבוא", "תצעקי": "תצעק",
    "תתעצבני": "תתעצבן", "תחויבי": "תחויב", "תכניסי": "תכניס", "תוודאי": "תוודא", "תשאירי": "תשאיר",
    "תזכרי": "תזכור", "תפתחי": "תפתח", "תסגרי": "תסגור", "תחפשי": "תחפש", "תלכי": "תלך", "תכתבי": "תכתוב",
    "תגיעי": "תגיע", "תבטלי": "תבטל", "תמשיכי": "תמשיך", "תדברי": "תדבר", "תעני": "תענה", "תשימי": "תשים",
    "שימי": "שים", "תסמכי": "תסמוך", "תאשרי": "תאשר", "תזיני": "תזין", "תורידי": "תוריד", "תתקיני": "תתקין",
    "תנתקי": "תנתק", "תחברי": "תחבר", "תקחי": "תיקח", "קחי": "קח", "תסלחי": "תסלח", "סלחי": "סלח",
}
FEMININE_PRESENT: dict[str, str] = {
    "מבינה": "מבין", "יכולה": "יכול", "צריכה": "צריך", "חייבת": "חייב", "מוכרחה": "מוכרח",
    "מצטערת": "מצטער", "מתנצלת": "מתנצל", "שומעת": "שומע", "יודעת": "יודע", "בודקת": "בודק",
    "מטפלת": "מטפל", "אחראית": "אחראי", "מדברת": "מדבר", "מגזימה": "מגזים", "צודקת": "צודק",
    "עוקבת": "עוקב", "קולטת": "קולט", "מקשיבה": "מקשיב", "כועסת": "כועס", "מתוסכלת": "מתוסכל",
    "עצבנית": "עצבני", "מעוצבנת": "מעוצבן", "מאוכזבת": "מאוכזב", "זועמת": "זועם", "עוזבת": "עוזב",
    "מבטלת": "מבטל", "עוברת": "עובר", "משלמת": "משלם", "ממתינה": "ממתין", "מקבלת": "מקבל",
    "מתכוונת": "מתכוון", "בטוחה": "בטוח", "מרגישה": "מרגיש", "מבטיחה": "מבטיח", "חושבת": "חושב",
    "מניחה": "מניח", "מעריכה": "מעריך", "עובדת": "עובד", "נציגה": "נציג", "מודעת": "מודע",
    "עסוקה": "עסוק", "מסכימה": "מסכים", "זוכרת": "זוכר", "מנסה": "מנסה", "רשאית": "רשאי",
    "זכאית": "זכאי", "מרוצה": "מרוצה", "אמורה": "אמור", "מוכנה": "מוכן", "פנויה": "פנוי",
    "מתלוננת": "מתלונן", "מתקשרת": "מתקשר", "מחכה": "מחכה", "שואלת": "שואל", "טועה": "טועה",
}
GENDER: dict[str, str] = {**_FUTURE, **FEMININE_PRESENT}
# Words that may sit between "את" and the form that shows it means "you": "את לא מקשיבה".
_BETWEEN = frozenset(["לא", "בטח", "ממש", "פשוט", "כבר", "עדיין", "באמת", "גם", "בטוח", "כנראה", "תמיד", "אף פעם"])

WORDS: dict[str, str] = {k: v for k, v in {**SPELLING, **GENDER}.items() if k != v}


def has_hebrew(text: str) -> bool:
    return HEBREW_LETTER.search(text) is not None


def fix_finals(word: str) -> str:
    """Final letters by position: plain inside a word, final at its end. Short words and drawn-out
    sounds keep their last letter as written: "אמ", "אממ", "הממ" are hesitations (umm), not אם."""
    if len(word) < 2:
        return word
    body = word[:-1].translate(_FINAL_TO_PLAIN)
    last = word[-1]
    if len(word) < 3 or word[-2] == last:
        return body + last
    return body + _PLAIN_TO_FINAL.get(last, last)


def _lookup(word: str, table: dict[str, str]) -> str | None:
    """`table[word]`, also behind one to three attached prefix letters ("ותחכי" -> "ותחכה")."""
    got = table.get(word)
    if got is not None:
        return got
    for k in (1, 2, 3):
        if len(word) - k < 2 or not all(c in PREFIX_LETTERS for c in word[:k]):
            break
        got = table.get(word[k:])
        if got is not None:
            return word[:k] + got
    return None


def canonical_word(word: str) -> list[str]:
    """One Hebrew word (already lower-cased, niqqud and punctuation gone) in its canonical form;
    usually one piece, two or more for an acronym ("אחהצ" -> "אחר", "הצהריים")."""
    acr = ACRONYMS.get(word.translate(_FINAL_TO_PLAIN))
    if acr is not None:
        return acr.split()
    w = fix_finals(word)
    got = _lookup(w, WORDS)
    return [got] if got is not None else [w]


def _means_you(next_words: list[str]) -> bool:
    for w in next_words:
        if w in _BETWEEN:
            continue
        return w in FEMININE_PRESENT
    return False


def canonical_sentence(tokens: list[str], originals: list[str]) -> list[str]:
    """Sentence-level folds over the canonical tokens. `originals[i]` is token i's form before the
    gender fold: "את" followed by a feminine present form ("את צודקת") is "you" and becomes "אתה"
    (with its prefixes: "שאת מבינה" -> "שאתה"); before a noun it stays the object marker."""
    out = list(tokens)
    for i, t in enumerate(tokens):
        if t.endswith("את") and all(c in PREFIX_LETTERS for c in t[:-2]) and _means_you(originals[i + 1:i + 4]):
            out[i] = t[:-2] + "אתה"
        elif "." in t and (m := _TIME_DOT.fullmatch(t)) and (m.group(1) or (i and tokens[i - 1] in _TIME_WORDS)):
            out[i] = t.replace(".", ":")  # "בשעה 15.00", "ב-15.00": a time, as "15:00" (not a price)
    return out


_TIME_WORDS = frozenset(["בשעה", "השעה", "משעה", "עד", "לפני", "אחרי", "בסביבות", "סביב", "מהשעה"])
_TIME_DOT = re.compile(r"([\u05d0-\u05ea]{0,3})(?:[01]?\d|2[0-3])\.[0-5]\d")
_RUN = re.compile(r"[\u05d0-\u05ea]+")


def canonical_pattern(src: str) -> str:
    """Fold the Hebrew words of a lexicon pattern (a regex) the way text is folded: each whole run of
    Hebrew letters that is a word in the tables. Final letters are left as written (a run may end a
    regex fragment, "אלי(?:ך|כם)"); the text side puts them right by position."""
    def sub(m: re.Match[str]) -> str:
        run = m.group(0)
        got = WORDS.get(run)
        return got if got is not None else run

    if not HEBREW_LETTER.search(src):
        return src
    return _RUN.sub(sub, _YOU_FEMININE.sub("אתה ", src))


# "את" written as "you" before a feminine form in a pattern ("את צודקת"): the text side makes it אתה.
_YOU_FEMININE = re.compile("(?<![\u05d0-\u05ea])את (?=(?:" + "|".join(sorted(FEMININE_PRESENT, key=len, reverse=True))
                           + ")(?![\u05d0-\u05ea]))")
