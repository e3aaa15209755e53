"""Lexicon patterns run on a linear-time matcher (RE2): no lexicon can stall a call (issue 14).

The translation from Python `re` syntax must not change what the shipped rules match: it is
compared with Python's own matcher on the devset's sentences, span for span."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from assist.engine.lexicon import load_lexicon, parse_lexicon
from assist.engine.normalize import normalize
from assist.engine.saferegex import SafePattern, UnsafePattern, compile_safe
from assist.errors import LexiconError

ROOT = Path(__file__).resolve().parents[2]
MINI = Path(__file__).parent / "data" / "mini.toml"


def python_twin(p: SafePattern) -> re.Pattern[str]:
    return re.compile(p.pattern)


def lexicon_patterns(lang: str) -> list[tuple[str, str, SafePattern]]:
    lex = load_lexicon(lang)
    out: list[tuple[str, str, SafePattern]] = []
    for r in lex.rules:
        for fld in ("patterns", "exceptions", "not_followed_by", "not_preceded_by"):
            out += [(r.id, fld, p) for p in getattr(r, fld)]  # type: ignore[misc]
    for name, spec in (("greeting", lex.greeting.phrases), ("empathy", lex.empathy.phrases),
                       ("callback.intent", lex.callback.intent), ("callback.concrete", lex.callback.concrete),
                       ("callback.exceptions", lex.callback.exceptions)):
        out += [(name, "phrases", p) for p in spec]  # type: ignore[misc]
    return out


def test_every_lexicon_pattern_is_linear_time() -> None:
    for lang in ("en", "he"):
        pats = lexicon_patterns(lang)
        assert len(pats) > 150
        bad = [(rid, fld) for rid, fld, p in pats if not isinstance(p, SafePattern)]
        assert not bad, f"patterns that would run on a backtracking matcher: {bad[:5]}"


@pytest.mark.parametrize("lang", ["en", "he"])
def test_shipped_rules_match_exactly_what_python_re_matched(lang: str) -> None:
    rows = [json.loads(x) for x in (ROOT / "tests/data/devset.jsonl").read_text(encoding="utf-8").splitlines()]
    lex = load_lexicon(lang)
    sents = sorted({s.text for r in rows if r["lang"] == lang
                    for s in normalize(r["text"], lex.contractions).sentences})
    rng = random.Random(14)
    sents = rng.sample(sents, min(300, len(sents)))
    diffs = []
    for rid, fld, p in lexicon_patterns(lang):
        py = python_twin(p)
        for t in sents:
            if fld == "not_followed_by":
                got, want = p.match(t), py.match(t)
                if (got is None) != (want is None) or (got and want and got.span() != want.span()):
                    diffs.append((rid, fld, t))
                continue
            if [m.span() for m in p.finditer(t)] != [m.span() for m in py.finditer(t)]:
                diffs.append((rid, fld, t))
            starts = [0] + [i + 1 for i, c in enumerate(t) if c == " "][:6]
            for s in starts:
                a, b = p.match(t, s), py.match(t, s)
                if (a.span() if a else None) != (b.span() if b else None):
                    diffs.append((rid, fld, f"{t} @{s}"))
    assert not diffs, diffs[:10]


@pytest.mark.parametrize("src,words,texts", [
    ("no|nope", True, ["no", "nope", "a nope b", "know no", "nobody", "no no nope", "no€ no", "café no", "nö no"]),
    ("(?:with|on)\\b", False, ["with you", "within", "on", "one", "go on now", "on€"]),
    ("you (?:\\w+ ){1,3}or \\w+", True, ["you pay now or we cancel", "you or x", "so you pay or not", "you—pay or x"]),
    ("\\d{1,2}(?::\\d\\d)? ?(?:am|pm)", True, ["at 3 pm", "at 10:30am", "at 123 pm", "٣ pm"]),
    ("[^\\W\\d]+", True, ["abc 123 a1 _x", "שלום 12 ב3"]),
    ("[a-c\\s]+x", False, ["ab cx", "zz\u2003ax", "x"]),
    ("(?i:NO) problem", True, ["No problem", "NO problem", "no problem"]),
    ("a.c", False, ["abc", "a\nc", "a\u00a0c"]),
    ("^so|end$", False, ["so what", "also", "the end", "endless"]),
])
def test_translation_agrees_with_python(src: str, words: bool, texts: list[str]) -> None:
    p = compile_safe(src, words=words)
    py = re.compile(p.pattern)
    for t in texts:
        assert [m.span() for m in p.finditer(t)] == [m.span() for m in py.finditer(t)], t
        for pos in range(len(t) + 1):
            a, b = p.match(t, pos), py.match(t, pos)
            assert (a.span() if a else None) == (b.span() if b else None), (t, pos)
            a, b = p.search(t, pos), py.search(t, pos)
            assert (a.span() if a else None) == (b.span() if b else None), (t, pos)
        a, b = p.fullmatch(t), py.fullmatch(t)
        assert (a.span() if a else None) == (b.span() if b else None), t


def test_hebrew_prefix_letters() -> None:
    p = compile_safe("לא", words=True, prefix="(?:[ובשהכלמ]{1,3})?")
    assert [m.group() for m in p.finditer("זה ולא כך, לאט לא")] == ["ולא", "לא"]


@pytest.mark.parametrize("src", ["(a+)+$", "(a|a)*b", "(\\w+\\s?)+$", "(.*a){12}", "(x+x+)+y", "^(a|aa)+$"])
def test_catastrophic_patterns_match_in_linear_time(src: str) -> None:
    """On Python's matcher each of these takes longer than the universe on a 100,000-letter line."""
    p = compile_safe(src, words=True)
    line = "a" * 100_000 + "!"
    assert p.search(line) is None or p.search(line) is not None  # returns at all
    assert [m.span() for m in p.finditer("aaaa b")] == [m.span() for m in re.finditer(p.pattern, "aaaa b")]


