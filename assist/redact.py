"""Redaction of identifying data in what is stored, exported, logged or saved (DESIGN.md: privacy).

Four kinds, written or spoken, in English and Hebrew:

- card numbers: 13–19 digits that pass the Luhn check (`[card]`);
- phone numbers: international (`+44 …`), local (`054-1234567`), short (`555-0123`), and digits
  read out one by one (`[phone]`);
- e-mail addresses, also spoken ("billing at acme dot biz", "dana dot cohen at example dot com",
  "דנה שטרודל ג'ימייל נקודה קום") (`[email]`);
- national ID numbers: US SSN, UK National Insurance, Israeli Teudat Zehut with its check digit
  (`[id]`);

plus any other run of nine or more digits (`[number]`): an account or a misheard card number is
still personal, and no price, date or quantity in a call has that many.

How: the text is cut into tokens; runs of number tokens — digits ("4111", "054-123", "+972") and
number words ("forty one", "eleven", "double oh", "ארבעים ואחת", "אחת עשרה", "אפס") — are read as
digit strings and classified with the words just before them ("my phone is", "תעודת זהות"). Prices,
decimals, times, dates and thousands-separated amounts break a run and are never redacted.
Everything is a single pass over the tokens: linear in the text, whatever the text.

A recogniser may split one number over two utterances ("My phone is 054 -123." / "4 5 6 7"):
`redact_utterances` reads each speaker's consecutive utterances as one text, so both halves are
redacted. The rule of thumb: when in doubt, redact — a lost digit in a report costs nothing, a
leaked card number costs a lot.

The API the paths out call:
    redact_text(text) -> text                      one string (an event's match, a note)
    redact_utterances(utts) -> utts                a call's utterances (Utterance objects or report
                                                   dicts), split numbers included; originals untouched
    redact_report(report) -> report                a whole assist.report/1 dict (utterances, words,
                                                   event matches), with call.redacted = true
    UtteranceRedactor                              the same for a live log, one utterance at a time
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from assist.transcript import Utterance

TAGS = {"card": "[card]", "phone": "[phone]", "email": "[email]", "id": "[id]", "number": "[number]"}

# Two utterances of one speaker further apart than this are not read as one text.
JOIN_GAP_S = 5.0


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


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


# ------------------------------------------------------------------ number words
_EN_UNITS = {"zero": 0, "oh": 0, "o": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
             "six": 6, "seven": 7, "eight": 8, "nine": 9}
_EN_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}
_EN_REPEAT = {"double": 2, "triple": 3}
_HE_UNITS = {"אפס": 0, "אחד": 1, "אחת": 1, "שתיים": 2, "שתים": 2, "שניים": 2, "שנים": 2, "שני": 2, "שתי": 2,
             "שלוש": 3, "שלושה": 3, "שלש": 3, "ארבע": 4, "ארבעה": 4, "חמש": 5, "חמישה": 5, "חמשה": 5,
             "שש": 6, "שישה": 6, "ששה": 6, "שבע": 7, "שבעה": 7, "שמונה": 8, "תשע": 9, "תשעה": 9}
_HE_TEN = {"עשר": 10, "עשרה": 10}
_HE_TENS = {"עשרים": 20, "שלושים": 30, "שלשים": 30, "ארבעים": 40, "חמישים": 50, "שישים": 60, "ששים": 60,
            "שבעים": 70, "שמונים": 80, "תשעים": 90}
_HE_UNITS.update({"שלושת": 3, "ארבעת": 4, "חמשת": 5, "ששת": 6, "שבעת": 7, "שמונת": 8, "תשעת": 9})  # construct forms
_HUNDRED = {"hundred": 100, "מאה": 100, "מאות": 100, "מאתיים": 200}
_THOUSAND = {"thousand": 1000, "אלף": 1000, "אלפים": 1000, "אלפיים": 2000}
_HE_PREFIXES = "ולהבמש"  # attached letters a Hebrew number word may carry ("ואחת", "לאפס")


_WORDS: dict[str, tuple[str, int]] = {}
for _table, _kind in ((_EN_UNITS, "unit"), (_EN_TEENS, "teen"), (_EN_TENS, "tens"), (_EN_REPEAT, "repeat"),
                      (_HE_UNITS, "unit"), (_HE_TEN, "ten"), (_HE_TENS, "tens"), (_HUNDRED, "hundred"),
                      (_THOUSAND, "thousand")):
    for _w, _v in _table.items():
        _WORDS.setdefault(_w, (_kind, _v))


def _word_value(w: str) -> tuple[str, int] | None:
    """(kind, value) of one number word: kind is unit / teen / tens / ten (Hebrew) / hundred /
    thousand / repeat. Hebrew words may carry one attached prefix letter ("ואחת", "לאפס")."""
    got = _WORDS.get(w)
    if got is None and len(w) > 2 and w[0] in _HE_PREFIXES:
        got = _WORDS.get(w[1:])
    return got


# ------------------------------------------------------------------ tokens
_TOKEN = re.compile(r"\S+")
_EDGE = "\"'“”‘’«»!?,;:.…()[]{}"
_LEAD = _EDGE + "-"
_DIGITS_TOKEN = re.compile(r"\(?\+?\d[\d().\-]*")  # 054-123-4567, (555), +972, 4111
_DIGIT_GROUP = re.compile(r"\d+")
_MONEY = re.compile(r"[$£€₪¥]|\d[.,]\d{1,2}$|%$|^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_HE_DIGIT_PREFIX = re.compile(r"[ולהבמש]-?(?=[(+\d])")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_LOCAL_WORD = re.compile(r"[^\W_][\w.'+-]*")  # a spoken address's local part: "billing", "tom99", "d.cohen"
_DOMAIN = re.compile(r"[^\W_][\w-]*(?:\.[^\W_][\w-]*)+")
# UK National Insurance: two letters, six digits, A-D. Any two capitals (QQ is the one in every
# example), or in lower case the prefixes that are really issued.
_NINO = re.compile(r"\b(?:[A-Z]{2}|(?i:[A-CEGHJ-PR-TW-Z]{2})) ?\d{2} ?\d{2} ?\d{2} ?(?i:[A-D])\b")
_AT = {"at", "@", "שטרודל", "כרוכית", "את"}
_DOT = {"dot", "נקודה", "."}
_LOCAL_SEP = {"dot", "underscore", "dash", "hyphen", "נקודה", "מקף"}
_NOT_LOCAL = {"is", "it's", "its", "me", "be", "am", "are", "was", "i'm", "im", "we're", "you're", "them", "him",
              "her", "us", "you", "i", "we", "they", "he", "she", "it", "to", "there", "here", "home", "and",
              "or", "but", "email", "mail", "address", "הוא", "היא", "זה", "שלי", "המייל", "מייל", "כתובת"}
_MAIL_HOSTS = {"gmail", "hotmail", "yahoo", "outlook", "icloud", "walla", "ג'ימייל", "גימייל", "וואלה"}

_PHONE_CTX = {"phone", "phones", "mobile", "cell", "cellphone", "tel", "telephone", "landline", "whatsapp",
              "call", "ring", "reach", "text", "contact", "number", "no", "טלפון", "הטלפון", "נייד", "הנייד",
              "פלאפון", "הפלאפון", "סלולרי", "מספר", "המספר", "להתקשר", "תתקשרו", "תתקשר", "תתקשרי", "וואטסאפ"}
_NOT_PHONE_CTX = {"order", "reference", "ref", "invoice", "case", "ticket", "tracking", "model", "version",
                  "code", "room", "flat", "apartment", "points", "units", "הזמנה", "ההזמנה", "אסמכתא", "תיק",
                  "פנייה", "דגם", "גרסה"}
_ID_CTX = {"id", "identity", "ssn", "social", "passport", "national", "insurance", "ni", "זהות", "תעודת", "ת.ז",
           "ת.ז.", "ת\"ז", "תז", "דרכון"}
_CARD_CTX = {"card", "visa", "mastercard", "amex", "credit", "debit", "כרטיס", "הכרטיס", "אשראי", "ויזה"}


@dataclass(slots=True)
class _Tok:
    start: int  # of the core (the token without edge punctuation)
    end: int
    core: str
    low: str
    trail: str  # punctuation after the core ("," "." …)
    kind: str  # "digits" | "word" | "number" | "break"
    digits: str = ""  # for "digits"
    groups: tuple[int, ...] = ()  # digit-group sizes inside a "digits" token
    plus: bool = False
    value: tuple[str, int] | None = None  # for "number"


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        raw, a = m.group(), m.start()
        if raw.isalpha():  # most tokens: a plain word, no punctuation, no digits
            low = raw.lower()
            v = _word_value(low)
            out.append(_Tok(a, a + len(raw), raw, low, "", "word" if v is None else "number", value=v))
            continue
        lead = len(raw) - len(raw.lstrip(_LEAD))
        core = raw[lead:].rstrip(_EDGE)
        if not core:
            out.append(_Tok(a, a + len(raw), raw, raw, "", "break"))
            continue
        trail = raw[lead + len(core):]
        pre = _HE_DIGIT_PREFIX.match(core)
        if pre:  # "ל-03-6123456", "ב-14": a Hebrew prefix letter attached to digits
            lead += pre.end()
            core = core[pre.end():]
        start = a + lead
        low = core.lower()
        tok = _Tok(start, start + len(core), core, low, trail, "word")
        if "@" in core:
            pass  # an e-mail address (read by _emails), whatever digits it holds
        elif _MONEY.search(core) and any(ch.isdigit() for ch in core):
            tok.kind = "break"
        elif _DIGITS_TOKEN.fullmatch(core) and core[-1:].isdigit() or re.fullmatch(r"\(\d+\)", core):
            groups = _DIGIT_GROUP.findall(core)
            tok.kind, tok.digits, tok.groups = "digits", "".join(groups), tuple(len(g) for g in groups)
            tok.plus = "+" in core
        elif any(ch.isdigit() for ch in core):
            tok.kind = "break"  # 10:30, 14/3, 3pm, 14th, v2: times, dates, ordinals — never a run
        else:
            v = _word_value(low)
            if v is not None:
                tok.kind, tok.value = "number", v
        out.append(tok)
    # "oh" / "o" are digits only next to other number tokens ("oh two oh"), not "oh, I see".
    for i, t in enumerate(out):
        if t.kind == "number" and t.low in ("oh", "o"):
            near = [out[j] for j in (i - 1, i + 1) if 0 <= j < len(out)]
            if not any(n.kind in ("digits", "number") and n.low not in ("oh", "o") or
                       (n.kind == "number" and n.low in ("oh", "o")) for n in near):
                t.kind, t.value = "word", None
    return out


# ------------------------------------------------------------------ number runs
@dataclass
class _Run:
    first: int  # token indices, inclusive
    last: int
    digits: str
    groups: list[int]
    plus: bool
    single_digits: int  # how many items were one spoken digit ("four", "oh", "אפס")
    written: bool


def _joinable(t: _Tok) -> bool:
    """Whether a run may continue after token t: spaces, or a comma, dash, dot, bracket after it."""
    return all(ch in ",-.)" for ch in t.trail)


class _Spoken:
    """Spoken numbers read into digit groups. Digit-by-digit and pairwise readings concatenate
    ("forty one eleven" = 41|11, "double oh seven" = 00|7); a hundred or a thousand starts a number
    whose later parts add up ("one thousand two hundred and forty" = 1240, "מאה ועשרים" = 120)."""

    def __init__(self) -> None:
        self.groups: list[str] = []
        self.singles = 0  # groups that were one spoken digit
        self.total = 0
        self.cur: int | None = None
        self.cur_kind = ""  # unit | teen | tens | compound | round
        self.has_round = False
        self.join_next = False  # after "thousand" or "and": the next word adds to this number
        self.repeat = 1

    def flush(self) -> None:
        if self.cur is not None or self.total:
            value = self.total + (self.cur or 0)
            text = str(value)
            self.groups.append(text)
            if self.cur_kind == "unit" and not self.total:
                self.singles += 1
        self.total, self.cur, self.cur_kind, self.has_round, self.join_next = 0, None, "", False, False

    def add(self, kind: str, val: int, vav: bool) -> None:
        """One number word; `vav`: a Hebrew word with the attached ו ("and")."""
        if kind == "repeat":
            self.flush()
            self.repeat = val
            return
        if self.repeat > 1 and kind == "unit":
            self.flush()
            self.groups.append(str(val) * self.repeat)
            self.singles += self.repeat
            self.repeat = 1
            return
        self.repeat = 1
        if kind == "hundred":
            if self.cur is not None and self.cur >= 100:
                self.flush()
            self.cur = (self.cur if self.cur else 1) * val if val == 100 else val
            self.cur_kind, self.has_round = "round", True
            return
        if kind == "thousand":
            self.total += (self.cur if self.cur else 1) * 1000
            self.cur, self.cur_kind, self.has_round, self.join_next = None, "round", True, True
            return
        if kind == "ten":  # Hebrew עשר/עשרה: after a unit it makes a teen (אחת עשרה = 11)
            if self.cur is not None and self.cur_kind == "unit" and not self.has_round:
                self.cur, self.cur_kind = 10 + self.cur, "teen"
                return
            kind, val = "teen", 10
        if self.cur is None and not self.total:
            self.cur, self.cur_kind = val, kind
            return
        if kind == "unit" and self.cur_kind == "tens" and val:  # forty one, ארבעים ואחת
            self.cur = (self.cur or 0) + val
            self.cur_kind = "compound"
            return
        if self.has_round and (self.join_next or vav) and val < 100:
            self.cur = (self.cur or 0) + val
            self.cur_kind, self.join_next = kind, False
            return
        self.flush()
        self.cur, self.cur_kind = val, kind


def _read_run(toks: list[_Tok], i: int) -> _Run | None:
    """The run of number tokens starting at toks[i], read into digits."""
    if toks[i].kind not in ("digits", "number"):
        return None
    digits: list[str] = []
    groups: list[int] = []
    plus = written = False
    spoken = _Spoken()

    def take_spoken() -> None:
        spoken.flush()
        digits.extend(spoken.groups)
        groups.extend(len(g) for g in spoken.groups)
        spoken.groups.clear()

    j = last = i
    while j < len(toks):
        t = toks[j]
        if t.kind == "digits":
            take_spoken()
            digits.append(t.digits)
            groups.extend(t.groups)
            plus = plus or t.plus
            written = True
        elif t.kind == "number" and t.value is not None:
            kind, val = t.value
            spoken.add(kind, val, vav=t.low[:1] == "ו" and t.low not in _HE_UNITS)
        else:
            break
        last = j
        if not _joinable(t):
            break
        j += 1
        # "a hundred and twenty": "and" joins only inside a number with a hundred or a thousand
        if j + 1 < len(toks) and toks[j].low == "and" and spoken.has_round and toks[j + 1].kind == "number":
            spoken.join_next = True
            j += 1
    take_spoken()
    if not digits:
        return None
    return _Run(i, last, "".join(digits), groups, plus, spoken.singles, written)


def _context(toks: list[_Tok], first: int, last: int, before: int = 6) -> set[str]:
    words = {t.low.strip("\"'") for t in toks[max(0, first - before):first]}
    words |= {t.low for t in toks[last + 1:last + 2]}
    return words


def _phone_format(run: _Run) -> bool:
    g = run.groups
    if run.plus:
        return True
    if len(g) >= 2 and g[-1] == 4 and g[-2] == 3:  # 555-0123, 123-4567, (555) 123-4567
        return True
    # 054-1234567, 03 612 3456: a leading zero (a trunk prefix) and a separator
    return run.digits.startswith("0") and len(run.digits) >= 9 and len(g) >= 2


def _classify(run: _Run, ctx: set[str]) -> str | None:
    d, n = run.digits, len(run.digits)
    if 13 <= n <= 19 and (luhn_ok(d) or ctx & _CARD_CTX):
        return "card"
    if run.written and run.groups[-3:] == [3, 2, 4] and n == 9:
        return "id"  # 123-45-6789: the SSN's shape
    if ctx & _ID_CTX and n in (8, 9):
        return "id"
    if n == 9 and israeli_id_ok(d) and not _phone_format(run) and not d.startswith("0"):
        return "id"
    if n >= 10 or (run.plus and n >= 7):
        return "phone"
    if 7 <= n <= 9:
        if _phone_format(run) or run.single_digits >= 7:
            return "phone"
        if ctx & _PHONE_CTX and not ctx & _NOT_PHONE_CTX:
            return "phone"
    if n >= 9 and not ctx & _NOT_PHONE_CTX:
        return "number"  # an account number, or a card number misheard by a digit
    return None


# ------------------------------------------------------------------ e-mail addresses
def _emails(text: str, toks: list[_Tok]) -> list[tuple[int, int]]:
    """Token index ranges (inclusive) of e-mail addresses, written or spoken."""
    found: list[tuple[int, int]] = []
    n = len(toks)
    for k, t in enumerate(toks):
        if t.kind == "word" and "@" in t.core and _EMAIL.fullmatch(t.core):
            found.append((k, k))
            continue
        if t.low not in _AT or t.trail or k + 1 >= n:
            continue
        # domain: a written one (acme.biz), or one or two words then (dot word)+
        end = -1
        if _DOMAIN.fullmatch(toks[k + 1].core):
            end = k + 1
        else:
            j = k + 1
            words = 0
            while j < n and words < 2 and toks[j].low not in _DOT and not toks[j].trail:
                j += 1
                words += 1
            if words == 0:
                continue
            while j + 1 < n and toks[j].low in _DOT and not toks[j].trail and toks[j + 1].kind != "break":
                end = j + 1
                if toks[j + 1].trail:
                    break
                j += 2
            if end < 0:
                if words == 1 and toks[k + 1].low in _MAIL_HOSTS:
                    end = k + 1  # "at gmail": the host says it is an address
                else:
                    continue
        # local part: the word before, extended back over "dot"/"underscore"-joined words
        first = k
        j = k - 1
        while j >= 0 and not toks[j].trail and toks[j].low not in _NOT_LOCAL and _LOCAL_WORD.fullmatch(toks[j].core):
            first = j
            # number words may run on ("underscore seventy two")
            while j - 1 >= 0 and toks[j].kind == "number" and toks[j - 1].kind == "number" and not toks[j - 1].trail:
                j -= 1
                first = j
            if j - 1 >= 0 and toks[j - 1].low in _LOCAL_SEP and not toks[j - 1].trail:
                j -= 2
                continue
            break
        found.append((first, end))
    return found


# ------------------------------------------------------------------ spans
def find_personal_data(text: str) -> list[Span]:
    """Where identifying data is in `text`, as sorted, non-overlapping spans."""
    if not text:
        return []
    toks = _tokens(text)
    spans: list[Span] = []
    taken = [False] * len(toks)
    for a, b in _emails(text, toks):
        if any(taken[a:b + 1]):
            continue
        spans.append(Span(toks[a].start, toks[b].end, "email"))
        for i in range(a, b + 1):
            taken[i] = True
    for m in _NINO.finditer(text):
        inside = [i for i, t in enumerate(toks) if t.start < m.end() and t.end > m.start()]
        if any(taken[i] for i in inside):
            continue
        spans.append(Span(m.start(), m.end(), "id"))
        for i in inside:
            taken[i] = True
    i = 0
    while i < len(toks):
        if taken[i]:
            i += 1
            continue
        run = _read_run(toks, i)
        if run is None:
            i += 1
            continue
        last = run.last
        while last > i and taken[last]:
            last -= 1
        kind = _classify(run, _context(toks, run.first, run.last))
        if kind is not None:
            spans.append(Span(toks[run.first].start, toks[last].end, kind))
        i = run.last + 1
    return sorted(spans, key=lambda s: s.start)


def _apply(text: str, spans: Iterable[Span], offset: int = 0) -> str:
    """`text` (which starts at `offset` in the text the spans refer to) with the spans replaced."""
    out: list[str] = []
    pos = 0
    for s in spans:
        a, b = max(s.start - offset, 0), min(s.end - offset, len(text))
        if b <= a or a < pos:
            continue
        out.append(text[pos:a])
        out.append(TAGS[s.kind])
        pos = b
    out.append(text[pos:])
    return "".join(out)


def redact_text(text: str) -> str:
    if not text:
        return text
    return _apply(text, find_personal_data(text))


# ------------------------------------------------------------------ utterances
U = TypeVar("U", Utterance, dict[str, Any])
_BREAK = " \u2029 "  # between utterances that must not be read as one text: a token of its own


def _field(u: Utterance | dict[str, Any], name: str, default: Any = None) -> Any:
    return u.get(name, default) if isinstance(u, dict) else getattr(u, name, default)


def _utterance_spans(utts: Sequence[Utterance | dict[str, Any]]) -> list[list[Span]]:
    """Per utterance, the spans to redact in its text, each speaker's consecutive utterances read
    as one text (a number or an address split by the recogniser is found whole)."""
    result: list[list[Span]] = [[] for _ in utts]
    by_speaker: dict[str, list[int]] = {}
    for i, u in enumerate(utts):
        by_speaker.setdefault(str(_field(u, "speaker", "")), []).append(i)
    for idxs in by_speaker.values():
        parts: list[str] = []
        offsets: list[int] = []
        pos = 0
        prev_end: float | None = None
        for i in idxs:
            u = utts[i]
            text = str(_field(u, "text", "") or "")
            start, end = _field(u, "start"), _field(u, "end")
            if parts:
                gap_ok = prev_end is None or not isinstance(start, int | float) or start - prev_end <= JOIN_GAP_S
                sep = " " if gap_ok else _BREAK
                parts.append(sep)
                pos += len(sep)
            offsets.append(pos)
            parts.append(text)
            pos += len(text)
            prev_end = float(end) if isinstance(end, int | float) else None
        joined = "".join(parts)
        spans = find_personal_data(joined)
        for i, off in zip(idxs, offsets, strict=True):
            text = str(_field(utts[i], "text", "") or "")
            cut = [_trim(text, max(s.start, off) - off, min(s.end, off + len(text)) - off, s.kind)
                   for s in spans if s.start < off + len(text) and s.end > off]
            result[i] = [c for c in cut if c is not None]
    return result


def _trim(text: str, a: int, b: int, kind: str) -> Span | None:
    """A span cut at an utterance's edge, without the spaces and punctuation it took along there
    ("My phone is 054 -123." keeps its full stop)."""
    while a < b and not (text[a].isalnum() or text[a] in "+(-"):
        a += 1
    while b > a and not (text[b - 1].isalnum() or text[b - 1] == ")"):
        b -= 1
    return Span(a, b, kind) if b > a else None


def _redact_words(words: list[dict[str, Any]], text: str, spans: list[Span]) -> list[dict[str, Any]]:
    """Word lists keep their times; a word inside a redacted span loses its text. Words are found
    in the utterance text in order; if they cannot all be found, every word text is dropped
    (times kept) rather than risk leaving a digit in clear."""
    out = [dict(w) for w in words]
    if not spans:
        return out
    pos = 0
    located: list[tuple[int, int]] = []
    for w in out:
        t = str(w.get("text", "")).strip()
        k = text.find(t, pos) if t else -1
        if k < 0:
            for x in out:
                x["text"] = ""
            return out
        located.append((k, k + len(t)))
        pos = k + len(t)
    for w, (a, b) in zip(out, located, strict=True):
        if any(s.start < b and s.end > a for s in spans):
            w["text"] = "[redacted]"
    return out


def redact_utterances(utts: Sequence[U]) -> list[U]:
    """Redacted copies of a call's utterances (Utterance objects or report dicts, as given); the
    originals are not changed. Numbers and addresses split across one speaker's consecutive
    utterances are found whole and redacted in each part. Word lists keep their times."""
    spans = _utterance_spans(utts)
    out: list[Any] = []
    for u, sp in zip(utts, spans, strict=True):
        if isinstance(u, dict):
            d = copy.deepcopy(u)
            text = str(d.get("text", "") or "")
            if sp:
                d["text"] = _apply(text, sp)
                if d.get("words"):
                    d["words"] = _redact_words(d["words"], text, sp)
            out.append(d)
        else:
            if not sp:
                out.append(replace(u, words=list(u.words) if u.words else u.words))
                continue
            words = None
            if u.words:
                red = _redact_words([{"text": w.text} for w in u.words], u.text, sp)
                words = [replace(w, text=r["text"]) for w, r in zip(u.words, red, strict=True)]
            out.append(replace(u, text=_apply(u.text, sp), words=words))
    return out


def redact_report(report: dict[str, Any]) -> dict[str, Any]:
    """A redacted deep copy of an assist.report/1 dict: utterances (split numbers included),
    their words, and every event's `match` (found in its utterance, or redacted on its own)."""
    r = copy.deepcopy(report)
    utts = r.get("utterances") or []
    spans = _utterance_spans(utts)
    originals = [str(u.get("text", "") or "") for u in utts]
    r["utterances"] = redact_utterances(utts)
    for e in r.get("events", []) or []:
        if not e.get("match"):
            continue
        match = str(e["match"])
        i = e.get("utterance")
        if isinstance(i, int) and 0 <= i < len(originals) and (k := originals[i].find(match)) >= 0:
            e["match"] = _apply(match, spans[i], offset=k)
            if e["match"] == match:
                e["match"] = redact_text(match)
        else:
            e["match"] = redact_text(match)
    r.setdefault("call", {})["redacted"] = True
    return r


