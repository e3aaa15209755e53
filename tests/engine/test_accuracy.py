"""Accuracy of the shipped lexicons on the labelled devset (tests/data/devset.jsonl).

The bar (issue 2): per category precision >= 0.95 and recall >= 0.90 for the lexical engine, in
each language, and at most 2% false alarms on hard negatives. `python3 scripts/accuracy.py
--errors` shows which rows fail when this test does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assist.engine.coach import SemanticHit
from assist.engine.evaluate import DEVSET, categories_of, evaluate, load_rows
from assist.engine.lexicon import AGENT_CATEGORIES, CUSTOMER_CATEGORIES, Lexicon, load_lexicon
from assist.errors import InputError

ALL = (*AGENT_CATEGORIES, *CUSTOMER_CATEGORIES)
ROWS = load_rows(DEVSET)


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
