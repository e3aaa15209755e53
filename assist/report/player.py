"""Where the scorecard's audio player finds the recording.

Two ways, both offline and serverless:
- linked: the page points at the recording by a path relative to the page (`calls/x.wav` beside
  `qa/x.html` becomes `../calls/x.wav`), so the page stays small; it plays as long as the two keep
  their places. The browser plays the original file (wav, flac, mp3, ogg, opus, m4a in Chromium).
- embedded: the recording re-encoded as Opus in WebM (assist.speech.webaudio) inside the page as a
  `data:` URI, so one file travels alone (mail, ticket, archive); ~250 KB per call minute.

`render(report, "html", audio=report_audio_src(report, page_path, embed=...))` is all a command
needs; without `audio` the page is as before (no player, no script).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote


def linked_src(audio_path: str | Path, page_path: str | Path | None) -> str:
    """A URL for `audio_path` as seen from the page at `page_path`: relative when there is a page
    file (works wherever the pair is moved together), else an absolute file:// URL (page on stdout)."""
    audio = Path(audio_path).resolve()
    if page_path is None:
        return audio.as_uri()
    rel = os.path.relpath(audio, Path(page_path).resolve().parent)
    return quote(Path(rel).as_posix())


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def embedded_src(audio_path: str | Path) -> str:
    """The recording as a data: URI of Opus-in-WebM. Errors: assist.errors.InputError, one line."""
    from assist.speech.webaudio import web_audio

    data, mime = web_audio(audio_path)
    return data_uri(data, mime)


TEXT_SUFFIXES = {".txt", ".json", ".jsonl"}  # transcripts (assist analyze): no recording to play


def recording_of(report: dict[str, Any]) -> Path | None:
    """The recording a report was made from, when it is still there (`call.source`); None for a
    transcript or a file that has moved (`history --show` of an old call)."""
    src = (report.get("call") or {}).get("source")
    if not src:
        return None
    p = Path(str(src))
    return p if p.is_file() and p.suffix.lower() not in TEXT_SUFFIXES else None


def report_audio_src(report: dict[str, Any], page_path: str | Path | None, *, embed: bool = False) -> str | None:
    """audio_src for the report's own recording (recording_of), or None: one call for replay, batch and
    history. Errors: assist.errors.InputError (one line) when embedding cannot decode the recording."""
    return audio_src(recording_of(report), page_path, embed=embed)


def audio_src(audio_path: str | Path | None, page_path: str | Path | None = None, *, embed: bool = False) -> str | None:
    """The `audio=` argument of the HTML renderer for one call: None without a recording (a text
    transcript), embedded with `embed`, else linked relative to `page_path`."""
    if audio_path is None:
        return None
    return embedded_src(audio_path) if embed else linked_src(audio_path, page_path)