class UtteranceRedactor:
    """Redaction for a log written while the call runs, one final utterance at a time.

    `push(u)` returns the utterances ready to write, redacted. A speaker's utterance that ends in
    a number is held back until that speaker's next utterance (or `flush()` at the end), because
    the recogniser may have split the number there ("054 -123." / "4 5 6 7")."""

    def __init__(self) -> None:
        self._held: dict[str, Utterance] = {}
        self._before: dict[str, Utterance] = {}  # the speaker's previous utterance: context only

    def push(self, u: Utterance) -> list[Utterance]:
        out: list[Utterance] = []
        held = self._held.pop(u.speaker, None)
        window = [x for x in (self._before.get(u.speaker), held) if x is not None] + [u]
        red = redact_utterances(window)
        if held is not None:
            out.append(red[-2])
            self._before[u.speaker] = held
        toks = _tokens(u.text)
        if toks and toks[-1].kind in ("digits", "number"):
            self._held[u.speaker] = u
        else:
            out.append(red[-1])
            self._before[u.speaker] = u
        return out

    def flush(self) -> list[Utterance]:
        out = []
        for speaker, held in list(self._held.items()):
            window = [x for x in (self._before.get(speaker), held) if x is not None]
            out.append(redact_utterances(window)[-1])
        self._held.clear()
        return sorted(out, key=lambda x: x.index)
