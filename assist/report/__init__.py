"""Rendering a report (the `assist.report/1` dict) as JSON, Markdown, HTML or a terminal summary."""

from __future__ import annotations

import json
from typing import Any

from assist.errors import InputError

FORMATS = ("json", "jsonl", "md", "html")


def render(report: dict[str, Any], fmt: str, *, audio: str | None = None) -> str:
    """`audio` (html only): the recording's URL for the page's player, from
    assist.report.player.audio_src(path, page_path, embed=...); ignored by the other formats."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        from assist.report.markdown import to_markdown

        return to_markdown(report)
    if fmt == "html":
        from assist.report.html import to_html

        return to_html(report, audio=audio)
    raise InputError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
