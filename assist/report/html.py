"""Self-contained HTML scorecard (one file, no network)."""

from __future__ import annotations

import html
from typing import Any

from assist.report.markdown import _t


def to_html(r: dict[str, Any]) -> str:
    call = r.get("call", {})
    esc = html.escape
    rows = []
    by_utt: dict[int, list[dict[str, Any]]] = {}
    for e in r.get("events", []):
        by_utt.setdefault(e["utterance"], []).append(e)
    for u in r.get("utterances", []):
        evs = by_utt.get(u["index"], [])
        notes = "".join(f"<div class='sug'><b>{esc(e['category'])}</b>: {esc(e.get('suggestion', ''))}</div>" for e in evs)
        rows.append(f"<tr class='{esc(u['speaker'])}'><td>{_t(u['start'])}</td><td>{esc(u['speaker'])}</td>"
                    f"<td>{esc(u['text'])}</td><td>{notes}</td></tr>")
    ck = "".join(f"<li>{esc(k)}: {esc(v.get('status', ''))}</li>" for k, v in r.get("checklist", {}).items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>assist report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:auto}}td{{vertical-align:top;padding:4px}}
.customer td{{color:#444}} .sug{{background:#eef;padding:2px}}</style></head><body>
<h1>{esc(str(call.get('source', 'call')))} — score {r.get('score')}</h1><ul>{ck}</ul>
<table>{''.join(rows)}</table></body></html>
"""
