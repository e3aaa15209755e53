"""Lexical rule matching over normalised sentences.

Speed matters (a live partial is re-checked on every recogniser update, and batch scoring runs
every call), so each pattern gets a literal prefilter: the set of substrings of which any match
must contain at least one, found by walking the compiled regex. A sentence that holds none of a
rule's literals is skipped without running the regex — most benign lines cost a few `in` tests.

The patterns themselves are `saferegex.SafePattern`s: they match on RE2, in time linear in the
sentence whatever the lexicon says. The prefilter regexes built here come from escaped literals
(a character trie), so Python's matcher runs them without backtracking.
"""

from __future__ import annotations

import functools
import re
import weakref
from dataclasses import dataclass
from typing import Any

try:  # Python 3.11+: the parser moved to re._parser; keep the old name as a fallback.
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

from assist.engine.lexicon import Lexicon, Rule
from assist.engine.normalize import NormText, Sentence, normalize

_LIT = sre_parse.LITERAL
_SUB = sre_parse.SUBPATTERN
_BRANCH = sre_parse.BRANCH
_MAXR = sre_parse.MAX_REPEAT
_MINR = sre_parse.MIN_REPEAT
_POSS = getattr(sre_parse, "POSSESSIVE_REPEAT", None)


# Words in nearly every sentence: a literal made only of these lets almost every line through.
_COMMON = frozenset(["a", "an", "the", "i", "you", "we", "they", "it", "is", "are", "am", "be", "was", "were", "will", "would", "can", "could", "do", "did", "not", "no", "to", "of", "and", "or", "in", "on", "at", "for", "with", "that", "this", "have", "has", "had", "going", "get", "got", "me", "my", "your", "our", "so", "just"])


def _selectivity(cand: set[str]) -> tuple[int, int]:
    """How well a literal set filters: its weakest member's letters outside common words first,
    then its length. "try" beats " will ", although " will " is longer."""
    def rare(lit: str) -> int:
        return sum(len(w) for w in lit.split() if w not in _COMMON)
    return min(map(rare, cand)), min(map(len, cand))


def _required(seq: Any) -> set[str] | None:
    """A set of literals of which every match of `seq` contains at least one, or None."""
    best: set[str] | None = None
    run = ""

    def consider(cand: set[str] | None) -> None:
        nonlocal best
        if not cand or any(len(c) < 2 for c in cand):
            return
        if best is None or _selectivity(cand) > _selectivity(best):
            best = cand

    for op, av in seq:
        if op is _LIT:
            run += chr(av)
            continue
        consider({run} if len(run) >= 2 else None)
        run = ""
        if op is _SUB:
            consider(_required(av[-1]))
        elif op is _BRANCH:
            alts = [_required(b) for b in av[1]]
            if all(a is not None for a in alts):
                consider(set().union(*alts))  # type: ignore[arg-type]
        elif op in (_MAXR, _MINR, _POSS) and av[0] >= 1:
            consider(_required(av[2]))
    consider({run} if len(run) >= 2 else None)
    return best


def literals_of(pattern: re.Pattern[str]) -> set[str] | None:
    found = _literals_cached(pattern.pattern, pattern.flags)
    return set(found) if found is not None else None


@functools.lru_cache(maxsize=8192)
def _literals_cached(src: str, flags: int) -> frozenset[str] | None:
    # Parsing a regex costs ~0.5 ms; a Coach is made per call (and per devset row), with the same
    # few hundred patterns each time, so the prefilter is computed once per pattern text.
    try:
        found = _required(sre_parse.parse(src, flags))
    except Exception:  # pragma: no cover - an unparseable pattern simply gets no prefilter
        return None
    return frozenset(found) if found is not None else None


@dataclass(slots=True)
class Hit:
    rule: Rule
    sentence: int
    first_word: int  # original word indices, inclusive
    last_word: int
    match: str  # normalised text of the match
    pending: bool = False  # on a partial: the rule's look-ahead cannot be decided yet


class _Compiled:
    """A rule ready for matching. Two prefilter levels keep benign lines cheap: the rule's
    literals (most rules are skipped because none of them is in the sentence), then per pattern
    its own literals, so only patterns whose words are present run their full regex. Both are
    answered from the sentence's set of present literals (`_Scanner`), one C scan per sentence."""

    __slots__ = ("rule", "pats", "lits")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.pats: list[tuple[re.Pattern[str], frozenset[str] | None]] = []
        union: set[str] | None = set()
        for p in rule.patterns:
            lits = literals_of(p)
            if lits is None:
                union = None
                self.pats.append((p, None))
                continue
            if union is not None:
                union |= lits
            self.pats.append((p, frozenset(lits)))
        self.lits = frozenset(union) if union else None


