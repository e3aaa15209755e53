"""The one-pass literal scanner decides which rule patterns run at all: if it missed a literal
that is in the text, a rule would silently never fire. Check it against the obvious definition
on every sentence of the dev set, normalised as the matcher sees it."""

from __future__ import annotations

import pytest

from assist.engine.evaluate import load_rows
from assist.engine.lexicon import load_lexicon
from assist.engine.normalize import normalize
from assist.engine.rules import Matcher


@pytest.mark.parametrize("lang", ["en", "he"])
def test_scanner_finds_exactly_the_literals_present(lang: str) -> None:
    lex = load_lexicon(lang)
    m = Matcher(lex)
    lits = set(m._by_lit)
    rows = [r for r in load_rows("tests/data/devset.jsonl") if r.lang == lang]
    assert len(rows) > 300
    checked = 0
    for r in rows:
        for s in normalize(r.text, lex.contractions).sentences:
            want = {lit for lit in lits if lit in s.text}
            assert m._scanner.present(s.text) == want, s.text
            checked += 1
    assert checked >= len(rows)
