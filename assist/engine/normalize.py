"""Text normalisation shared by written and recogniser text.

Written text ("Well, no. That's not my job!") and recogniser text ("well no that's not my job")
must meet the same rules. We lowercase, unify apostrophes, expand the lexicon's contractions, drop
punctuation and split sentences where punctuation exists. Every normalised token remembers which
original word it came from, so a match can be shown, highlighted and timed in the words the user
actually saw.

Hebrew words (recognised by their script, whatever the lexicon) also lose niqqud and cantillation,
split at maqaf, keep a hyphenated prefix on its word ("ב-3" -> "ב3"), and are folded to one form
for spelling variants, final letters and gender (assist/engine/hebrew.py says what and why).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assist.engine import hebrew

# Apostrophes and quotes to ASCII (Hebrew geresh ׳ and gershayim ״ too), maqaf ־ to a hyphen,
# paseq ׀ to a space and sof pasuq ׃ to a full stop.
_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u05f3": "'", "\u05f4": '"',
                       "\u05be": "-", "\u05c0": " ", "\u05c3": ".", "\u201c": '"', "\u201d": '"'})
# Niqqud (vowel points, dagesh, shin/sin dots) and cantillation marks; bidirectional controls
# (LRM, RLM, embeddings, isolates) and zero-width joiners, which copied RTL text carries invisibly.
_NIQQUD = re.compile(r"[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u200c-\u200f\u202a-\u202e\u2066-\u2069]")
_PRESENTATION = re.compile(r"[\ufb1d-\ufb4f]")  # precomposed Hebrew letters with points (שׁ as one char)
# An acronym's gershayim (אחה"צ, ש"ח) or geresh-less quote between two Hebrew letters: dropped, so
# the acronym is one word; anywhere else a quote splits words as before.
_ACRONYM_QUOTE = re.compile(r'(?<=[\u05d0-\u05ea])"(?=[\u05d0-\u05ea])')
_HEB_FIRST = frozenset(chr(c) for c in range(0x05D0, 0x05EB))
# A word that ends a sentence: trailing . ! ? … (but not a decimal/time like 10.30 or an initial).
_SENT_END = re.compile(r"[.!?\u2026;]+[\"')\]]*$")
_END_CHARS = frozenset(".!?\u2026;\"')]")  # last characters a sentence-ending word can have
_ABBREV = {"mr.", "mrs.", "ms.", "dr.", "st.", "e.g.", "i.e.", "etc.", "vs.", "approx.", "dept.", "a.m.", "p.m."}
_STRIP = re.compile(r"^[^\w']+|[^\w']+$")
# ":" and "/" stay inside a word: they hold times (10:30) and dates (14/3).
_SPLIT_INNER = re.compile(r"[\-\u2013\u2014,;!?\"()\[\]\u2026]+|:(?!\d)|\.{2,}")
_NUM_UNIT = re.compile(r"^(\d{1,2}(?::\d{2})?)(am|pm|a\.m\.|p\.m\.)$")


@dataclass(slots=True)
class Token:
    text: str
    word: int  # index of the original word it came from


@dataclass(slots=True)
class Sentence:
    tokens: list[Token]
    text: str  # tokens joined by single spaces
    offsets: list[int]  # char offset of each token in `text`

    def token_at(self, char: int) -> int:
        """Index of the token that covers char offset `char` (binary search over offsets)."""
        lo, hi = 0, len(self.offsets) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.offsets[mid] <= char:
                lo = mid
            else:
                hi = mid - 1
        return lo


@dataclass(slots=True)
class NormText:
    words: list[str]  # original words as given (whitespace split)
    sentences: list[Sentence]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def normalize_word(w: str) -> str:
    if _PRESENTATION.search(w):
        w = unicodedata.normalize("NFKD", w)
    w = _NIQQUD.sub("", w.translate(_APOS)).lower()
    if '"' in w:
        w = _ACRONYM_QUOTE.sub("", w)
    return w


def _is_clitic(part: str) -> bool:
    """A lone Hebrew prefix (ב, ה, ל, וב, כש…) cut off by a hyphen or maqaf: "ב-3", "ה־SLA"."""
    return 0 < len(part) <= 3 and all(c in hebrew.PREFIX_LETTERS for c in part)


def _pieces(word: str, contractions: dict[str, str]) -> list[str]:
    if word.isalpha():  # the common case (plain word, no marks or punctuation): skip the regexes
        if word.isascii():
            lw = word.lower()
            exp = contractions.get(lw)
            return exp.split() if exp else [lw]
        if word[0] in _HEB_FIRST and max(word) <= "\u05ea":  # plain Hebrew letters only
            return hebrew.canonical_word(word)
    w = normalize_word(word)
    out: list[str] = []
    parts = _SPLIT_INNER.split(w)
    if len(parts) > 1 and _is_clitic(parts[0]):
        parts = [parts[0] + parts[1]] + parts[2:]  # "ב-3" -> "ב3": the prefix belongs to the next word
    for part in parts:
        part = _STRIP.sub("", part)
        if not part or part == "'":
            continue
        # "3pm" -> "3 pm" so times read the same whichever way they were written.
        m = _NUM_UNIT.match(part.replace(".", "")) if part[0].isdigit() else None
        if m:
            out.extend([m.group(1), m.group(2).replace(".", "")])
            continue
        part = part.strip("'") or part
        if part in ("a.m", "p.m"):  # "3 p.m." reads like "3 pm"
            part = part.replace(".", "")
        if part[0] in _HEB_FIRST:
            out.extend(hebrew.canonical_word(part))
            continue
        exp = contractions.get(part)
        if exp:
            out.extend(exp.split())
        else:
            out.append(part)
    return out


# A memo holds at most this many words, then starts over: a call's vocabulary is far smaller,
# and a long-running process must not grow without bound.
_MEMO_MAX = 20000


def _hebrew_sentence(tokens: list[Token], orig: list[str]) -> None:
    """Sentence-level Hebrew folds (את as "you", "15.00" as a time), in place. Most sentences have
    neither: they cost one scan."""
    texts = [t.text for t in tokens]
    if not any(x.endswith("את") or "." in x for x in texts):
        return
    originals = [_STRIP.sub("", normalize_word(orig[t.word])) for t in tokens]
    for t, new in zip(tokens, hebrew.canonical_sentence(texts, originals), strict=True):
        t.text = new


def normalize(text: str, contractions: dict[str, str] | None = None,
              words: list[str] | None = None, memo: dict[str, tuple[str, ...]] | None = None) -> NormText:
    """Split `text` (or the given recogniser `words`) into normalised sentences.

    `memo` (word -> its pieces) saves re-normalising words already seen: a live partial is
    re-fed one word longer each time, and a call repeats its words. It must only ever be used
    with the same `contractions`."""
    contractions = contractions or {}
    orig = words if words is not None else text.split()
    sentences: list[Sentence] = []
    cur: list[Token] = []

    def close() -> None:
        nonlocal cur
        if cur:
            if any(t.text[0] in _HEB_FIRST for t in cur):
                _hebrew_sentence(cur, orig)
            offs: list[int] = []
            pos = 0
            for t in cur:
                offs.append(pos)
                pos += len(t.text) + 1
            sentences.append(Sentence(cur, " ".join(t.text for t in cur), offs))
            cur = []

    for i, w in enumerate(orig):
        if memo is None:
            pieces: tuple[str, ...] | list[str] = _pieces(w, contractions)
        else:
            got = memo.get(w)
            if got is None:
                if len(memo) >= _MEMO_MAX:
                    memo.clear()
                got = memo[w] = tuple(_pieces(w, contractions))
            pieces = got
        for p in pieces:
            cur.append(Token(p, i))
        if not w or w[-1] not in _END_CHARS:
            continue
        lw = w.lower()
        if lw == "no." and i + 1 < len(orig) and orig[i + 1][:1].isdigit():
            continue  # "No. 5" is a number sign; "No." on its own ends a sentence
        if _SENT_END.search(w) and lw not in _ABBREV and not re.fullmatch(r"\d+[.:]\d+", w):
            close()
    close()
    return NormText(list(orig), sentences)