@functools.lru_cache(maxsize=1024)
def _alternation(lits: frozenset[str]) -> re.Pattern[str]:
    # Longest first, so the regex engine's literal scan stays simple; any hit means "maybe".
    return re.compile("|".join(re.escape(x) for x in sorted(lits, key=lambda x: (-len(x), x))))


def _trie_source(lits: frozenset[str]) -> str:
    """A regex matching, at a position, the LONGEST literal that starts there: the literals as
    a character trie, so each step is one character test among distinct first characters (a
    flat alternation of hundreds of literals would try them one by one at every position)."""
    trie: dict[str, Any] = {}
    for lit in lits:
        node = trie
        for ch in lit:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a literal

    def emit(node: dict[str, Any]) -> str:
        kids = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        # Greedy optional: the longer literal is tried first, the one ending here is the fallback.
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


class _Scanner:
    """Which of a fixed set of literals occur in a text, in one regex scan.

    A zero-width look-ahead at every position reports the longest literal starting there; every
    other literal starting at that position is a prefix of it, so adding each reported literal's
    prefixes that are themselves literals gives exactly the set {lit for lit in lits if lit in text}
    (the set the per-rule `in`/search prefilters used to compute one by one)."""

    __slots__ = ("_re", "_closure")

    def __init__(self, lits: frozenset[str]) -> None:
        self._re = re.compile("(?=(" + _trie_source(lits) + "))") if lits else None
        self._closure = {lit: frozenset(lit[:i] for i in range(1, len(lit) + 1) if lit[:i] in lits)
                         for lit in lits}

    def present(self, text: str) -> set[str]:
        out: set[str] = set()
        if self._re is None:
            return out
        closure = self._closure
        for m in self._re.finditer(text):
            out |= closure[m.group(1)]
        return out


@functools.lru_cache(maxsize=64)
def _scanner(lits: frozenset[str]) -> _Scanner:
    # Compiling the trie regex costs a few ms; a Coach (and so a Matcher) is made per call with
    # the same lexicon, so the scanner is built once per literal set.
    return _Scanner(lits)


class _Tables:
    """A lexicon's rules compiled for matching. Built once per lexicon object, not per Matcher:
    a Coach (and its Matcher) is made per call, per devset row and per test."""

    __slots__ = ("key", "rules", "pats", "by_lit", "always", "scanner", "fillers")

    def __init__(self, lexicon: Lexicon, key: tuple[Any, ...]) -> None:
        self.key = key
        self.rules = [_Compiled(r) for r in lexicon.rules]
        # Every pattern gets an id in rule order, then pattern order; each literal knows the
        # patterns it admits. A sentence's present literals then name the only patterns worth
        # running, in the same order the rules were tried in, without a test per pattern.
        self.pats: list[tuple[_Compiled, re.Pattern[str]]] = []
        by_lit: dict[str, list[int]] = {}
        always: list[int] = []  # patterns with no literal prefilter: tried on every sentence
        for c in self.rules:
            for pat, lits in c.pats:
                pid = len(self.pats)
                self.pats.append((c, pat))
                if lits is None:
                    always.append(pid)
                else:
                    for lit in lits:
                        by_lit.setdefault(lit, []).append(pid)
        self.by_lit = {lit: tuple(ids) for lit, ids in by_lit.items()}
        self.always = frozenset(always)
        self.scanner = _scanner(frozenset(by_lit))
        # The fillers as one regex: alternatives in the same longest-first order the loop over
        # them used, each only as a whole word (followed by a space or the end), so `match` at a
        # position picks the same filler the loop did, in one C call.
        fillers = sorted(lexicon.fillers, key=len, reverse=True)
        self.fillers = (re.compile("(?:" + "|".join(re.escape(f) for f in fillers) + ")(?= |$)")
                        if fillers else None)


# id(lexicon) -> its tables; the entry goes when the lexicon does (Lexicon is an unhashable
# dataclass, so no WeakKeyDictionary).
_TABLES: dict[int, _Tables] = {}


