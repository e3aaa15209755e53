"""The team report: where each agent stands, from the call history.

`build_team_report(store, agent=…, since=…)` makes a plain dict (the JSON format, schema
`assist.team-report/1`); `render_team(report, fmt)` turns it into json, md, csv or a self-contained
HTML page with charts (inline SVG: score trend per agent, flags per category, checklist rates).

Checklist completion rate = done / (done + missed): calls where an item was not needed (no upset
customer, so no empathy due) or is still pending say nothing about the agent and are left out.
"""

from __future__ import annotations

import csv
import html
import io
import json
from datetime import UTC, datetime
from typing import Any

from assist.errors import InputError
from assist.report import svg

FORMATS = ("json", "md", "html", "csv")
UNKNOWN_AGENT = "(no name)"
CHECK_ORDER = ("done", "missed", "not-needed", "pending")
CHECK_COLOURS = {"done": "#15803d", "missed": "#b91c1c", "not-needed": "#d1d5db", "pending": "#d97706"}

_esc = html.escape


def _rate(counts: dict[str, int]) -> float | None:
    assessed = counts.get("done", 0) + counts.get("missed", 0)
    return round(counts.get("done", 0) / assessed, 3) if assessed else None


def build_team_report(store: Any, *, agent: str | None = None, since: Any = None, kind: str | None = None) -> dict[str, Any]:
    from assist.store import parse_since

    since_dt = parse_since(since)
    agg = store.aggregates(agent=agent, since=since_dt, kind=kind)
    by_agent: dict[str, dict[str, Any]] = {}
    total_calls = 0
    for row in agg["by_agent"]:
        name = row["agent"] or UNKNOWN_AGENT
        total_calls += row["calls"]
        avg = row["avg_score"]
        by_agent[name] = {"calls": row["calls"], "average_score": None if avg is None else round(avg, 1),
                          "min_score": row["min_score"], "max_score": row["max_score"],
                          "audio_min": round(row["audio_s"] / 60, 1), "flags": 0, "flags_per_call": 0.0,
                          "categories": {}, "checklist": {}}
    scored = [p for p in agg["points"] if p["score"] is not None]
    score_sum, score_n = sum(p["score"] for p in scored), len(scored)
    by_category: dict[str, dict[str, Any]] = {}
    for row in agg["by_category"]:
        name, cat = row["agent"] or UNKNOWN_AGENT, row["category"] or "?"
        c = by_category.setdefault(cat, {"type": row["type"], "count": 0, "by_agent": {}})
        c["count"] += row["count"]
        c["by_agent"][name] = c["by_agent"].get(name, 0) + row["count"]
        a = by_agent.get(name)
        if a is not None:
            a["categories"][cat] = a["categories"].get(cat, 0) + row["count"]
            if row["type"] == "flag":
                a["flags"] += row["count"]
    for a in by_agent.values():
        a["flags_per_call"] = round(a["flags"] / a["calls"], 2) if a["calls"] else 0.0
    checklist = _checklist(agg["checklist"], by_agent)
    calls = [{"id": p["id"], "created_at": p["created_at"].isoformat(timespec="seconds") + "Z",
              "agent": p["agent"] or UNKNOWN_AGENT, "score": p["score"], "kind": p["kind"], "source": p["source"]}
             for p in agg["points"]]
    return {
        "schema": "assist.team-report/1",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "db": store.url,
        "filters": {"agent": agent, "since": since_dt.isoformat() if since_dt else None, "kind": kind},
        "calls": total_calls,
        "average_score": round(score_sum / score_n, 1) if score_n else None,
        "flags": sum(c["count"] for c in by_category.values() if c["type"] == "flag"),
        "by_agent": dict(sorted(by_agent.items())),
        "by_category": dict(sorted(by_category.items(), key=lambda kv: (-kv[1]["count"], kv[0]))),
        "checklist": {k: checklist[k] for k in _items({"checklist": checklist})},
        "trend": _trend(scored),
        "call_list": calls,
    }


