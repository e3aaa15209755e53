"""Redaction of identifying data in what is stored or exported (DESIGN.md: privacy).

Card numbers (13–19 digits that pass the Luhn check), phone numbers, e-mail addresses and national
ID numbers (US SSN, UK National Insurance, Israeli Teudat Zehut with its check digit) are replaced by
a tag. Recogniser text spells numbers as words ("four five three two …"), so long runs of spoken
digits are redacted too. The rule of thumb: when in doubt, redact — a lost digit in a report costs
nothing, a leaked card number costs a lot.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_SPOKEN_EMAIL = re.compile(r"\b[\w.]+ at [\w-]+ dot (?:com|net|org|co|io|uk|il|de|fr|edu|gov)(?: dot \w{2,3})?\b", re.I)
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I)
_DIGIT_RUN = re.compile(r"(?<![\w])\+?\d[\d \-.()]{5,}\d(?![\w])")
_DIGIT_WORDS = {"zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "double", "triple"}
_SPOKEN_RUN = re.compile(r"\b(?:(?:" + "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True)) + r")[\s,-]+){6,}(?:"
                         + "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True)) + r")\b", re.I)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def israeli_id_ok(digits: str) -> bool:
    if len(digits) != 9:
        return False
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (1 if i % 2 == 0 else 2)
        total += d if d < 10 else d - 9
    return total % 10 == 0


def _digits_sub(m: re.Match[str]) -> str:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    if 13 <= len(digits) <= 19 and luhn_ok(digits):
        return "[card]"
    if len(digits) == 9 and israeli_id_ok(digits) and not raw.startswith("+"):
        return "[id]"
    if len(digits) >= 9:
        return "[phone]"
    return raw


def redact_text(text: str) -> str:
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _SPOKEN_EMAIL.sub("[email]", text)
    text = _SSN.sub("[id]", text)
    text = _NINO.sub("[id]", text)
    text = _DIGIT_RUN.sub(_digits_sub, text)
    text = _SPOKEN_RUN.sub("[number]", text)
    return text


def _redact_words(words: list[dict[str, Any]], redacted_text: str) -> list[dict[str, Any]]:
    """Word lists keep their times; a word that held part of a redacted span loses its text."""
    out = []
    run: list[int] = []
    for i, w in enumerate(words):
        t = str(w.get("text", ""))
        if t.strip(",.-").lower() in _DIGIT_WORDS:
            run.append(i)
        else:
            run = []
        out.append(dict(w))
        if re.search(r"\d{3,}|@", t):
            out[-1]["text"] = "[redacted]"
        if len(run) >= 7:
            for j in run:
                out[j]["text"] = "[redacted]"
    if redacted_text.count("[") and "[" not in " ".join(str(w.get("text")) for w in out):
        # The text lost something the word-level rules did not see: keep times, drop texts.
        for w in out:
            w["text"] = ""
    return out


def redact_report(report: dict[str, Any]) -> dict[str, Any]:
    """A redacted deep copy of an assist.report/1 dict."""
    r = copy.deepcopy(report)
    for u in r.get("utterances", []):
        new = redact_text(str(u.get("text", "")))
        if u.get("words"):
            u["words"] = _redact_words(u["words"], new) if new != u.get("text") else u["words"]
        u["text"] = new
    for e in r.get("events", []):
        if "match" in e:
            e["match"] = redact_text(str(e["match"]))
    r.setdefault("call", {})["redacted"] = True
    return r