def _tables(lexicon: Lexicon) -> _Tables:
    # The key holds the identity of every rule and pattern object and the fillers, so a lexicon
    # changed in place (tests do that) is recompiled rather than matched with stale tables. The
    # cached tables keep those objects alive, so their ids cannot be reused by new ones.
    key = (tuple((id(r), tuple(map(id, r.patterns))) for r in lexicon.rules), tuple(lexicon.fillers))
    t = _TABLES.get(id(lexicon))
    if t is None or t.key != key:
        if t is None:
            weakref.finalize(lexicon, _TABLES.pop, id(lexicon), None)
        t = _TABLES[id(lexicon)] = _Tables(lexicon, key)
    return t


class Matcher:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        t = _tables(lexicon)
        self._rules = t.rules
        self._pats = t.pats
        self._by_lit = t.by_lit
        self._always = t.always
        self._scanner = t.scanner
        self._fillers = t.fillers
        # Per Matcher (so per call): the contractions never change under it.
        self._memo: dict[str, tuple[str, ...]] = {}

    def normalize(self, text: str, words: list[str] | None = None) -> NormText:
        return normalize(text, self.lexicon.contractions, words, self._memo)

    def _starts(self, s: Sentence) -> list[int]:
        """Where a sentence 'really' starts: position 0 and after each leading filler/comma word,
        so "Well, look, no, we can't" still counts as a sentence starting with "no"."""
        starts = [0]
        fillers = self._fillers
        if fillers is None:
            return starts if s.text else []
        text = s.text
        pos = 0
        while (m := fillers.match(text, pos)) is not None:
            pos = m.end() + 1
            starts.append(pos)
        return [p for p in starts if p < len(text)]

    def find(self, norm: NormText, speaker: str, *, partial: bool = False) -> list[Hit]:
        hits: list[Hit] = []
        by_lit = self._by_lit
        for si, s in enumerate(norm.sentences):
            text = s.text
            starts: list[int] | None = None
            cand: set[int] = set(self._always)
            for lit in self._scanner.present(text):
                cand.update(by_lit[lit])
            if not cand:
                continue  # most benign sentences end here
            done: _Compiled | None = None  # the rule just hit or ruled out: skip its other patterns
            for pid in sorted(cand):
                c, pat = self._pats[pid]
                if c is done:
                    continue
                r = c.rule
                if (r.speaker != "any" and r.speaker != speaker) or (r.position == "utterance-start" and si > 0):
                    done = c
                    continue
                if r.position == "anywhere":
                    cands: Any = pat.finditer(text)
                else:
                    if starts is None:
                        starts = self._starts(s)
                    cands = (pat.match(text, p) for p in starts)
                # Try every occurrence: an exception on the first ("no problem with the
                # line") must not hide a later one in the same sentence ("… so no problem").
                for m in cands:
                    if m is None or m.end() == m.start():
                        continue
                    hit = self._check(r, s, si, m, partial)
                    if hit is not None:
                        hits.append(hit)
                        done = c  # one hit per rule per sentence is enough
                        break
        return hits

    def _check(self, r: Rule, s: Sentence, si: int, m: re.Match[str], partial: bool) -> Hit | None:
        text = s.text
        a, b = m.start(), m.end()
        for ex in r.exceptions:
            for em in ex.finditer(text):
                if em.start() < b and em.end() > a:
                    return None
        pending = False
        if r.not_followed_by:
            after = text[b:].lstrip()
            if not after and partial:
                pending = True  # "no…" may yet become "no problem": wait for the next word
            elif any(nf.match(after) for nf in r.not_followed_by):
                return None
        if r.not_preceded_by:
            before = text[:a].rstrip()
            for npb in r.not_preceded_by:
                if any(pm.end() == len(before) for pm in npb.finditer(before)):
                    return None
        t0, t1 = s.token_at(a), s.token_at(max(a, b - 1))
        return Hit(r, si, s.tokens[t0].word, s.tokens[t1].word, text[a:b], pending)


def any_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for p in patterns:
        lit = _quick_filter(p.pattern, p.flags)
        if lit is not None and (lit not in text if isinstance(lit, str) else lit.search(text) is None):
            continue  # the checklist phrase sets run on every agent line: skip what cannot match
        m = p.search(text)
        if m:
            return m
    return None


@functools.lru_cache(maxsize=4096)
def _quick_filter(src: str, flags: int) -> str | re.Pattern[str] | None:
    lits = _literals_cached(src, flags)
    if not lits:
        return None
    return next(iter(lits)) if len(lits) == 1 else _alternation(lits)
