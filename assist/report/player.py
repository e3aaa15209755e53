"""Where the scorecard's audio player finds the recording.

Two ways, both offline and serverless:
- linked: the page points at the recording by a path relative to the page (`calls/x.wav` beside
  `qa/x.html` becomes `../calls/x.wav`), so the page stays small; it plays as long as the two keep
  their places. The browser plays the original file (wav, flac, mp3, ogg, opus, m4a in Chromium).
- embedded: the recording re-encoded as Opus in WebM (assist.speech.webaudio) inside the page as a
  `data:` URI, so one file travels alone (mail, ticket, archive); ~120 KB per stereo minute.

`to_html(report, audio=audio_src(...))` takes the result; the page is unchanged without it.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
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


def audio_src(audio_path: str | Path | None, page_path: str | Path | None = None, *, embed: bool = False) -> str | None:
    """The `audio=` argument of the HTML renderer for one call: None without a recording (a text
    transcript), embedded with `embed`, else linked relative to `page_path`."""
    if audio_path is None:
        return None
    return embedded_src(audio_path) if embed else linked_src(audio_path, page_path)
