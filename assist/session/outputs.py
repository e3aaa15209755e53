"""What the screen leaves behind: an append-only transcript while the call runs, the report at the end.

The `.transcript.jsonl` file is written one line per final utterance / flag / mark and flushed at
once, so a call killed half way (crash, closed terminal) still has everything said up to then. The
report (JSON + Markdown) is written when the call ends or the user quits, and the call goes into
the history. All of it is redacted unless the call opted out (DESIGN.md: privacy).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from assist.engine.events import Event
from assist.redact import UtteranceRedactor, redact_report, redact_text
from assist.session.history import recording_key, save_call
from assist.session.spec import CallSpec
from assist.transcript import Utterance


def call_stem(source: str | None, when: float | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when if when is not None else time.time()))
    name = Path(source).stem if source else "live"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:40] or "call"
    return f"{stamp}-{safe}"


class TranscriptLog:
    """Append-only `.jsonl` of the call, flushed (and fsynced) per line.

    Redacted (unless the call opted out) through an UtteranceRedactor: a speaker's utterance that
    ends in a number waits for that speaker's next one (or `close`), because the recogniser may
    have split the number there ("My phone is 054 -123." / "4 5 6 7"); both halves are then
    redacted. The log can lag by that one utterance, never lose it: `close` writes what is held."""

    def __init__(self, path: Path, *, redact: bool = True) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.redact = redact
        self._redactor = UtteranceRedactor() if redact else None
        self._f: IO[str] | None = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives for the call

    def _write(self, obj: dict[str, Any]) -> None:
        if self._f is None:
            return
        self._f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self._f.flush()
        # flush() only reaches the OS; fsync makes a power cut or a killed VM lose nothing either
        os.fsync(self._f.fileno())

    def _utterance(self, utt: Utterance) -> None:
        d = utt.to_dict()
        d.pop("words", None)  # the text is what matters; word texts would need their own redaction
        self._write({"type": "utterance", **d})

    def utterance(self, utt: Utterance) -> None:
        for u in (self._redactor.push(utt) if self._redactor is not None else [utt]):
            self._utterance(u)

    def event(self, ev: Event) -> None:
        d = ev.to_dict()
        if self.redact and d.get("match"):
            d["match"] = redact_text(str(d["match"]))
        self._write(d)

    def mark(self, t: float, note: str = "") -> None:
        self._write({"type": "mark", "t": round(t, 2), "note": note})

    def close(self) -> None:
        if self._redactor is not None:
            for u in self._redactor.flush():
                self._utterance(u)
        if self._f is not None:
            self._f.close()
            self._f = None


@dataclass
class Saved:
    """What saving a call left behind: the report files, and the history's problem if it failed."""

    files: list[Path] = field(default_factory=list)
    history_error: str | None = None


def save_report(report: dict[str, Any], spec: CallSpec, stem: str, *, kind: str = "live",
                to_store: bool = True) -> Saved:
    """Write `<stem>.json` and `<stem>.md` to the reports folder (redacted unless the call opted
    out) and, with `to_store`, save the call in the history. Writing the files raises OSError (the
    caller says the report was not saved); a history that fails is `Saved.history_error`."""
    from assist.report import render

    out_dir = spec.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    rep = redact_report(report) if spec.redact else report
    saved = Saved()
    for ext, fmt in (("json", "json"), ("md", "md")):
        p = out_dir / f"{stem}.{ext}"
        tmp = p.with_suffix(p.suffix + ".tmp")
        tmp.write_text(render(rep, fmt), encoding="utf-8")
        tmp.replace(p)  # never a half-written report next to a good transcript log
        saved.files.append(p)
    if to_store and not (kind == "replay" and rep.get("call", {}).get("partial")):
        # a replay quit before its analysis ended is not the call's score: files only, never the history
        agent = spec.agent_name or rep.get("call", {}).get("agent_name")
        key = recording_key(spec, kind) if kind == "replay" else None  # one row per recording and settings
        _, saved.history_error = save_call(rep, url=spec.store_url, kind=kind, agent_name=agent, redact=spec.redact,
                                           key=key)
    return saved
