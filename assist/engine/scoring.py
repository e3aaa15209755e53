"""The call score, 0–100, with a breakdown a team lead can follow.

Earned: up to 30 points from the checklist (10 each for greeting, empathy and callback, given when
done or not needed) on top of a base of 70. Lost: points for each flag by severity (capped per
category so one habit cannot sink a call on its own), for missed checklist items, and for pace or
balance far outside the usual range. Every line in the breakdown says what and why.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

BASE = 70
CHECKLIST_POINTS = 10
SEVERITY_COST = {"info": 1, "warning": 4, "critical": 8}
CATEGORY_CAP = 12
LIMITS = {"agent_wpm": 180, "agent_talk_ratio": 0.75, "longest_agent_monologue_s": 60.0, "overtalk_s": 15.0}
METRIC_COST = 3


def score_call(events: list[dict[str, Any]], checklist: dict[str, dict[str, Any]],
               metrics: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    lines: list[dict[str, Any]] = [{"item": "base", "points": BASE, "reason": "starting score"}]
    for item in ("greeting", "empathy", "callback"):
        st = checklist.get(item, {}).get("status", "not-needed")
        if st in ("done", "not-needed"):
            lines.append({"item": item, "points": CHECKLIST_POINTS,
                          "reason": f"{item} {'done' if st == 'done' else 'not needed'}"})
        elif st == "missed":
            lines.append({"item": item, "points": 0, "reason": f"{item} missed"})
    per_cat: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if e.get("type") == "flag":
            per_cat[e["category"]].append(e)
    for cat, evs in sorted(per_cat.items()):
        cost = sum(SEVERITY_COST.get(e.get("severity", "warning"), 4) for e in evs)
        capped = min(cost, CATEGORY_CAP)
        reason = f"{len(evs)} × {cat}" + (f" (capped at {CATEGORY_CAP})" if capped < cost else "")
        lines.append({"item": cat, "points": -capped, "reason": reason,
                      "at": [round(float(e["start"]), 1) for e in evs]})
    for key, limit in LIMITS.items():
        v = metrics.get(key)
        if isinstance(v, (int, float)) and v > limit:
            lines.append({"item": key, "points": -METRIC_COST, "reason": f"{key} {v} above {limit}"})
    total = sum(int(line["points"]) for line in lines)
    return max(0, min(100, total)), lines
