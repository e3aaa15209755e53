"""The debrief: the call report (`assist.report/1`) with a role-play section, a score that also
counts the scenario's goals and how the call ended, what improved since earlier attempts (read from
the history by assist.session.roleplay), and a Markdown export a trainer can hand back."""

from __future__ import annotations

from typing import Any

from assist.engine.scoring import score_call
from assist.roleplay.dialogue import RolePlay

# Points lost for how the call ended; every line shows up in score_breakdown with its reason.
OUTCOME_COST = {"satisfied": 0, "timeout": 10, "unfinished": 10, "hangup": 20}
OUTCOME_TEXT = {"satisfied": "the customer was satisfied", "timeout": "time ran out, nothing resolved",
                "unfinished": "the call stopped before anything was resolved",
                "hangup": "the customer hung up angry"}


def _goals(rp: RolePlay, checklist: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each expected checklist item, judged for this scenario: an item the coach calls
    'not-needed' is still expected here (a trainee who never promises a callback on an outage
    call has missed it), and a scenario-specific resolution counts as the commitment."""
    out: dict[str, dict[str, Any]] = {}
    live = rp.live_checklist or {}
    for item in rp.scenario.goals:
        st = dict(checklist.get(item, {"status": "not-needed"}))
        if (item == "empathy" and rp.outcome == "satisfied" and live.get(item, {}).get("status") == "pending"
                and (st.get("at") is not None or rp.empathy_said)):
            # The trainee showed empathy earlier, and the customer's last cue came right before
            # the answer that satisfied them: the call ended before the coach's empathy window
            # closed, and the customer's satisfaction is the verdict on it.
            st = {**st, "status": "done", "how": "customer satisfied before the last cue's window closed"}
        if st.get("status") in ("not-needed", "pending", "missed"):
            if item == "callback" and rp.commitment:
                st = {"status": "done", "commitment": rp.commitment, "how": "scenario resolution"}
            elif item == "empathy" and rp.empathy_said and st.get("status") == "not-needed":
                st = {"status": "done", "how": "empathy phrase"}
            else:
                lex = rp.lexicon
                sug = {"greeting": lex.greeting.suggestion, "empathy": lex.empathy.suggestion,
                       "callback": lex.callback.suggestion}[item]
                st = {**st, "status": "missed", "suggestion": rp.coach.fill(sug)}
        out[item] = st
    return out


def build_report(rp: RolePlay, *, agent_name: str | None = None) -> dict[str, Any]:
    sc = rp.scenario
    report = rp.coach.report(source=f"roleplay:{sc.id}", duration_s=round(rp.t, 2), kind="roleplay",
                             scenario=sc.id)
    goals = _goals(rp, report["checklist"])
    checklist = {**report["checklist"], **goals}
    score, breakdown = score_call(report["events"], checklist, report["metrics"])
    outcome = rp.outcome or "unfinished"
    cost = OUTCOME_COST.get(outcome, 0)
    if cost:
        breakdown.append({"item": "outcome", "points": -cost, "reason": OUTCOME_TEXT[outcome]})
        score = max(0, score - cost)
    report["coach_score"] = report["score"]
    report["score"] = score
    report["score_breakdown"] = breakdown
    report["roleplay"] = {
        "scenario": sc.id, "title": sc.title, "language": sc.language, "persona": sc.persona.name,
        "mood": sc.persona.mood, "outcome": outcome, "outcome_text": OUTCOME_TEXT[outcome],
        "commitment": rp.commitment, "goals": goals, "anger_start": sc.start_anger,
        "anger_end": rp.anger, "anger_limit": sc.persona.anger_limit, "time_limit_s": sc.time_limit_s,
        "turns": [t.to_dict() for t in rp.turns],
    }
    return report


def _flag_counts(report: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in report.get("events", []):
        if e.get("type") == "flag":
            out[e["category"]] = out.get(e["category"], 0) + 1
    return out


def improvement(report: dict[str, Any], previous: list[dict[str, Any]]) -> dict[str, Any]:
    """What changed since the last attempt (and against the best), in words a trainee can use."""
    prev_reports = [p for p in previous if isinstance(p, dict) and isinstance(p.get("score"), (int, float))]
    if not prev_reports:
        return {"attempts_before": 0, "notes": ["First recorded attempt at this scenario."]}
    last = prev_reports[-1]
    best = max(int(r.get("score", 0)) for r in prev_reports)
    notes = []
    delta = int(report["score"]) - int(last.get("score", 0))
    notes.append(f"Score {report['score']} vs {last.get('score')} last time ({delta:+d}); best before: {best}.")
    before, now = _flag_counts(last), _flag_counts(report)
    for cat in sorted(set(before) | set(now)):
        b, n = before.get(cat, 0), now.get(cat, 0)
        if n < b:
            notes.append(f"Fewer '{cat}' flags: {b} → {n}.")
        elif n > b:
            notes.append(f"More '{cat}' flags: {b} → {n}.")
    last_goals = (last.get("roleplay") or {}).get("goals") or last.get("checklist") or {}
    for item, st in report["roleplay"]["goals"].items():
        was = (last_goals.get(item) or {}).get("status")
        if st.get("status") == "done" and was and was != "done":
            notes.append(f"{item}: done this time (was {was}).")
        elif st.get("status") != "done" and was == "done":
            notes.append(f"{item}: {st.get('status')} this time (was done).")
    return {"attempts_before": len(prev_reports), "last_score": last.get("score"), "best_before": best,
            "delta": delta, "notes": notes}


# ----------------------------------------------------------------------------- privacy
def redact_debrief(report: dict[str, Any]) -> dict[str, Any]:
    """A redacted copy of a debrief (DESIGN.md: privacy): the call report's utterances and matches
    (redact_report), and the role-play section's copies of the trainee's answers and matched words.
    An answer takes its utterance's redaction, so a number split over two answers is caught there."""
    from assist.redact import redact_report, redact_text

    out = redact_report(report)
    same = {str(a.get("text", "")): str(b.get("text", ""))
            for a, b in zip(report.get("utterances") or [], out.get("utterances") or [], strict=False)}
    for t in (out.get("roleplay") or {}).get("turns", []) or []:
        if isinstance(t.get("answer"), str):
            t["answer"] = same.get(t["answer"]) or redact_text(t["answer"])
        for f in t.get("flags", []) or []:
            if isinstance(f.get("match"), str):
                f["match"] = redact_text(f["match"])
    return out


# ----------------------------------------------------------------------------- markdown
def to_markdown(report: dict[str, Any]) -> str:
    rp = report["roleplay"]
    lines = [f"# Role-play debrief — {rp['title']}", "",
             f"**Score: {report['score']}/100** · outcome: {rp['outcome_text']} · "
             f"{len(rp['turns'])} answers · {report['call'].get('duration_s')} s simulated · "
             f"customer: {rp['persona']} ({rp['mood']}) · language {rp['language']}", ""]
    lines += ["## Goals", "", "| item | status | detail |", "|---|---|---|"]
    for item, st in rp["goals"].items():
        detail = st.get("commitment") or ", ".join(f"missing {m}" for m in st.get("missing", [])) or ""
        lines.append(f"| {item} | {st.get('status')} | {detail} |")
    missed = [(item, st) for item, st in rp["goals"].items() if st.get("status") == "missed" and st.get("suggestion")]
    if missed:
        lines += [""] + [f"- **{item}** missed — try: {st['suggestion']}" for item, st in missed]
    flags = [e for e in report["events"] if e.get("type") == "flag"]
    lines += ["", f"## What to say instead ({len(flags)})", ""]
    if not flags:
        lines.append("No flagged phrasing.")
    utts = report.get("utterances", [])
    for e in flags:
        said = utts[e["utterance"]]["text"] if 0 <= e["utterance"] < len(utts) else e["match"]
        lines.append(f"- `{e['category']}` — you said: “{said}”")
        if e.get("suggestion"):
            lines.append(f"  - Better: {e['suggestion']}")
        if e.get("why"):
            lines.append(f"  - Why: {e['why']}")
    lines += ["", "## The call", ""]
    for t in rp["turns"]:
        lines.append(f"{t['turn']}. **You:** {t['answer']}  ")
        lines.append(f"   *({t['reaction']}: {t['why']}; anger {t['anger']}/{rp['anger_limit']})*  ")
        if t.get("customer_line"):
            lines.append(f"   **{rp['persona']}:** {t['customer_line']}")
    lines += ["", "## Score", "", "| item | points | reason |", "|---|---|---|"]
    for b in report.get("score_breakdown", []):
        lines.append(f"| {b['item']} | {b['points']:+d} | {b['reason']} |")
    imp = report.get("improvement")
    if imp:
        lines += ["", "## Since last time", ""] + [f"- {n}" for n in imp.get("notes", [])]
    return "\n".join(lines) + "\n"
