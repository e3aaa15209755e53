"""The per-call HTML scorecard: one self-contained file (inline CSS, SVG and script, no network,
no server) that a team lead opens in a browser or prints.

Top to bottom: the score and who/what/when; the player (when the page is given the recording);
a timeline of the call (who spoke when, where the flags and the checklist moments fell); the
checklist; the flags with the better line beside each; the metrics and how the score was made; the
transcript with each flagged phrase highlighted and the suggestion next to it.

With a recording (`to_html(report, audio=SRC)`, SRC from assist.report.player.audio_src) the page
plays the call: a click on a flag, a timeline mark or a transcript line plays from there, the line
being spoken is highlighted and a playhead moves over the timeline (assist/report/player.js,
inlined). Without one, the page has no script at all. Text that people said or typed (transcript,
names, better lines) carries dir="auto", so Hebrew reads right to left inside the English layout.
"""

from __future__ import annotations

import html
import re
from importlib import resources
from typing import Any

from assist.report.markdown import speakers_note
from assist.timefmt import clock as _t

_esc = html.escape

STATUS_LABEL = {"done": "✔ done", "missed": "✘ missed", "pending": "… pending", "not-needed": "– not needed"}
SPEAKER_COLOUR = {"agent": "#2563eb", "customer": "#9ca3af"}
SEVERITY_COLOUR = {"critical": "#b91c1c", "warning": "#d97706", "info": "#0891b2"}

CSS = """
:root{--ink:#111827;--dim:#6b7280;--line:#e5e7eb;--agent:#2563eb;--cust:#6b7280;--bad:#b91c1c;--warn:#d97706;
--ok:#15803d}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",system-ui,sans-serif;color:var(--ink);max-width:70em;margin:1.5em auto;padding:0 1em;
line-height:1.4;font-size:14px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .5em;border-bottom:2px solid var(--line);
padding-bottom:.2em}
.head{display:flex;gap:1.2em;align-items:center}
.score{font-size:2.4em;font-weight:bold;border-radius:.3em;padding:.15em .45em;color:#fff;min-width:3.2em;
text-align:center}
.score small{font-size:.4em;display:block;font-weight:normal}
.good{background:var(--ok)}.mid{background:var(--warn)}.low{background:var(--bad)}
.meta{color:var(--dim)}.meta b{color:var(--ink)}
table{border-collapse:collapse;width:100%}th,td{text-align:start;vertical-align:top;padding:.35em .5em;
border-bottom:1px solid var(--line)}th{font-size:.85em;color:var(--dim);font-weight:600}
.chips{display:flex;gap:.6em;flex-wrap:wrap}
.chip{border:1px solid var(--line);border-radius:1em;padding:.2em .8em}
.chip.done{border-color:var(--ok);color:var(--ok)}.chip.missed{border-color:var(--bad);color:var(--bad)}
.chip.pending{border-color:var(--warn);color:var(--warn)}
.transcript td.t,.flags td.t{color:var(--dim);white-space:nowrap;width:4.5em}
.transcript td.who{font-weight:600;width:6em}
.transcript tr.agent td.who{color:var(--agent)}.transcript tr.customer td.who{color:var(--cust)}
.transcript tr.customer td.said{color:#374151}
.transcript td.better{width:40%}
mark{background:#fee2e2;color:inherit;border-bottom:2px solid var(--bad);padding:0 .1em}
mark.warning{background:#fef3c7;border-color:var(--warn)}mark.cue{background:#e0f2fe;border-color:#0891b2}
.sug{border-left:3px solid var(--ok);background:#f0fdf4;padding:.25em .5em;margin-bottom:.3em}
.sug.cue{border-color:#0891b2;background:#f0f9ff}
.cat{font-family:"DejaVu Sans Mono",monospace;font-size:.85em;color:var(--bad)}
.sug.cue .cat,.cat.cue{color:#0891b2}
.why{color:var(--dim);font-size:.9em}
/* right to left: “ ” drawn in a Hebrew run point outwards (”…“), so straight quotes; a Hebrew
better line gets a line of its own under its category label, right-aligned, instead of wrapping
back to the label's left edge */
q:dir(rtl){quotes:'"' '"' "'" "'"}
.sug>span[dir]:dir(rtl){display:block}
svg.timeline{width:100%;height:auto;border:1px solid var(--line);border-radius:4px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}
.empty{color:var(--dim)}
footer{margin-top:2em;color:var(--dim);font-size:.8em}
.player{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);padding:.5em 0;
display:flex;gap:1em;align-items:center;flex-wrap:wrap}
.player audio{flex:1;min-width:18em;height:2.4em}
.player .hint,.player label{color:var(--dim);font-size:.85em}
.player .err{color:var(--bad);font-size:.9em;flex-basis:100%}
.has-audio [data-t]{cursor:pointer}
.has-audio .flags tr[data-t]:hover td,.has-audio .transcript tr[data-t]:hover td{background:#f3f4f6}
.has-audio td.t::before{content:"▶ ";color:var(--agent);font-size:.8em}
.transcript tr.current td{background:#dbeafe}
.transcript tr.current td.t{box-shadow:inset 4px 0 0 var(--agent)}
[data-t]:focus-visible{outline:2px solid var(--agent);outline-offset:-2px}
@media print{body{margin:0;max-width:none;font-size:11px}
.player,#playhead{display:none}.has-audio td.t::before{content:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
tr,.sug,svg{break-inside:avoid}h2{break-after:avoid}}
"""


