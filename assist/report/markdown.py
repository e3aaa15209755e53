"""A Markdown report a team lead can read, paste into a ticket, or print.

A right-to-left call (Hebrew: the call's language, or most of what was said) gets its body inside
`<div dir="rtl">`, which GitHub, GitLab, VS Code and pandoc's HTML honour (the blank lines around
it keep the Markdown inside rendered), and every piece of what was said — utterances, matches,
suggestions, commitments — inside Unicode isolates (FSI … PDI), so a Hebrew line with an English
word, a time or a number ("ה-SLA עד 15:00") keeps its own direction next to the English labels.
An English report is unchanged.
"""

from __future__ import annotations

from typing import Any

from assist.bidi import RTL_LANGUAGES, has_rtl
from assist.timefmt import clock

_FSI, _PDI = "\u2068", "\u2069"


def is_rtl_report(r: dict[str, Any]) -> bool:
    """Right-to-left: the call's language is (he, ar, …), or most utterances hold RTL letters."""
    lang = str(r.get("call", {}).get("language") or "").split("-")[0].lower()
    if lang in RTL_LANGUAGES:
        return True
    utts = r.get("utterances", [])
    return bool(utts) and sum(has_rtl(u.get("text", "")) for u in utts) * 2 > len(utts)


def speakers_note(call: dict[str, Any]) -> str | None:
    """How the speakers were assigned (`call.speakers_by`), in words; None when the report does not say."""
    by = call.get("speakers_by")
    if not by:
        return None
    if by == "channels":
        return "speakers by channel"
    if by == "forced":
        return "mono recording, one speaker"
    if by == "voice":
        split = call.get("voice_split") or {}
        if split.get("voices") == 1:
            return "mono recording: one voice found, all of it the agent's"
        return "mono recording: speakers told apart by voice (the agent opens the call)"
    return f"speakers by {by}"


def to_markdown(r: dict[str, Any]) -> str:
    call = r.get("call", {})
    rtl = is_rtl_report(r)

    def said(text: Any) -> str:
        """What was said (or suggested), isolated in its own direction in a right-to-left report."""
        s = "" if text is None else str(text)
        return f"{_FSI}{s}{_PDI}" if rtl and s else s

    lines = [f"# Call report — {call.get('source') or 'call'}", ""]
    if rtl:
        lines += ['<div dir="rtl">', ""]
    who = ", ".join(x for x in (call.get("agent_name"), call.get("company")) if x)
    lines.append(f"**Score: {r.get('score')}/100** · duration {clock(call.get('duration_s'))}"
                 + (f" · {who}" if who else "") + f" · language {call.get('language', '?')}"
                 + (f" · {speakers_note(call)}" if speakers_note(call) else ""))
    lines += ["", "## Checklist", "", "| item | status | when | detail |", "|---|---|---|---|"]
    for item, st in r.get("checklist", {}).items():
        detail = said(st.get("commitment")) or ", ".join(f"missing {m}" for m in st.get("missing", [])) or ""
        when = st.get("at", st.get("required_at"))
        lines.append(f"| {item} | {st.get('status')} | {clock(when) if when is not None else '—'} | {detail} |")
    events = [e for e in r.get("events", []) if e.get("type") in ("flag", "cue")]
    lines += ["", f"## Flags and cues ({len(events)})", ""]
    if not events:
        lines.append("None — clean call.")
    for e in events:
        how = " (sounds like)" if e.get("detector") == "semantic" else ""
        lines.append(f"- **{clock(e['start'])}** `{e['category']}`{how} — {e['speaker']}: “{said(e['match'])}”")
        if e.get("suggestion"):
            lines.append(f"  - Better: {said(e['suggestion'])}")
        if e.get("why"):
            lines.append(f"  - Why: {said(e['why'])}")
    m = r.get("metrics", {})
    lines += ["", "## Metrics", "", "| metric | value |", "|---|---|"]
    for k, v in m.items():
        lines.append(f"| {k} | {v if v is not None else '—'} |")
    lines += ["", "## Score breakdown", "", "| item | points | reason |", "|---|---|---|"]
    for b in r.get("score_breakdown", []):
        pts = b["points"]
        lines.append(f"| {b['item']} | {'+' if pts > 0 else ''}{pts} | {said(b['reason'])} |")
    lines += ["", "## Transcript", ""]
    flagged = {e["utterance"] for e in events}
    for u in r.get("utterances", []):
        mark = " ⚑" if u["index"] in flagged else ""
        lines.append(f"- `{clock(u['start'])}` **{u['speaker']}**{mark}: {said(u['text'])}")
    if rtl:
        lines += ["", "</div>"]
    return "\n".join(lines) + "\n"