@pytest.mark.parametrize("src,words", [
    ("no(?! problem)", "look-ahead (?!…)"), ("(?<=i )can", "look-behind (?<=…)"), ("(?=a)a", "look-ahead (?=…)"),
    ("(a)\\1", "back-references"), ("a\\bb", "\\b is supported only at the end"), ("a\\Bb", "\\B"),
    ("a{1001}", "repeat count above 1000"), ("(?>ab)", "atomic"), ("a++", "possessive"),
    ("(?:no )?", "can match an empty text"), ("x(a?)*", "a repeated part that can match nothing"),
    ("no \\b", "must follow a letter or digit"),
])
def test_what_cannot_run_in_linear_time_is_refused(src: str, words: str) -> None:
    with pytest.raises(UnsafePattern, match=re.escape(words)):
        compile_safe(src, words=False)


def test_refusal_names_file_rule_and_field(tmp_path: Path) -> None:
    lex = tmp_path / "custom.toml"
    lex.write_text(MINI.read_text(encoding="utf-8").replace('not_followed_by = ["problem", "worries"]',
                                                            'not_followed_by = ["(?!x)problem"]'), encoding="utf-8")
    with pytest.raises(LexiconError) as e:
        load_lexicon(lex)
    msg = str(e.value)
    assert msg.startswith(f"{lex}: rule 't.no', field 'not_followed_by': regex '(?!x)problem': look-ahead")
    assert "not_followed_by, not_preceded_by or exceptions" in msg and "\n" not in msg


def test_a_catastrophic_rule_loads_and_matches(tmp_path: Path) -> None:
    """Issue 14: `(a+)+$` passed `lexicon check` and then froze analysis of a 40-letter line."""
    import tomllib

    data = tomllib.loads(MINI.read_text(encoding="utf-8"))
    data["rules"].append({"id": "t.evil", "category": "jargon", "patterns": ["(a+)+$"], "suggestion": "x", "why": "y"})
    lex = parse_lexicon(data, tmp_path / "evil.toml")
    from assist.engine.rules import Matcher

    m = Matcher(lex)
    hits = m.find(m.normalize("a" * 5000 + "b"), "agent")
    assert [h.rule.id for h in hits] == []
    hits = m.find(m.normalize("b " + "a" * 5000), "agent")
    assert [h.rule.id for h in hits] == ["t.evil"]


@pytest.mark.parametrize("words,text,expect", [
    ("be|have", "you have to pay", ["pay"]),
    ("be|have", "you have to be here", []),
    ("be|have", "you have to behave", ["behave"]),
    ("be|have", "you have to b now", ["b"]),
    ("be|have", "you have to hav", ["hav"]),
    ("כלל", "ב כלל שלך בחשבון שלך", ["חשבון"]),
])
def test_word_except_macro(tmp_path: Path, words: str, text: str, expect: list[str]) -> None:
    from assist.engine.lexicon import word_except

    body = word_except(words.split("|"), tmp_path, "r", "patterns")
    lead = "to " if not words.startswith("כ") else "ב"
    p = compile_safe(f"{lead}({body})", words=True)
    got = [m.group()[len(lead):] for m in p.finditer(text.replace("ב כלל", "בכלל").replace("ב חשבון", "בחשבון"))]
    assert got == expect
    assert [m.group() for m in re.finditer(p.pattern, text.replace("ב כלל", "בכלל"))] == \
        [m.group() for m in p.finditer(text.replace("ב כלל", "בכלל"))]


def test_random_patterns_agree_with_python() -> None:
    """A fuzz over small patterns built from the constructs lexicons use, on texts mixing English,
    Hebrew, digits, underscores, apostrophes and non-ASCII punctuation and spaces."""
    rng = random.Random(1414)
    atoms = ["a", "b", "no", "ab", "\\w", "\\W", "\\d", "\\s", ".", "[ab]", "[^a]", "[^\\W\\d]", "[a\\s]",
             "ש", "לא", " ", "\\S", "\\D", "[\\w']", "x"]

    def gen(d: int = 0) -> str:
        k = rng.random()
        if d > 3 or k < 0.35:
            return rng.choice(atoms)
        if k < 0.55:
            return gen(d + 1) + gen(d + 1)
        if k < 0.7:
            return "(?:" + gen(d + 1) + "|" + gen(d + 1) + ")"
        if k < 0.9:
            return "(?:" + gen(d + 1) + ")" + rng.choice(["*", "+", "?", "{1,3}", "{2}", "*?", "+?", "??"])
        return gen(d + 1) + rng.choice(["$", "\\b"]) if rng.random() < 0.5 else "^" + gen(d + 1)

    chars = "aabbxn o  ש לא_1\u0663\u20ac\u2014\u2003\u00e9\u00df'"
    compared = 0
    for _ in range(1500):
        src, words = gen(), rng.random() < 0.5
        try:
            p = compile_safe(src, words=words)
        except UnsafePattern:
            continue
        py = re.compile(p.pattern)
        compared += 1
        for _ in range(5):
            t = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
            pos = rng.randint(0, len(t))
            assert [m.span() for m in p.finditer(t)] == [m.span() for m in py.finditer(t)], (src, words, t)
            for ours, theirs in ((p.match(t, pos), py.match(t, pos)), (p.search(t, pos), py.search(t, pos))):
                assert (ours.span() if ours else None) == (theirs.span() if theirs else None), (src, words, t, pos)
    assert compared > 1000
