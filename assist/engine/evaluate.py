"""Accuracy of the detectors on a labelled development set (tests/data/devset.jsonl).

Each row is one line said by one speaker, with the categories that must fire on it. We feed it as
one final utterance to a fresh `Coach` (so no state from another row leaks in: a callback promise
in row 7 must not redeem a vague promise in row 8) and compare the categories of the flag/cue
events it stands by with the labels. The same function serves the lexical engine alone and the
lexical + semantic combination, so the two can be compared on identical rows.

Row format (one JSON object a line; shared with the semantic detector's tooling, keep it fixed):
    {"id": "en-0001", "lang": "en", "speaker": "agent", "text": "...", "labels": ["vague-promise"],
     "kind": "seed" | "variant" | "paraphrase" | "hard-negative" | "negative"}
A hard negative looks like a fault on the surface and is not; a negative is ordinary call talk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.engine.coach import Coach, SemanticDetector
from assist.engine.lexicon import Lexicon
from assist.errors import InputError
from assist.transcript import Utterance

DEVSET = Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "devset.jsonl"
KINDS = ("seed", "variant", "paraphrase", "hard-negative", "negative")
_FIELDS = ("id", "lang", "speaker", "text", "labels", "kind")


@dataclass(frozen=True)
class Row:
    id: str
    lang: str
    speaker: str
    text: str
    labels: tuple[str, ...] = field(default_factory=tuple)
    kind: str = "variant"


def load_rows(path: str | Path = DEVSET) -> list[Row]:
    """Read a devset; a malformed line is an InputError naming the file and line."""
    return [Row(str(d["id"]), str(d["lang"]), d["speaker"], str(d["text"]), tuple(d["labels"]), d["kind"])
            for d in read_rows(path)]


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """The labelled rows of a JSONL file as dicts, each checked (fields, speaker, kind, labels, unique
    id); fields a set adds of its own (a calibration/report `split`) are kept. The one reader of the
    format: `load_rows` here and `assist.engine.semantic.load_rows` both read through it."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError("no such file", p) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read: {e}", p) from None
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"malformed JSON: {e.msg}", p, n) from None
        if not isinstance(d, dict):
            raise InputError("expected a JSON object", p, n)
        missing = [f for f in _FIELDS if f not in d]
        if missing:
            raise InputError(f"missing field(s): {', '.join(missing)}", p, n)
        labels = d["labels"]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise InputError("labels must be a list of category ids", p, n)
        if d["speaker"] not in ("agent", "customer"):
            raise InputError(f"unknown speaker {d['speaker']!r}", p, n)
        if d["kind"] not in KINDS:
            raise InputError(f"unknown kind {d['kind']!r} (one of {', '.join(KINDS)})", p, n)
        if d["kind"] in ("hard-negative", "negative") and labels:
            raise InputError(f"a {d['kind']} row must have no labels", p, n)
        if d["id"] in seen:
            raise InputError(f"duplicate id {d['id']!r}", p, n)
        seen.add(d["id"])
        rows.append(d)
    return rows


def detect(row: Row, lexicon: Lexicon, *, semantic: SemanticDetector | None = None,
           company: str = "Acme", agent_name: str = "Dana") -> set[str]:
    """Categories that fire on one row, as a live call would report them."""
    coach = Coach(lexicon, company=company, agent_name=agent_name, semantic=semantic)
    coach.feed(Utterance(index=0, speaker=row.speaker, start=0.0, end=3.0, text=row.text, final=True))
    return {e.category for e in coach.events()}


def _ratio(a: int, b: int) -> float:
    # No predictions (or no positives) means nothing went wrong: report 1.0, not a division error.
    return round(a / b, 4) if b else 1.0


def evaluate(rows: list[Row], lexicon: Lexicon, *, semantic: SemanticDetector | None = None,
             company: str = "Acme", agent_name: str = "Dana") -> dict[str, Any]:
    """Per-category tp/fp/fn/precision/recall plus "overall" (micro-averaged) on the rows of the
    lexicon's language. Also "hard_negatives" (false-alarm rate on rows of kind hard-negative)
    and "errors" (every row where prediction and labels differ, for debugging)."""
    rows = [r for r in rows if r.lang == lexicon.language]
    cats: dict[str, dict[str, int]] = {}

    def c(cat: str) -> dict[str, int]:
        return cats.setdefault(cat, {"tp": 0, "fp": 0, "fn": 0, "support": 0})

    errors: list[dict[str, Any]] = []
    hn_rows = hn_alarms = 0
    for row in rows:
        got = detect(row, lexicon, semantic=semantic, company=company, agent_name=agent_name)
        want = set(row.labels)
        for cat in want:
            c(cat)["support"] += 1
            c(cat)["tp" if cat in got else "fn"] += 1
        for cat in got - want:
            c(cat)["fp"] += 1
        if row.kind == "hard-negative":
            hn_rows += 1
            hn_alarms += bool(got)
        if got != want:
            errors.append({"id": row.id, "speaker": row.speaker, "text": row.text,
                           "expected": sorted(want), "got": sorted(got)})
    result: dict[str, Any] = {}
    for cat in sorted(cats):
        d = cats[cat]
        result[cat] = {**d, "precision": _ratio(d["tp"], d["tp"] + d["fp"]),
                       "recall": _ratio(d["tp"], d["tp"] + d["fn"])}
    tp = sum(d["tp"] for d in cats.values())
    fp = sum(d["fp"] for d in cats.values())
    fn = sum(d["fn"] for d in cats.values())
    result["overall"] = {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn,
                         "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn)}
    result["hard_negatives"] = {"rows": hn_rows, "false_alarms": hn_alarms,
                                "rate": round(hn_alarms / hn_rows, 4) if hn_rows else 0.0}
    result["rows"] = len(rows)
    result["errors"] = errors
    return result


def categories_of(result: dict[str, Any]) -> list[str]:
    """The category keys of an `evaluate` result (everything but the summary keys)."""
    return [k for k in result if k not in ("overall", "hard_negatives", "rows", "errors")]


def format_table(lang: str, result: dict[str, Any], *, errors: bool = False) -> str:
    """The plain-text table scripts/accuracy.py and `assist lexicon test` print."""
    lines = [f"{'category (' + lang + ')':28} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6}"]
    for cat in [*categories_of(result), "overall"]:
        d = result[cat]
        lines.append(f"{cat:28} {d['tp']:4d} {d['fp']:4d} {d['fn']:4d} {d['precision']:6.3f} {d['recall']:6.3f}")
    hn = result["hard_negatives"]
    lines.append(f"{'hard negatives':28} {hn['false_alarms']}/{hn['rows']} false alarms ({hn['rate']:.1%}); "
                 f"{result['rows']} rows")
    if errors:
        for e in result["errors"]:
            lines.append(f"  {e['id']:8} {e['speaker']:8} want={','.join(e['expected']) or '-':22} "
                         f"got={','.join(e['got']) or '-':22} {e['text']}")
    return "\n".join(lines)
