"""Utterances and transcripts: the data that flows from recognisers (or text files) into the engine.

Reading `.txt`, `.json` and `.jsonl` transcripts lives here too, because `assist analyze` and the
tests need it without any audio stack.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assist.errors import InputError

SPEAKERS = ("agent", "customer")

# Speaking rate used to estimate times for transcripts that carry none (about 150 wpm, a
# typical phone pace), so metrics stay meaningful and are marked as estimated.
EST_WORDS_PER_S = 2.5
EST_GAP_S = 0.6


@dataclass
class Word:
    text: str
    start: float
    end: float
    prob: float | None = None


@dataclass
class Utterance:
    """One speaker turn. `index` is its position in the call's time-ordered utterance list.

    While live, the same index is fed again and again with growing text (`final=False`) until a
    final version arrives; the engine keys everything on the index.
    """

    index: int
    speaker: str
    start: float
    end: float
    text: str
    words: list[Word] | None = None
    final: bool = True

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "speaker": self.speaker,
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "text": self.text,
        }
        if self.words:
            d["words"] = [
                {"text": w.text, "start": round(w.start, 2), "end": round(w.end, 2)} for w in self.words
            ]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], index: int) -> Utterance:
        words = None
        if d.get("words"):
            words = [Word(str(w["text"]), float(w["start"]), float(w["end"]), w.get("prob")) for w in d["words"]]
        return cls(
            index=index,
            speaker=str(d.get("speaker", "agent")),
            start=float(d.get("start", 0.0)),
            end=float(d.get("end", d.get("start", 0.0))),
            text=str(d["text"]),
            words=words,
        )


@dataclass
class Transcript:
    utterances: list[Utterance]
    source: str = ""
    timing: str = "given"  # "given" | "estimated" | "partial"
    duration_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        if self.duration_s is not None:
            return self.duration_s
        return max((u.end for u in self.utterances), default=0.0)


_PREFIX = re.compile(r"^\s*(agent|customer|caller|client|a|c)\s*:\s*", re.IGNORECASE)
_ANY_PREFIX = re.compile(r"^\s*([A-Za-z\u0590-\u05FF][\w\u0590-\u05FF .'-]{0,30}?)\s*:\s+")
_TIME = re.compile(r"^\s*\[(\d{1,3}):(\d{2}(?:\.\d+)?)\]\s*")
_SPEAKER_ALIASES = {"agent": "agent", "a": "agent", "customer": "customer", "caller": "customer",
                    "client": "customer", "c": "customer"}


def _word_count(text: str) -> int:
    return max(1, len(text.split()))


def _check_text_file(path: Path) -> str:
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a directory, not a transcript file", path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path) from e
    if b"\x00" in raw[:8192]:
        raise InputError("binary file, expected a text transcript (.txt, .json or .jsonl)", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError("not valid UTF-8 text", path, line) from e
    if not text.strip():
        raise InputError("empty file: no utterances", path)
    return text


def parse_txt(text: str, path: str | Path = "<text>") -> Transcript:
    """One utterance per non-empty line: optional `[mm:ss]`, optional `AGENT:`/`CUSTOMER:` prefix.
    Lines starting with `#` are notes (scripts carry stage directions), not speech."""
    utts: list[Utterance] = []
    starts: list[float | None] = []
    linenos: list[int] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        start: float | None = None
        m = _TIME.match(line)
        if m:
            start = int(m.group(1)) * 60 + float(m.group(2))
            line = line[m.end():]
        speaker = "agent"
        m = _PREFIX.match(line)
        if m:
            speaker = _SPEAKER_ALIASES[m.group(1).lower()]
            line = line[m.end():]
        else:
            other = _ANY_PREFIX.match(line)
            # "Note: ..." inside an agent line is fine; an upper-case label that looks like a speaker
            # tag ("SUPERVISOR:", "Bob:") is not a speaker we know, and silently calling it the agent
            # would score the wrong person.
            if other and (other.group(1).isupper() or other.group(1).istitle()) and len(other.group(1).split()) == 1:
                raise InputError(
                    f"unknown speaker label {other.group(1)!r} (use AGENT: or CUSTOMER:)", path, lineno
                )
        body = line.strip()
        if not body:
            raise InputError("utterance has a speaker label but no text", path, lineno)
        utts.append(Utterance(index=len(utts), speaker=speaker, start=0.0, end=0.0, text=body))
        starts.append(start)
        linenos.append(lineno)
    if not utts:
        raise InputError("empty file: no utterances", path)
    timing = "given" if all(s is not None for s in starts) else ("estimated" if all(s is None for s in starts) else "partial")
    _fill_times(utts, starts, path, linenos)
    return Transcript(utts, source=str(path), timing=timing)


def _fill_times(utts: list[Utterance], starts: list[float | None], path: str | Path, linenos: list[int]) -> None:
    t = 0.0
    for i, u in enumerate(utts):
        s = starts[i]
        if s is not None:
            if i and starts[i - 1] is not None and s < (starts[i - 1] or 0.0):
                raise InputError(f"time [{int(s // 60)}:{s % 60:05.2f}] goes backwards", path, linenos[i])
            t = s
        u.start = t
        dur = _word_count(u.text) / EST_WORDS_PER_S
        nxt = next((x for x in starts[i + 1:] if x is not None), None)
        end = t + dur
        if nxt is not None and starts[i + 1] is not None:
            end = min(end, max(t + 0.2, nxt - 0.1))
        u.end = round(end, 2)
        t = u.end + EST_GAP_S


def _utt_from_obj(obj: Any, index: int, path: str | Path, line: int | None) -> Utterance:
    if not isinstance(obj, dict):
        raise InputError("expected an utterance object with 'speaker' and 'text'", path, line)
    if "text" not in obj or not isinstance(obj["text"], str):
        raise InputError("utterance has no 'text' string", path, line)
    sp = str(obj.get("speaker", "agent")).lower()
    if sp not in _SPEAKER_ALIASES:
        raise InputError(f"unknown speaker {obj.get('speaker')!r} (use 'agent' or 'customer')", path, line)
    obj = dict(obj, speaker=_SPEAKER_ALIASES[sp])
    try:
        return Utterance.from_dict(obj, index)
    except (TypeError, ValueError, KeyError) as e:
        raise InputError(f"bad utterance field: {e}", path, line) from e


def parse_json(text: str, path: str | Path = "<json>") -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"malformed JSON: {e.msg}", path, e.lineno) from e
    meta: dict[str, Any] = {}
    if isinstance(data, dict):
        meta = data.get("call", {}) if isinstance(data.get("call"), dict) else {}
        items = data.get("utterances")
        if not isinstance(items, list):
            raise InputError("JSON object has no 'utterances' list", path)
    elif isinstance(data, list):
        items = data
    else:
        raise InputError("expected a JSON list of utterances or a report with 'utterances'", path)
    if not items:
        raise InputError("empty transcript: no utterances", path)
    utts = [_utt_from_obj(o, i, path, None) for i, o in enumerate(items)]
    tr = Transcript(sorted_utts(utts), source=str(path))
    if isinstance(meta.get("duration_s"), (int, float)):
        tr.duration_s = float(meta["duration_s"])
    return tr


def parse_jsonl(text: str, path: str | Path = "<jsonl>") -> Transcript:
    utts: list[Utterance] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"malformed JSON: {e.msg}", path, lineno) from e
        # A `--format jsonl` event stream can be analysed again: keep only utterance lines.
        if isinstance(obj, dict) and obj.get("type") in {"start", "end", "flag", "cue", "checklist", "retract", "partial"}:
            continue
        if isinstance(obj, dict) and obj.get("type") == "utterance":
            obj = {k: v for k, v in obj.items() if k != "type"}
        utts.append(_utt_from_obj(obj, len(utts), path, lineno))
    if not utts:
        raise InputError("empty transcript: no utterances", path)
    return Transcript(sorted_utts(utts), source=str(path))


def sorted_utts(utts: list[Utterance]) -> list[Utterance]:
    out = sorted(utts, key=lambda u: (u.start, u.index))
    for i, u in enumerate(out):
        u.index = i
    return out


def load_transcript(path: str | Path) -> Transcript:
    """Read a transcript file by its extension; errors name the file (and line) and exit 2."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in {".txt", ".json", ".jsonl", ".text", ".md"}:
        if not p.exists():
            raise InputError("no such file", p)
        raise InputError(f"unsupported transcript type {suffix or '(none)'!r}: use .txt, .json or .jsonl", p)
    text = _check_text_file(p)
    if suffix == ".json":
        return parse_json(text, p)
    if suffix == ".jsonl":
        return parse_jsonl(text, p)
    return parse_txt(text, p)


def utterances_to_dicts(utts: list[Utterance]) -> list[dict[str, Any]]:
    return [u.to_dict() for u in utts]


__all__ = ["SPEAKERS", "Word", "Utterance", "Transcript", "load_transcript", "parse_txt", "parse_json",
           "parse_jsonl", "utterances_to_dicts", "asdict"]
