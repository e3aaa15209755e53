"""Accuracy of the shipped lexicons, on two sets kept apart.

- tests/data/devset.jsonl is TUNING data: the rules were written and fixed on it, so its bar
  (per category precision >= 0.95, recall >= 0.90, <= 2% hard-negative false alarms) only says the
  rules still do what they were fixed to do. `python3 scripts/accuracy.py --errors` lists misses.
- tests/data/heldout.jsonl is the HELD-OUT set: written blind to the rules, committed before any rule
  was touched again, and never tuned on. Its sha256 is pinned below so it cannot be edited to suit
  the rules quietly; its figures are the ones the README publishes. The floors here are regression
  guards set under the figures measured when the set was committed, not aims to tune towards.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assist.engine.coach import SemanticHit
from assist.engine.evaluate import DEVSET, categories_of, evaluate, format_table, load_rows
from assist.engine.lexicon import AGENT_CATEGORIES, CUSTOMER_CATEGORIES, Lexicon, load_lexicon
from assist.errors import InputError
from tests.conftest import Figures

ALL = (*AGENT_CATEGORIES, *CUSTOMER_CATEGORIES)
ROWS = load_rows(DEVSET)
HELDOUT = DEVSET.with_name("heldout.jsonl")
# Changing this file means a new held-out set: write it blind, commit it before touching a rule,
# and update the hash and the README's figures in the same commit.
HELDOUT_SHA256 = "c97b7a0f6ba740a3850d715bab33b2065cbc30ac59d03ceb3a97dba5ceae8b95"
# (overall precision, overall recall, hard-negative false-alarm rate) no worse than this, lexical rules
# alone. Measured at commit time: en 0.913 / 0.785 / 5.9 %, he 0.938 / 0.822 / 4.2 %.
HELDOUT_FLOOR = {"en": (0.88, 0.75, 0.08), "he": (0.90, 0.78, 0.07)}


@pytest.fixture(scope="module", params=["en", "he"])
def result(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    lang = request.param
    return lang, evaluate(ROWS, load_lexicon(lang))


def test_devset_is_big_varied_and_well_formed() -> None:
    assert len(ROWS) >= 400
    assert sum(r.kind == "hard-negative" for r in ROWS) >= 200
    for lang in ("en", "he"):
        rows = [r for r in ROWS if r.lang == lang]
        for cat in ALL:
            pos = [r for r in rows if cat in r.labels]
            assert len(pos) >= (8 if lang == "en" else 5), (lang, cat, len(pos))
            assert any(r.kind == "variant" for r in pos), (lang, cat)
        # Both written text and recogniser-style text (lowercase, no punctuation).
        asr = [r for r in rows if r.text == r.text.lower() and not any(ch in r.text for ch in ".,?!")]
        assert len(asr) >= 30, (lang, len(asr))
    for r in ROWS:
        assert set(r.labels) <= set(ALL), r
        # Agent categories on agent lines, the customer cue on customer lines.
        assert all((c in CUSTOMER_CATEGORIES) == (r.speaker == "customer") for c in r.labels), r


def test_precision_and_recall_per_category(result: tuple[str, dict[str, Any]]) -> None:
    lang, res = result
    assert set(categories_of(res)) == set(ALL), f"{lang}: categories seen {categories_of(res)}"
    low = {c: (res[c]["precision"], res[c]["recall"]) for c in categories_of(res)
           if res[c]["precision"] < 0.95 or res[c]["recall"] < 0.90}
    assert not low, f"{lang}: below the bar (precision, recall): {low}; errors: {res['errors'][:10]}"


def test_false_alarms_on_hard_negatives(result: tuple[str, dict[str, Any]]) -> None:
    lang, res = result
    hn = res["hard_negatives"]
    assert hn["rows"] >= 100
    assert hn["rate"] <= 0.02, f"{lang}: {hn}"


def test_evaluate_counts_tp_fp_fn(mini: Lexicon, tmp_path: Path) -> None:
    # A small set whose outcome is known line by line under the mini lexicon.
    rows = [
        {"id": "t1", "lang": "en", "speaker": "agent", "text": "That's not my job.", "labels": ["not-my-job"], "kind": "seed"},
        {"id": "t2", "lang": "en", "speaker": "agent", "text": "No, we can't.", "labels": ["not-my-job"], "kind": "variant"},
        {"id": "t3", "lang": "en", "speaker": "agent", "text": "There is no fee.", "labels": [], "kind": "hard-negative"},
        {"id": "t4", "lang": "en", "speaker": "agent", "text": "no we can not", "labels": [], "kind": "hard-negative"},
        {"id": "t5", "lang": "he", "speaker": "agent", "text": "לא", "labels": ["starts-with-no"], "kind": "seed"},
    ]
    p = tmp_path / "dev.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    res = evaluate(load_rows(p), mini)
    assert res["rows"] == 4, "rows of another language are skipped"
    assert res["not-my-job"] == {"tp": 1, "fp": 0, "fn": 1, "support": 2, "precision": 1.0, "recall": 0.5}
    assert res["starts-with-no"]["fp"] == 2 and res["starts-with-no"]["precision"] == 0.0
    assert res["hard_negatives"] == {"rows": 2, "false_alarms": 1, "rate": 0.5}
    assert [e["id"] for e in res["errors"]] == ["t2", "t4"]


@pytest.mark.parametrize("line, problem", [
    ('{"id": "x"', "malformed JSON"),
    ('{"id": "x", "lang": "en", "speaker": "agent", "text": "hi", "labels": []}', "missing field(s): kind"),
    ('{"id": "x", "lang": "en", "speaker": "boss", "text": "hi", "labels": [], "kind": "seed"}', "unknown speaker"),
    ('{"id": "x", "lang": "en", "speaker": "agent", "text": "hi", "labels": ["jargon"], "kind": "hard-negative"}',
     "hard-negative row must have no labels"),
])
def test_load_rows_names_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    p = tmp_path / "bad.jsonl"
    good = '{"id": "g", "lang": "en", "speaker": "agent", "text": "hi", "labels": [], "kind": "variant"}'
    p.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_rows(p)
    assert str(ei.value).startswith(f"{p}:2: ") and problem in str(ei.value)


class _FakeSemantic:
    """Stands in for the semantic detector (a unit test of evaluate's plumbing, not of the model)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, set[str]]] = []

    def detect(self, text: str, speaker: str, skip: set[str]) -> list[SemanticHit]:
        self.seen.append((text, speaker, skip))
        if "bin it" in text:
            return [SemanticHit("dismissive", 0.8, "just bin it", 0.6)]
        return []


def test_evaluate_counts_semantic_findings(mini: Lexicon, tmp_path: Path) -> None:
    rows = [
        {"id": "s1", "lang": "en", "speaker": "agent", "text": "Just bin it then.", "labels": ["dismissive"], "kind": "variant"},
        {"id": "s2", "lang": "en", "speaker": "agent", "text": "That's not my job.", "labels": ["not-my-job"], "kind": "seed"},
    ]
    p = tmp_path / "dev.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    sem = _FakeSemantic()
    res = evaluate(load_rows(p), mini, semantic=sem)
    assert res["dismissive"]["tp"] == 1 and res["not-my-job"]["tp"] == 1
    assert sem.seen[1] == ("That's not my job.", "agent", {"not-my-job"}), "lexical finds are skipped"
    assert evaluate(load_rows(p), mini)["dismissive"]["fn"] == 1, "without it the lexical engine misses it"


def test_accuracy_script_prints_the_table() -> None:
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, "scripts/accuracy.py", "--lang", "he"], cwd=root, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["category", "(he)"]
    assert any(x.startswith("overall") for x in lines) and any("hard negatives" in x for x in lines)


