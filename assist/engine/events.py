"""Events the coach emits. The report's `events` list holds the `flag` and `cue` ones (DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# type:
#   flag       agent phrasing that breaks a rule (category: one of the agent category ids)
#   cue        customer cue (customer-frustration)
#   retract    an earlier flag/cue (same `id`) no longer holds: the final text dropped it
#   checklist  a checklist item changed state (data: item, status, at, ...)
#   suggest    a line to say now that is not tied to a phrase (e.g. empathy overdue)
REPORTED_TYPES = ("flag", "cue")


@dataclass
class Event:
    type: str
    category: str
    utterance: int
    speaker: str
    start: float
    end: float
    rule: str = ""
    match: str = ""
    suggestion: str = ""
    severity: str = "info"
    detector: str = "lexical"
    why: str = ""
    id: str = ""
    latency_s: float | None = None
    final: bool = True  # False while it stems from a partial utterance
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "type": self.type,
            "category": self.category,
            "rule": self.rule,
            "utterance": self.utterance,
            "speaker": self.speaker,
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "match": self.match,
            "suggestion": self.suggestion,
            "severity": self.severity,
            "detector": self.detector,
        }
        if self.why:
            d["why"] = self.why
        if self.id:
            d["id"] = self.id
        if self.latency_s is not None:
            d["latency_s"] = round(self.latency_s, 3)
        d.update(self.data)
        return d
