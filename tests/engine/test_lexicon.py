"""Lexicon loading and validation: every error names the file, the rule and the field; the shipped
lexicons load and cover every category; a live call keeps its last good lexicon (LexiconHolder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.engine.lexicon import (
    AGENT_CATEGORIES,
    CUSTOMER_CATEGORIES,
    LexiconHolder,
    load_lexicon,
    resolve_lexicon_path,
)
from assist.errors import LexiconError

MINI = Path(__file__).parent / "data" / "mini.toml"

GOOD_RULE = '''
[[rules]]
id = "x.rule"
category = "jargon"
patterns = ["back end"]
suggestion = "Say it plainly."
why = "Seed: no jargon."
'''


def write(tmp_path: Path, extra: str, base: str | None = None, name: str = "custom.toml") -> Path:
    p = tmp_path / name
    p.write_text((base if base is not None else MINI.read_text(encoding="utf-8")) + "\n" + extra, encoding="utf-8")
    return p


def error_of(path: Path) -> LexiconError:
    with pytest.raises(LexiconError) as ei:
        load_lexicon(path)
    return ei.value


@pytest.mark.parametrize("edit, field, words", [
    (GOOD_RULE.replace('"back end"', '"back (end"'), "patterns", "bad regex"),
    (GOOD_RULE.replace('why =', 'colour = "red"\nwhy ='), "colour", "unknown field"),
    (GOOD_RULE.replace('suggestion = "Say it plainly."\n', ''), "suggestion", "missing suggestion"),
    (GOOD_RULE.replace('why = "Seed: no jargon."\n', ''), "why", "missing why"),
    (GOOD_RULE.replace('severity', 'x').replace('category = "jargon"', 'category = "jargon"\nseverity = "loud"'),
     "severity", "must be one of"),
    (GOOD_RULE.replace('"back end"', '"{nosuchmacro} end"'), "patterns", "unknown macro"),
    (GOOD_RULE.replace('Say it plainly.', 'Hi {customer}'), "suggestion", "unknown placeholder"),
    (GOOD_RULE.replace('patterns = ["back end"]', 'patterns = []'), "patterns", "at least one pattern"),
    (GOOD_RULE.replace('patterns = ["back end"]', 'patterns = [""]'), "patterns", "empty pattern"),
    (GOOD_RULE.replace('position', 'x').replace('category = "jargon"', 'category = "jargon"\nposition = "middle"'),
     "position", "must be one of"),
    (GOOD_RULE.replace('patterns = ["back end"]', 'patterns = ["back end"]\nnot_followed_by = ["(?<=x"]'),
     "not_followed_by", "bad regex"),
])
def test_rule_errors_name_file_rule_and_field(tmp_path: Path, edit: str, field: str, words: str) -> None:
    p = write(tmp_path, edit)
    e = error_of(p)
    msg = str(e)
    assert msg.startswith(f"{p}: "), msg
    assert "rule 'x.rule'" in msg and f"field '{field}'" in msg and words in msg, msg
    assert (e.rule, e.field) == ("x.rule", field)
    assert "\n" not in msg, "one line"


def test_duplicate_id_is_refused(tmp_path: Path) -> None:
    e = error_of(write(tmp_path, GOOD_RULE + GOOD_RULE))
    assert (e.rule, e.field) == ("x.rule", "id") and "duplicate id" in str(e)


def test_top_level_errors(tmp_path: Path) -> None:
    assert "invalid TOML" in str(error_of(write(tmp_path, "[[rules]\nid=")))
    assert "unknown section" in str(error_of(write(tmp_path, "[rulez]\nx = 1")))
    base = MINI.read_text(encoding="utf-8")
    e = error_of(write(tmp_path, "", base=base.replace('language = "en"\n', "")))
    assert e.field == "meta.language"
    e = error_of(write(tmp_path, "", base=base.replace("[checklist.empathy]", "[checklist.empathyy]")))
    assert e.field == "checklist.empathyy"
    e = error_of(write(tmp_path, "", base=base.replace('weekdays = "', 'weekend = "7"\nweekdays = "')))
    assert e.field == "defaults.weekend"
    e = error_of(write(tmp_path, "", base=base.replace("Monday,", "")))
    assert e.field == "defaults.weekdays"
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00binary")
    assert "not UTF-8" in str(error_of(tmp_path / "bin.toml"))
    assert "no such file" in str(error_of(tmp_path / "missing.toml"))
    with pytest.raises(LexiconError, match="no such lexicon .*shipped: .*en.*he"):
        resolve_lexicon_path("xx")


def test_disabled_rule_is_skipped(tmp_path: Path) -> None:
    lex = load_lexicon(write(tmp_path, GOOD_RULE.replace('why =', 'enabled = false\nwhy =')))
    assert lex.rule("x.rule") is None


@pytest.mark.parametrize("lang", ["en", "he"])
def test_shipped_lexicons_cover_every_category(lang: str) -> None:
    lex = load_lexicon(lang)
    assert lex.language == lang
    assert set(lex.categories) >= set(AGENT_CATEGORIES) | set(CUSTOMER_CATEGORIES)
    for r in lex.rules:
        assert r.why, r.id
        if r.kind == "flag":
            assert r.suggestion and r.severity in ("info", "warning", "critical"), r.id
    # Plenty of phrasings, not only the seed examples.
    assert sum(len(r.sources) for r in lex.rules) >= (200 if lang == "en" else 120)
    assert "{day}" in lex.callback.suggestion and "{time}" in lex.callback.suggestion
    assert lex.greeting.phrases and lex.empathy.phrases and lex.callback.intent and lex.callback.concrete


def test_holder_keeps_last_good_lexicon(tmp_path: Path) -> None:
    good = load_lexicon("en")
    holder = LexiconHolder(good)
    bad = write(tmp_path, GOOD_RULE.replace('"back end"', '"back (end"'))
    err = holder.reload(bad)
    assert isinstance(err, LexiconError) and "bad regex" in str(err) and str(bad) in str(err)
    assert holder.lexicon is good, "a broken custom lexicon never replaces the one in use"
    assert holder.reload(write(tmp_path, GOOD_RULE, name="ok.toml")) is None
    assert holder.lexicon is not good and holder.lexicon.rule("x.rule") is not None