# ----------------------------------------------------------------------------- the held-out set
def test_heldout_set_is_the_committed_one() -> None:
    digest = hashlib.sha256(HELDOUT.read_bytes()).hexdigest()
    assert digest == HELDOUT_SHA256, "tests/data/heldout.jsonl changed: a held-out set is never edited to fit"


def test_heldout_set_is_big_and_half_negative() -> None:
    rows = load_rows(HELDOUT)
    assert not {r.id for r in rows} & {r.id for r in ROWS}, "held-out ids overlap the devset"
    # Written blind, it still repeats some of the guide's own sentences ("That's not my job.", "Calm
    # down."), as any set on this subject would; anything beyond that would mean it was copied.
    shared = {r.text for r in rows} & {r.text for r in ROWS}
    assert len(shared) <= 0.05 * len(rows), sorted(shared)
    for lang, size in (("en", 400), ("he", 100)):
        mine = [r for r in rows if r.lang == lang]
        negatives = [r for r in mine if not r.labels]
        assert len(mine) >= size, (lang, len(mine))
        assert len(negatives) >= 0.45 * len(mine), (lang, len(negatives))
        assert sum(r.kind == "hard-negative" for r in mine) >= 0.3 * len(mine), lang
        for cat in ALL:
            assert sum(cat in r.labels for r in mine) >= (15 if lang == "en" else 4), (lang, cat)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_heldout_figures_do_not_regress(lang: str, figures: Figures) -> None:
    res = evaluate(load_rows(HELDOUT), load_lexicon(lang))
    figures.add(f"held-out, lexical rules ({lang}, never tuned on)", format_table(lang, res))
    p_min, r_min, fa_max = HELDOUT_FLOOR[lang]
    o, hn = res["overall"], res["hard_negatives"]
    assert o["precision"] >= p_min and o["recall"] >= r_min and hn["rate"] <= fa_max, format_table(lang, res)


def test_devset_figures_are_reported_as_tuning_data(figures: Figures) -> None:
    for lang in ("en", "he"):
        res = evaluate(ROWS, load_lexicon(lang))
        figures.add(f"devset, lexical rules ({lang}) - TUNING DATA, optimistic", format_table(lang, res))
        assert res["rows"] >= 100


def test_semantic_detector_on_the_heldout_set(figures: Figures) -> None:
    """Thresholds are calibrated on the tuning data (devset + paraphrases, scripts/calibrate_semantic.py)
    and scored here, on lines they never saw. Measured at commit time (en): overall precision / recall
    0.91 / 0.79 lexical -> 0.89 / 0.85 with the semantic pass; hard-negative false alarms 5.9 -> 7.0 %."""
    import importlib.util

    from assist.engine import semantic as S

    det, why = S.load_detector(load_lexicon("en"))
    assert det is not None, why
    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("semantic_accuracy", root / "scripts" / "semantic_accuracy.py")
    assert spec is not None and spec.loader is not None
    acc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(acc)
    m = acc.measure(load_lexicon("en"), acc.heldout_rows("en"), det)
    lex, sem = m["lexical"], m["semantic"]
    figures.add("held-out, lexical vs lexical + semantic (en, never tuned on)",
                f"{format_table('en', lex)}\n--- with the semantic pass\n{format_table('en', sem)}")
    assert sem["overall"]["recall"] >= lex["overall"]["recall"] + 0.03, "the semantic pass must add recall"
    assert sem["overall"]["precision"] >= 0.85
    assert sem["hard_negatives"]["rate"] <= 0.09