def _score_class(score: Any) -> str:
    s = float(score or 0)
    return "good" if s >= 80 else "mid" if s >= 60 else "low"


def highlight(text: str, phrases: list[tuple[str, str]]) -> str:
    """`text` escaped, with each (phrase, css class) marked. Phrases come from the matcher, which
    works on normalised words, so they are found again ignoring case and punctuation between words."""
    spans: list[tuple[int, int, str]] = []
    for phrase, cls in phrases:
        words = re.findall(r"[\w']+", phrase)
        if not words:
            continue
        pat = r"(?<![\w'])" + r"[^\w']+".join(re.escape(w) for w in words) + r"(?![\w'])"
        m = re.search(pat, text, re.IGNORECASE)
        if m and not any(a < m.end() and m.start() < b for a, b, _ in spans):
            spans.append((m.start(), m.end(), cls))
    out, pos = [], 0
    for a, b, cls in sorted(spans):
        out.append(_esc(text[pos:a]))
        out.append(f"<mark class='{cls}'>{_esc(text[a:b])}</mark>")
        pos = b
    out.append(_esc(text[pos:]))
    return "".join(out)


def _secs(t: Any) -> str:
    """A time for a data-t attribute (seconds, 2 decimals)."""
    return f"{float(t or 0):.2f}"


def timeline_svg(r: dict[str, Any], width: int = 1000, *, playhead: bool = False) -> str:
    """Two lanes (agent, customer) of speech over call time, flags as markers above the lanes,
    checklist moments (greeting, empathy, callback) as labelled ticks below.

    Every mark carries `data-t` (its time, for the player to seek to) and the svg its geometry
    (`data-x0`, `data-pw`, `data-dur`: where time 0 is, the plot width, the call length), so the
    player can draw the playhead (`playhead=True` adds it, hidden until the audio plays)."""
    utts = r.get("utterances", []) or []
    events = [e for e in r.get("events", []) or [] if e.get("type") in ("flag", "cue")]
    dur = float(r.get("call", {}).get("duration_s") or 0.0)
    dur = max(dur, max((float(u.get("end") or 0) for u in utts), default=0.0), 1.0)
    left, right = 80, 24
    pw = width - left - right
    lane_y = {"agent": 40, "customer": 72}
    h = 140

    def px(t: float) -> float:
        return left + pw * max(0.0, min(t, dur)) / dur

    p = [f"<svg class='timeline' viewBox='0 0 {width} {h}' xmlns='http://www.w3.org/2000/svg' "
         f"font-family='sans-serif' font-size='11' role='img' aria-label='call timeline' "
         f"data-x0='{left}' data-pw='{pw}' data-dur='{dur:.2f}'>"]
    for sp, y in lane_y.items():
        p.append(f"<text x='{left - 8}' y='{y + 14}' text-anchor='end' fill='{SPEAKER_COLOUR[sp]}' "
                 f"font-weight='bold'>{sp}</text><rect x='{left}' y='{y}' width='{pw}' height='20' fill='#f9fafb'/>")
    for u in utts:
        sp = u.get("speaker", "agent")
        y = lane_y.get(sp, 40)
        x0, x1 = px(float(u.get("start") or 0)), px(float(u.get("end") or 0))
        p.append(f"<rect x='{x0:.1f}' y='{y}' width='{max(1.5, x1 - x0):.1f}' height='20' rx='2' "
                 f"fill='{SPEAKER_COLOUR.get(sp, '#999')}' opacity='0.75' data-t='{_secs(u.get('start'))}'><title>{_t(u.get('start'))} {sp}: "
                 f"{_esc(str(u.get('text', ''))[:120])}</title></rect>")
    for e in events:
        x = px(float(e.get("start") or 0))
        c = "#0891b2" if e.get("type") == "cue" else SEVERITY_COLOUR.get(str(e.get("severity")), "#b91c1c")
        p.append(f"<path class='mark' d='M{x - 6:.1f},14 L{x + 6:.1f},14 L{x:.1f},26 Z' fill='{c}' "
                 f"data-t='{_secs(e.get('start'))}'><title>{_t(e.get('start'))} "
                 f"{_esc(str(e.get('category')))}: {_esc(str(e.get('match', '')))}</title></path>"
                 f"<line x1='{x:.1f}' x2='{x:.1f}' y1='26' y2='92' stroke='{c}' stroke-dasharray='2,2'/>")
    for item, st in (r.get("checklist", {}) or {}).items():
        at = st.get("at", st.get("required_at"))
        if at is None:
            continue
        ok = st.get("status") == "done"
        c = "#15803d" if ok else "#b91c1c" if st.get("status") == "missed" else "#6b7280"
        x = px(float(at))
        p.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='96' y2='106' stroke='{c}' stroke-width='2'/>"
                 f"<text x='{x:.1f}' y='118' text-anchor='middle' fill='{c}' data-t='{_secs(at)}'>{'✔' if ok else '✘'} {_esc(item)}</text>")
    ticks = 6
    for i in range(ticks + 1):
        t = dur * i / ticks
        p.append(f"<text x='{px(t):.1f}' y='{h - 4}' text-anchor='middle' fill='#6b7280'>{_t(t)}</text>")
    if playhead:
        p.append(f"<line id='playhead' x1='{left}' x2='{left}' y1='8' y2='{h - 16}' stroke='#111827' "
                 f"stroke-width='2' visibility='hidden' pointer-events='none'/>")
    p.append("</svg>")
    return "".join(p)