def _checklist(rows: list[dict[str, Any]], by_agent: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Checklist counts and completion rate per item, for the team and (into `by_agent`) per agent."""
    checklist: dict[str, dict[str, Any]] = {}
    per_agent_ck: dict[str, dict[str, dict[str, int]]] = {}
    for row in rows:
        name, item = row["agent"] or UNKNOWN_AGENT, row["item"]
        ck = checklist.setdefault(item, {s: 0 for s in CHECK_ORDER})
        ck[row["status"]] = ck.get(row["status"], 0) + row["count"]
        pa = per_agent_ck.setdefault(name, {}).setdefault(item, {})
        pa[row["status"]] = pa.get(row["status"], 0) + row["count"]
    for ck in checklist.values():
        ck["rate"] = _rate(ck)
    for name, items in per_agent_ck.items():
        if name in by_agent:
            by_agent[name]["checklist"] = {item: _rate(c) for item, c in items.items()}
    return checklist


def _trend(scored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Average score per agent per day."""
    days: dict[tuple[str, str], list[int]] = {}
    for p in scored:
        days.setdefault((p["created_at"].date().isoformat(), p["agent"] or UNKNOWN_AGENT), []).append(p["score"])
    return [{"date": d, "agent": a, "calls": len(v), "average_score": round(sum(v) / len(v), 1)}
            for (d, a), v in sorted(days.items())]


def render_team(r: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(r, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return to_markdown(r)
    if fmt == "csv":
        return to_csv(r)
    if fmt == "html":
        return to_html(r)
    raise InputError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{round(100 * x)}%"


def _v(x: Any) -> str:
    return "—" if x is None else str(x)


def _items(r: dict[str, Any]) -> list[str]:
    """Checklist items in the order of a call (greeting, empathy, callback), then any a lexicon adds."""
    known = [i for i in ("greeting", "empathy", "callback") if i in r["checklist"]]
    return known + sorted(i for i in r["checklist"] if i not in known)


def to_markdown(r: dict[str, Any]) -> str:
    f = r["filters"]
    scope = ", ".join(x for x in (f"agent {f['agent']}" if f["agent"] else "", f"since {f['since']}" if f["since"] else "")
                      if x) or "all calls"
    lines = ["# Team report", "", f"{r['calls']} calls ({scope}) · average score {_v(r['average_score'])} · "
             f"{r['flags']} flags", "", "## By agent", ""]
    items = _items(r)
    lines += ["| agent | calls | avg score | min | max | flags/call | " + " | ".join(items) + " |",
              "|---|---:|---:|---:|---:|---:|" + "---:|" * len(items)]
    for name, a in r["by_agent"].items():
        lines.append(f"| {name} | {a['calls']} | {_v(a['average_score'])} | {_v(a['min_score'])} | {_v(a['max_score'])} | "
                     f"{a['flags_per_call']} | " + " | ".join(_pct(a["checklist"].get(i)) for i in items) + " |")
    lines += ["", "## Flags per category", "", "| category | count | by agent |", "|---|---:|---|"]
    for cat, c in r["by_category"].items():
        who = ", ".join(f"{k} {v}" for k, v in sorted(c["by_agent"].items()))
        lines.append(f"| {cat}{' (cue)' if c['type'] == 'cue' else ''} | {c['count']} | {who} |")
    lines += ["", "## Checklist completion", "", "| item | done | missed | not needed | rate |", "|---|---:|---:|---:|---:|"]
    for item, ck in r["checklist"].items():
        lines.append(f"| {item} | {ck.get('done', 0)} | {ck.get('missed', 0)} | {ck.get('not-needed', 0)} | "
                     f"{_pct(ck['rate'])} |")
    low = lowest_calls(r)
    if low:
        lines += ["", "## Listen to these first (lowest scores)", "", "| id | when | agent | file | score |",
                  "|---:|---|---|---|---:|"]
        lines += [f"| {c['id']} | {c['created_at'][:16].replace('T', ' ')} | {c['agent']} | {_file(c)} | {c['score']} |"
                  for c in low]
    lines += ["", "## Trend (average score per day)", "", "| date | agent | calls | avg score |", "|---|---|---:|---:|"]
    for t in r["trend"]:
        lines.append(f"| {t['date']} | {t['agent']} | {t['calls']} | {t['average_score']} |")
    return "\n".join(lines) + "\n"


def lowest_calls(r: dict[str, Any], n: int = 10) -> list[dict[str, Any]]:
    """The calls a team lead should listen to first: the lowest scores (older first on ties)."""
    scored = [c for c in r["call_list"] if c["score"] is not None]
    return sorted(scored, key=lambda c: (c["score"], c["created_at"]))[:n]


def _file(c: dict[str, Any]) -> str:
    return str(c.get("source") or "").rsplit("/", 1)[-1]


def to_csv(r: dict[str, Any]) -> str:
    """One row per agent (what a spreadsheet wants): counts, scores, checklist rates, flags per category."""
    items = _items(r)
    cats = list(r["by_category"])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["agent", "calls", "average_score", "min_score", "max_score", "audio_min", "flags", "flags_per_call",
                *[f"{i}_rate" for i in items], *cats])
    for name, a in r["by_agent"].items():
        w.writerow([name, a["calls"], _csv(a["average_score"]), _csv(a["min_score"]), _csv(a["max_score"]),
                    a["audio_min"], a["flags"], a["flags_per_call"], *[_csv(a["checklist"].get(i)) for i in items],
                    *[a["categories"].get(c, 0) for c in cats]])
    return buf.getvalue()


def _csv(x: Any) -> str:
    return "" if x is None else str(x)


TEAM_CSS = """
body{font-family:"DejaVu Sans",system-ui,sans-serif;color:#111827;max-width:70em;margin:1.5em auto;padding:0 1em;
font-size:14px;line-height:1.4}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .5em;border-bottom:2px solid #e5e7eb}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #e5e7eb;border-radius:6px;padding:.6em 1em;
min-width:9em}.card b{display:block;font-size:1.8em}.card span{color:#6b7280}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #e5e7eb}
th{font-size:.85em;color:#6b7280}td.n{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}.charts .wide{grid-column:1/-1}
svg.chart{width:100%;height:auto}.empty{color:#6b7280}.meta{color:#6b7280}
@media print{body{margin:0;max-width:none;font-size:11px}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
svg,tr{break-inside:avoid}}
"""


def _trend_chart(r: dict[str, Any]) -> str:
    """Score over time per agent: daily averages when the calls span several days, else each call."""
    days = sorted({t["date"] for t in r["trend"]})
    series: dict[str, list[tuple[float, float]]] = {}
    if len(days) >= 3:
        idx = {d: i for i, d in enumerate(days)}
        for t in r["trend"]:
            series.setdefault(t["agent"], []).append((float(idx[t["date"]]), float(t["average_score"])))
        labels = [(float(i), d[5:]) for i, d in enumerate(days)]
        title = "Average score per day, per agent"
    else:
        pts = [c for c in r["call_list"] if c["score"] is not None]
        for i, c in enumerate(pts):
            series.setdefault(c["agent"], []).append((float(i), float(c["score"])))
        labels = [(float(i), f"#{c['id']}") for i, c in enumerate(pts)]
        title = "Score per call (in call order), per agent"
    return svg.line_chart(series, title=title, x_labels=labels, width=1000, height=260)


def _lowest_html(r: dict[str, Any]) -> str:
    low = lowest_calls(r)
    if not low:
        return ""
    rows = "".join(f"<tr><td class=n>{c['id']}</td><td>{_esc(c['created_at'][:16].replace('T', ' '))}</td>"
                   f"<td>{_esc(c['agent'])}</td><td>{_esc(_file(c))}</td><td class=n>{c['score']}</td></tr>" for c in low)
    return ("<h2>Listen to these first (lowest scores)</h2><table><tr><th>id</th><th>when (UTC)</th><th>agent</th>"
            f"<th>file</th><th>score</th></tr>{rows}</table>"
            "<p class='meta'>Open one with <code>assist history --show ID --format html</code>.</p>")


def to_html(r: dict[str, Any]) -> str:
    f = r["filters"]
    scope = " · ".join(x for x in (f"agent {f['agent']}" if f["agent"] else "", f"since {f['since'][:10]}" if f["since"]
                                   else "") if x) or "all calls"
    items = _items(r)
    agent_rows = "".join(
        f"<tr><td>{_esc(n)}</td><td class=n>{a['calls']}</td><td class=n>{_v(a['average_score'])}</td>"
        f"<td class=n>{_v(a['min_score'])}–{_v(a['max_score'])}</td><td class=n>{a['flags_per_call']}</td>"
        + "".join(f"<td class=n>{_pct(a['checklist'].get(i))}</td>" for i in items) + "</tr>"
        for n, a in r["by_agent"].items())
    flag_rows = [(c, float(v["count"])) for c, v in r["by_category"].items() if v["type"] == "flag"]
    cue_rows = [(c, float(v["count"])) for c, v in r["by_category"].items() if v["type"] != "flag"]
    avg_rows = [(n, float(a["average_score"])) for n, a in r["by_agent"].items() if a["average_score"] is not None]
    ck_rows = [(item, {s: int(r["checklist"][item].get(s, 0)) for s in CHECK_ORDER}) for item in items]
    charts = (f"<div class='wide'>{_trend_chart(r)}</div>"
              f"<div>{svg.hbar_chart(flag_rows, title='Flags per category', colour='#dc2626')}</div>"
              f"<div>{svg.stacked_rate_chart(ck_rows, title='Checklist completion', order=CHECK_ORDER, colours=CHECK_COLOURS)}"
              f"</div><div>{svg.hbar_chart(avg_rows, title='Average score per agent', colour='#2563eb', max_value=100)}"
              f"</div><div>{svg.hbar_chart(cue_rows, title='Customer cues', colour='#0891b2')}</div>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Team report</title><style>{TEAM_CSS}</style></head><body>
<h1>Team report</h1><div class="meta">{_esc(scope)} · generated {_esc(r['generated_at'])}</div>
<div class="cards"><div class="card"><b>{r['calls']}</b><span>calls</span></div>
<div class="card"><b>{_v(r['average_score'])}</b><span>average score</span></div>
<div class="card"><b>{r['flags']}</b><span>flags</span></div>
<div class="card"><b>{len(r['by_agent'])}</b><span>agents</span></div></div>
<h2>Charts</h2><div class="charts">{charts}</div>
<h2>By agent</h2><table><tr><th>agent</th><th>calls</th><th>avg score</th><th>range</th><th>flags/call</th>
{''.join(f'<th>{_esc(i)}</th>' for i in items)}</tr>{agent_rows}</table>
{_lowest_html(r)}
</body></html>
"""
