"""The call report (`assist.report/1`, DESIGN.md) from what the coach holds: utterances, the flags
and cues standing, the checklist, metrics and the score with its breakdown."""

from __future__ import annotations

from typing import Any

from assist.engine.events import Event
from assist.engine.metrics import compute_metrics
from assist.engine.scoring import score_call
from assist.transcript import Utterance

SCHEMA = "assist.report/1"


def build_report(utterances: list[Utterance], events: list[Event], checklist: dict[str, dict[str, Any]], *,
                 language: str, company: str | None, agent_name: str | None, lexicon_file: str,
                 source: str = "", duration_s: float | None = None, **call: Any) -> dict[str, Any]:
    """`duration_s` defaults to the end of the last utterance; `call` adds fields to `report["call"]`
    (engine, model, mode, timing, kind, …)."""
    evs = [e.to_dict() for e in events]
    dur = duration_s if duration_s is not None else max((u.end for u in utterances), default=0.0)
    metrics = compute_metrics(utterances, dur)
    score, breakdown = score_call(evs, checklist, metrics)
    return {
        "schema": SCHEMA,
        "call": {"source": source, "duration_s": round(dur, 2), "language": language, "company": company,
                 "agent_name": agent_name, "lexicon": lexicon_file, **call},
        "utterances": [u.to_dict() for u in utterances],
        "events": evs,
        "checklist": checklist,
        "metrics": metrics,
        "score": score,
        "score_breakdown": breakdown,
    }