def _checklist_html(r: dict[str, Any]) -> str:
    rows = []
    for item, st in (r.get("checklist", {}) or {}).items():
        status = str(st.get("status", ""))
        when = st.get("at", st.get("required_at"))
        detail = st.get("commitment") or ", ".join(f"missing {m}" for m in st.get("missing", []) or [])
        if status == "missed" and st.get("required_at") is not None:
            detail = detail or f"needed by {_t(st['required_at'])}"
        at = f" at {_t(when)}" if when is not None and status == "done" else ""
        rows.append(f"<span class='chip {_esc(status)}'><b>{_esc(item)}</b> {STATUS_LABEL.get(status, _esc(status))}"
                    f"{at}{' — <span dir=auto>' + _esc(str(detail)) + '</span>' if detail else ''}</span>")
    return f"<div class='chips'>{''.join(rows) or '<span class=empty>no checklist</span>'}</div>"


def _flags_table(events: list[dict[str, Any]]) -> str:
    if not events:
        return "<p class='empty'>No flags — a clean call.</p>"
    rows = []
    for e in events:
        how = " <span class='why'>(sounds like)</span>" if e.get("detector") == "semantic" else ""
        cue = " cue" if e.get("type") == "cue" else ""
        rows.append(f"<tr class='{cue.strip()}' data-t='{_secs(e.get('start'))}' tabindex='0'>"
                    f"<td class='t'>{_t(e.get('start'))}</td><td class='cat{cue}'>{_esc(str(e.get('category')))}{how}</td>"
                    f"<td>{_esc(str(e.get('speaker', '')))}: <q dir='auto'>{_esc(str(e.get('match', '')))}</q></td>"
                    f"<td dir='auto'>{_esc(str(e.get('suggestion') or ''))}"
                    f"{'<div class=why>' + _esc(str(e['why'])) + '</div>' if e.get('why') else ''}</td></tr>")
    return ("<table class='flags'><tr><th>time</th><th>category</th><th>said</th><th>better line</th></tr>"
            + "".join(rows) + "</table>")


