#!/usr/bin/env python3
"""Per-category precision/recall of the lexical rules alone vs lexical + semantic, on the dev set
(tests/data/devset.jsonl) plus the language's paraphrase set (tests/data/paraphrases.jsonl for
English, tests/data/<lang>-paraphrases.jsonl for others) — the tuning data the thresholds were
calibrated on — or, with --heldout, on tests/data/heldout.jsonl, which nothing was ever tuned on.

    python3 scripts/semantic_accuracy.py [--lexicon en] [--heldout] [--json]
    python3 scripts/semantic_accuracy.py --lexicon he --split report --no-devset   # the Hebrew figure

A paraphrase file may carry a "split" field per row ("calibration" / "report"): --split keeps only
that half (rows without the field belong to both), so the thresholds fitted on the calibration half
(scripts/calibrate_semantic.py --split calibration) are reported on the other half.

Uses assist.engine.evaluate (one fresh Coach per row, the semantic pass run as in a live call), so
these are the numbers tests/engine/test_semantic.py holds. The paraphrase line is recall on rows
of kind "paraphrase" (wordings the rules do not catch); hard negatives are fine lines that look
like a category.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assist.engine import evaluate as E  # noqa: E402
from assist.engine import semantic as S  # noqa: E402
from assist.engine.lexicon import load_lexicon  # noqa: E402
from assist.errors import AssistError  # noqa: E402

DATA = ROOT / "tests" / "data"
DEVSET = DATA / "devset.jsonl"
PARAPHRASES = DATA / "paraphrases.jsonl"
HELDOUT = DATA / "heldout.jsonl"
SPLITS = ("calibration", "report", "all")


def paraphrase_file(language: str) -> Path:
    """The paraphrase set of a language: tests/data/<lang>-paraphrases.jsonl, or for English the
    original tests/data/paraphrases.jsonl."""
    own = DATA / f"{language}-paraphrases.jsonl"
    return own if own.exists() or language != "en" else PARAPHRASES


def in_split(d: dict[str, Any], split: str) -> bool:
    return split == "all" or d.get("split", split) == split


def rows_for(language: str, devset: Path | None = DEVSET, paraphrases: Path | None = None,
             split: str = "all") -> list[E.Row]:
    """Dev set and paraphrase rows of one language, as evaluate.Row (the paraphrase file carries
    kind "paraphrase", which the dev-set loader does not take, so it is read here). `devset=None`
    leaves the dev set out; `split` keeps one half of the paraphrase file."""
    rows = [r for r in E.load_rows(devset) if r.lang == language] if devset is not None and devset.exists() else []
    for d in S.load_rows(paraphrases or paraphrase_file(language)):
        if d.get("lang") == language and in_split(d, split):
            rows.append(E.Row(str(d["id"]), d["lang"], d["speaker"], d["text"], tuple(d["labels"]), d["kind"]))
    return rows


def heldout_rows(language: str, path: Path = HELDOUT) -> list[E.Row]:
    """The held-out rows of one language (written blind to the rules; never used to tune them)."""
    return [r for r in E.load_rows(path) if r.lang == language]


def measure(lexicon: Any, rows: list[E.Row], semantic: Any) -> dict[str, Any]:
    """evaluate() for lexical alone and lexical + semantic, plus recall on the paraphrase rows
    (counted from the same runs: a row not in `errors` got exactly its labels)."""
    out: dict[str, Any] = {"lexical": E.evaluate(rows, lexicon), "semantic": E.evaluate(rows, lexicon, semantic=semantic)}
    para = {r.id: set(r.labels) for r in rows if r.kind == "paraphrase"}
    support = sum(len(v) for v in para.values())
    for name in ("lexical", "semantic"):
        wrong = {e["id"]: set(e["got"]) for e in out[name]["errors"] if e["id"] in para}
        tp = sum(len(want & wrong[i]) if i in wrong else len(want) for i, want in para.items())
        out[f"paraphrase_{name}"] = {"support": support, "tp": tp, "recall": round(tp / support, 4) if support else 1.0}
    # The rules grow while the paraphrase file stands still: also count, on the labels the rules
    # miss *today*, how many the semantic pass recovers (= the gain, whatever the rules learned).
    lex_wrong = {e["id"]: set(e["got"]) for e in out["lexical"]["errors"] if e["id"] in para}
    sem_wrong = {e["id"]: set(e["got"]) for e in out["semantic"]["errors"] if e["id"] in para}
    missed = [(i, c) for i, want in para.items() if i in lex_wrong for c in want - lex_wrong[i]]
    got = sum(1 for i, c in missed if i not in sem_wrong or c in sem_wrong[i])
    out["paraphrase_rules_missed"] = {"support": len(missed), "tp": got,
                                      "recall": round(got / len(missed), 4) if missed else 1.0}
    return out


def relabel(lexicon: Any, path: Path | None = None) -> tuple[int, int]:
    """Re-check "the rules do not catch it": a paraphrase the rules now flag with its label becomes
    kind "variant" (and back). Rewrites the file in place; returns (paraphrases, variants)."""
    path = path or paraphrase_file(lexicon.language)
    lines = []
    counts = {"paraphrase": 0, "variant": 0}
    for d in S.load_rows(path):
        if d["kind"] in counts and d.get("lang") == lexicon.language:
            caught = set(d["labels"]) & S.lexical_categories(lexicon, d["text"], d["speaker"])
            d["kind"] = "variant" if caught else "paraphrase"
            counts[d["kind"]] += 1
        lines.append(json.dumps(d, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts["paraphrase"], counts["variant"]


def _pr(d: dict[str, Any] | None) -> str:
    return f"{d['precision']:5.2f} {d['recall']:5.2f}" if d else "    -     -"


def print_table(m: dict[str, Any]) -> None:
    lex, sem = m["lexical"], m["semantic"]
    cats = sorted(set(E.categories_of(lex)) | set(E.categories_of(sem)))
    print(f"{'category':22s} {'support':>7s}   lexical P/R    lex+sem P/R")
    for c in cats:
        sup = (lex.get(c) or sem.get(c) or {}).get("support", 0)
        print(f"{c:22s} {sup:7d}   {_pr(lex.get(c))}    {_pr(sem.get(c))}")
    print(f"{'overall':22s} {lex['overall']['support']:7d}   {_pr(lex['overall'])}    {_pr(sem['overall'])}")
    pl, ps = m["paraphrase_lexical"], m["paraphrase_semantic"]
    print(f"paraphrase recall: {pl['recall']:.2f} -> {ps['recall']:.2f} "
          f"(+{100 * (ps['recall'] - pl['recall']):.0f} points, {pl['support']} labels)")
    pm = m["paraphrase_rules_missed"]
    print(f"  of the {pm['support']} paraphrase labels the rules miss today, semantic recovers {pm['tp']} "
          f"({100 * pm['recall']:.0f}%)")
    hl, hs = lex["hard_negatives"], sem["hard_negatives"]
    print(f"hard-negative false alarms: {hl['false_alarms']}/{hl['rows']} ({100 * hl['rate']:.1f}%) -> "
          f"{hs['false_alarms']}/{hs['rows']} ({100 * hs['rate']:.1f}%)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lexicon", default="en")
    ap.add_argument("--json", action="store_true", help="print the evaluate() results as JSON")
    ap.add_argument("--force", action="store_true", help="measure even if the .semantic.toml is switched off")
    ap.add_argument("--relabel", action="store_true",
                    help="first mark paraphrases the rules now catch as kind \"variant\" (rewrites the file)")
    ap.add_argument("--recogniser-form", action="store_true",
                    help="measure the rows as a recogniser writes them: lower case, no punctuation")
    ap.add_argument("--errors", action="store_true", help="list the rows lexical+semantic gets wrong")
    ap.add_argument("--heldout", action="store_true",
                    help="measure on tests/data/heldout.jsonl (never tuned on) instead of the tuning data")
    ap.add_argument("--paraphrases", type=Path, help="the paraphrase set (default: the language's)")
    ap.add_argument("--split", choices=SPLITS, default="all",
                    help="only this half of the paraphrase set (default: all rows)")
    ap.add_argument("--no-devset", dest="devset", action="store_false",
                    help="leave the dev set out (measure the paraphrase set alone)")
    a = ap.parse_args(argv)
    try:
        lex = load_lexicon(a.lexicon)
        det, why = S.load_detector(lex, ignore_enabled=a.force)
        rows = heldout_rows(lex.language) if a.heldout else rows_for(
            lex.language, DEVSET if a.devset else None, a.paraphrases, a.split)
    except AssistError as e:
        print(f"semantic_accuracy: {e}", file=sys.stderr)
        return 2
    if det is None:
        print(f"semantic_accuracy: {why}", file=sys.stderr)
        return 1
    if not rows:
        print(f"semantic_accuracy: no {lex.language} rows", file=sys.stderr)
        return 2
    if a.relabel and not a.heldout:
        n_para, n_var = relabel(lex, a.paraphrases)
        print(f"relabelled {(a.paraphrases or paraphrase_file(lex.language)).name}: {n_para} paraphrases the rules "
              f"miss, {n_var} variants they catch")
        rows = rows_for(lex.language, DEVSET if a.devset else None, a.paraphrases, a.split)
    if a.recogniser_form:
        import re

        rows = [E.Row(r.id, r.lang, r.speaker, " ".join(re.sub(r"[^\w' ]+", " ", r.text.lower()).split()),
                      r.labels, r.kind) for r in rows]
    t0 = time.perf_counter()
    m = measure(lex, rows, det)
    if a.json:
        print(json.dumps(m, indent=1))
        return 0
    print(f"{lex.language}: {len(rows)} rows ({sum(r.kind == 'paraphrase' for r in rows)} paraphrases), "
          f"{time.perf_counter() - t0:.0f} s")
    print_table(m)
    if a.errors:
        for err in m["semantic"]["errors"]:
            print(f"  {err['id']:14s} want {','.join(err['expected']) or '-':22s} "
                  f"got {','.join(err['got']) or '-':22s} {err['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
