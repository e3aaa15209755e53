"""Measuring redaction on tests/data/pii.jsonl (docs/privacy.md reports the 'report' half).

recall: a labelled item (a card, phone, e-mail or ID, possibly in parts across utterances) counts
as caught when every character of every part that is a letter or a digit is inside a redacted span.
kind: of the caught items, how many got the right tag. precision: of the redacted spans, how many
overlap a labelled item (the rest hide something that was not personal data: a price, a date …)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.redact import Span, _utterance_spans

PII = Path(__file__).resolve().parent / "data" / "pii.jsonl"


def load(split: str | None = None) -> list[dict[str, Any]]:
    rows = [json.loads(x) for x in PII.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if split is None or r["split"] == split]


@dataclass
class Score:
    items: int = 0
    caught: int = 0
    right_kind: int = 0
    spans: int = 0
    true_spans: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.items if self.items else 1.0

    @property
    def precision(self) -> float:
        return self.true_spans / self.spans if self.spans else 1.0


def score(rows: list[dict[str, Any]]) -> Score:
    sc = Score()
    for r in rows:
        texts = [u["text"] for u in r["utterances"]]
        got = _utterance_spans(r["utterances"])
        labelled: list[list[tuple[int, int, int]]] = []  # per item: (utterance, start, end)
        for item in r["pii"]:
            parts = [(ui, texts[ui].index(sub), texts[ui].index(sub) + len(sub)) for ui, sub in item["parts"]]
            labelled.append(parts)
            sc.items += 1
            ok = all(all(any(s.start <= c < s.end for s in got[ui]) for c in range(a, b) if texts[ui][c].isalnum())
                     for ui, a, b in parts)
            if ok:
                sc.caught += 1
                kinds = {s.kind for ui, a, b in parts for s in got[ui] if s.start < b and s.end > a}
                sc.right_kind += item["kind"] in kinds
            else:
                sc.misses.append(f"{r['id']} [{item['kind']}] {' / '.join(texts)}")
        for ui, spans in enumerate(got):
            for s in spans:
                sc.spans += 1
                if any(pui == ui and s.start < b and s.end > a for parts in labelled for pui, a, b in parts):
                    sc.true_spans += 1
                else:
                    sc.false_alarms.append(f"{r['id']} {_show(texts[ui], s)}")
    return sc


def _show(text: str, s: Span) -> str:
    return f"{text[:s.start]}⟦{text[s.start:s.end]}⟧{text[s.end:]} as {s.kind}"


def table(split: str) -> str:
    lines = [f"{'set':<22}{'items':>6}{'recall':>8}{'kind ok':>9}{'spans':>7}{'precision':>11}"]
    rows = load(split)
    for name, sel in (("all", rows), ("en", [r for r in rows if r["lang"] == "en"]),
                      ("he", [r for r in rows if r["lang"] == "he"]),
                      ("spoken", [r for r in rows if r["form"] == "spoken"]),
                      ("written", [r for r in rows if r["form"] == "written"]),
                      ("split across utts", [r for r in rows if len(r["utterances"]) > 1 and r["pii"]])):
        sc = score(sel)
        kind = sc.right_kind / sc.caught if sc.caught else 1.0
        lines.append(f"{name:<22}{sc.items:>6}{sc.recall:>8.2f}{kind:>9.2f}{sc.spans:>7}{sc.precision:>11.2f}")
    return "\n".join(lines)