def _transcript_html(r: dict[str, Any], events: list[dict[str, Any]]) -> str:
    by_utt: dict[int, list[dict[str, Any]]] = {}
    for e in events:
        if e.get("utterance") is not None:
            by_utt.setdefault(int(e["utterance"]), []).append(e)
    rows = []
    for u in r.get("utterances", []) or []:
        evs = by_utt.get(int(u.get("index", -1)), [])
        marks = [(str(e.get("match", "")), "cue" if e.get("type") == "cue" else str(e.get("severity", "")))
                 for e in evs]
        notes = "".join(
            f"<div class='sug {'cue' if e.get('type') == 'cue' else ''}'><span class='cat'>{_esc(str(e.get('category')))}"
            f"</span> <span dir='auto'>{_esc(str(e.get('suggestion') or ''))}</span></div>" for e in evs)
        sp = str(u.get("speaker", ""))
        rows.append(f"<tr class='u {_esc(sp)}{' flagged' if evs else ''}' data-t='{_secs(u.get('start'))}' "
                    f"data-end='{_secs(u.get('end'))}' data-i='{int(u.get('index', -1))}' tabindex='0'>"
                    f"<td class='t'>{_t(u.get('start'))}</td>"
                    f"<td class='who'>{_esc(sp)}</td><td class='said' dir='auto'>{highlight(str(u.get('text', '')), marks)}</td>"
                    f"<td class='better'>{notes}</td></tr>")
    if not rows:
        return "<p class='empty'>No speech was recognised.</p>"
    return ("<table class='transcript'><tr><th>time</th><th>who</th><th>said</th><th>better line</th></tr>"
            + "".join(rows) + "</table>")


def _kv_table(items: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><td>{_esc(k)}</td><td>{v}</td></tr>" for k, v in items) + "</table>"


def _player_html(audio: str) -> str:
    return (f"<div class='player' id='player'><audio id='call-audio' controls preload='auto' src='{_esc(audio)}'>"
            "</audio>"
            "<label><input type='checkbox' id='follow' checked> follow the transcript</label>"
            "<span class='hint'>click a flag, a timeline mark or a line to play from there</span>"
            "<span class='err' id='audio-error' hidden>This browser cannot play the recording (moved, or a format it "
            "does not read): keep it beside the page, or make the page with the audio embedded.</span></div>")


def _player_script() -> str:
    js = resources.files("assist.report").joinpath("player.js").read_text(encoding="utf-8")
    return f"<script>{js}</script>"


def to_html(r: dict[str, Any], *, audio: str | None = None) -> str:
    """The scorecard page. `audio`: the recording's URL for the player — a path relative to the page,
    or a data: URI (assist.report.player.audio_src makes either); None: a page without a player."""
    call = r.get("call", {}) or {}
    events = [e for e in r.get("events", []) or [] if e.get("type") in ("flag", "cue")]
    flags = [e for e in events if e.get("type") == "flag"]
    score = r.get("score")
    source = str(call.get("source") or "call")
    who = " · ".join(f"<b dir='auto'>{_esc(str(x))}</b>" for x in (call.get("agent_name"), call.get("company")) if x)
    meta = [f"duration <b>{_t(call.get('duration_s'))}</b>", f"language <b>{_esc(str(call.get('language', '?')))}</b>",
            f"<b>{len(flags)}</b> flag{'s' if len(flags) != 1 else ''}"]
    if call.get("engine"):
        meta.append(f"engine {_esc(str(call.get('engine')))} {_esc(str(call.get('model') or ''))}")
    if call.get("timing") == "estimated":
        meta.append("times estimated from the text")
    if call.get("redacted"):
        meta.append("personal data redacted")
    if speakers_note(call):
        meta.append(_esc(str(speakers_note(call))))
    metrics = [(k, _esc(str(v)) if v is not None else "—") for k, v in (r.get("metrics", {}) or {}).items()]
    breakdown = [(str(b.get("reason", b.get("item"))), f"{'+' if b.get('points', 0) > 0 else ''}{b.get('points')}")
                 for b in r.get("score_breakdown", []) or []]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Scorecard — {_esc(source)}</title><style>{CSS}</style></head><body{' class="has-audio"' if audio else ''}>
<div class="head"><div class="score {_score_class(score)}">{_esc(str(score))}<small>of 100</small></div>
<div><h1><bdi>{_esc(source.rsplit('/', 1)[-1])}</bdi></h1><div class="meta">{who + ' · ' if who else ''}{' · '.join(meta)}</div></div></div>
{_player_html(audio) if audio else ''}
<h2>Timeline</h2>{timeline_svg(r, playhead=bool(audio))}
<h2>Checklist</h2>{_checklist_html(r)}
<h2>Flags, customer cues and better lines ({len(events)})</h2>{_flags_table(events)}
<div class="grid"><div><h2>Metrics</h2>{_kv_table(metrics)}</div>
<div><h2>How the score was made</h2>{_kv_table(breakdown) if breakdown else '<p class=empty>—</p>'}</div></div>
<h2>Transcript</h2>{_transcript_html(r, events)}
<footer>assist scorecard · {_esc(source)} · report schema {_esc(str(r.get('schema', '')))}</footer>
{_player_script() if audio else ''}</body></html>
"""
