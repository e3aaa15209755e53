"""Utterances and transcripts: the data that flows from recognisers (or text files) into the engine.

Reading `.txt`, `.json` and `.jsonl` transcripts lives here too, because `assist analyze` and the
tests need it without any audio stack.
"""

from __future__ import annotations

import json
import math
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
    # A partial decoded while the speaker is silent (a pause after the words): the text is as final
    # as it gets for now, so a rule's look-ahead (`not_followed_by`) is decided on it rather than
    # waiting for the turn's final (a later word still retracts it). Never in a report.
    paused: bool = False

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
        """An utterance from its report form. Times are checked (finite, not negative, end not
        before start): a NaN or Infinity would otherwise travel into every export (invalid JSON,
        a failed HTML page, a stopped batch). Raises ValueError with a message fit for the user."""
        words = None
        if d.get("words"):
            if not isinstance(d["words"], list):
                raise ValueError("'words' must be a list")
            words = []
            for n, w in enumerate(d["words"], start=1):
                if not isinstance(w, dict) or "text" not in w:
                    raise ValueError(f"word {n}: expected an object with 'text', 'start' and 'end'")
                ws = seconds(w.get("start"), f"word {n} 'start'")
                we = seconds(w.get("end", w.get("start")), f"word {n} 'end'")
                if we < ws:
                    raise ValueError(f"word {n}: 'end' ({we:g}) is before 'start' ({ws:g})")
                words.append(Word(str(w["text"]), ws, we, w.get("prob")))
        start = seconds(d.get("start", 0.0), "'start'")
        end = seconds(d.get("end", d.get("start", 0.0)), "'end'")
        if end < start:
            raise ValueError(f"'end' ({end:g}) is before 'start' ({start:g})")
        return cls(index=index, speaker=str(d.get("speaker", "agent")), start=start, end=end,
                   text=str(d["text"]), words=words)


# Times beyond this are no phone call (and would only stretch every chart to nothing).
MAX_TIME_S = 1_000_000.0


def seconds(v: Any, what: str) -> float:
    """A time in seconds from a transcript field: a finite, non-negative number (a numeric string
    is accepted). ValueError naming the field otherwise."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise ValueError(f"{what} must be a number of seconds, not {v!r}")
    try:
        x = float(v)
    except ValueError:
        raise ValueError(f"{what} must be a number of seconds, not {v!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{what} is {v!r}: times must be finite numbers of seconds")
    if x < 0:
        raise ValueError(f"{what} is negative ({x:g}): times are seconds from the call's start")
    if x > MAX_TIME_S:
        raise ValueError(f"{what} is {x:g} s, more than {MAX_TIME_S:,.0f} s: not a call's time")
    return x


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


# Speaker labels of a `.txt` line. English labels are case-insensitive; Hebrew ones are the role
# nouns in both genders ("סוכן:" / "נציגה:" is the agent, "לקוח:" / "לקוחה:" the customer). A known
# role may carry a name ("Agent Dana:", "Customer Bob:").
_SPEAKER_ALIASES = {"agent": "agent", "a": "agent", "rep": "agent", "representative": "agent",
                    "סוכן": "agent", "סוכנת": "agent", "נציג": "agent", "נציגה": "agent",
                    "customer": "customer", "caller": "customer", "client": "customer", "c": "customer",
                    "לקוח": "customer", "לקוחה": "customer", "מתקשר": "customer", "מתקשרת": "customer"}
_LABEL = re.compile(r"^\s*([^\W\d_][\w'.-]*(?:[ \t]+[\w'.-]+){0,2})[ \t]*:(?:\s+|$)")
# "A:hello" / "agent :hi" (no space after the colon) is still a label when it names a speaker.
_SHORT_LABEL = re.compile(r"^\s*(agent|customer|caller|client|a|c|סוכן|סוכנת|נציג|נציגה|לקוח|לקוחה)\s*:",
                          re.IGNORECASE)
_TIME = re.compile(r"^\s*\[(\d{1,3}):(\d{2}(?:\.\d+)?)\]\s*")
# Roles that are neither agent nor customer: such a line must never be scored as the agent, even
# written in lower case or with a name after it ("supervisor:", "Supervisor Jim:").
_OTHER_ROLES = frozenset([
    "supervisor", "manager", "lead", "team lead", "trainer", "coach", "operator", "ivr", "system", "bot",
    "host", "interpreter", "translator", "moderator", "narrator", "speaker", "third party", "other",
    "unknown", "transfer", "recording", "voicemail", "mgr", "sup", "tl",
    "מנהל", "מנהלת", "אחראי", "אחראית", "אחמש", "אחמ\"ש", "מפקח", "מפקחת", "מתורגמן", "מתורגמנית",
    "מערכת", "נציג בכיר", "דובר", "דוברת",
])


def _speaker_of_label(label: str) -> str | None:
    """'agent' / 'customer' for a label naming one, '' for a label naming someone else (an error:
    a third voice must not be scored as the agent), None for text that is no label at all
    ("so: here is the thing" — an unlabelled agent line)."""
    words = label.split()
    low = [w.lower() for w in words]
    # "Agent Dana", "Supervisor Jim", "Speaker 2", "מנהל משמרת": a role, then a name (capitalised,
    # a number, or a word of a script without case).
    named = all(not w[:1].islower() for w in words[1:])
    if low[0] in _SPEAKER_ALIASES and named:
        return _SPEAKER_ALIASES[low[0]]
    if " ".join(low) in _OTHER_ROLES or (low[0] in _OTHER_ROLES and named):
        return ""
    # Written like a name or a tag ("Jim:", "Jim Smith:", "SUPERVISOR:"): somebody we do not know.
    # A sentence that merely opens with a capital ("Here's the thing: …") has lower-case words.
    if all(w[:1].isupper() for w in words):
        return ""
    return None


# Size limits, so that a wrong file (a log, a dump) is refused at once with a clear message instead
# of running for minutes. A two-hour call is a few thousand utterances and well under 1 MB.
MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024
MAX_UTTERANCES = 100_000


def _too_many(path: str | Path, line: int | None = None) -> InputError:
    return InputError(f"more than {MAX_UTTERANCES:,} utterances (a long call has a few thousand): "
                      "not a call transcript, or split it into calls", path, line)


def _word_count(text: str) -> int:
    return max(1, len(text.split()))


def _check_text_file(path: Path) -> str:
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a directory, not a transcript file", path)
    try:
        size = path.stat().st_size
        if size > MAX_TRANSCRIPT_BYTES:
            raise InputError(f"{size / 2**20:.1f} MB, over the {MAX_TRANSCRIPT_BYTES // 2**20} MB limit for a "
                             "transcript (a long call's is well under 1 MB): not a call transcript, or split it", path)
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
        m = _LABEL.match(line)
        if m:
            who = _speaker_of_label(m.group(1))
            if who == "":
                raise InputError(
                    f"unknown speaker label {m.group(1)!r}: a transcript has two speakers, AGENT: and "
                    "CUSTOMER: (a third voice is not scored; start its lines with # to keep them as notes)",
                    path, lineno)
            if who is not None:
                speaker = who
                line = line[m.end():]
        elif (short := _SHORT_LABEL.match(line)) is not None:
            speaker = _SPEAKER_ALIASES[short.group(1).lower()]
            line = line[short.end():]
        body = line.strip()
        if not body:
            raise InputError("utterance has a speaker label but no text", path, lineno)
        if len(utts) >= MAX_UTTERANCES:
            raise _too_many(path, lineno)
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
        end = t + dur
        # Only a given start on the very next line bounds this one (no scan of the rest: that
        # made analysis quadratic in the number of lines).
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        if nxt is not None:
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
    except (TypeError, KeyError) as e:
        raise InputError(f"bad utterance field: {e}", path, line) from e
    except ValueError as e:
        raise InputError(str(e), path, line) from e


def _json_item_lines(text: str) -> list[int]:
    """Line numbers of the utterance objects in a .json transcript (a list, or a report's
    'utterances' list), so an error in one can name its line. Only called when there is an error."""
    dec = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")

    def skip(i: int) -> int:
        m = ws.match(text, i)
        return m.end() if m else i

    def items(i: int) -> list[int]:
        out: list[int] = []
        i = skip(i + 1)  # past "["
        while i < len(text) and text[i] != "]":
            out.append(text.count("\n", 0, i) + 1)
            _, i = dec.raw_decode(text, i)
            i = skip(i)
            if i < len(text) and text[i] == ",":
                i = skip(i + 1)
        return out

    try:
        i = skip(1 if text.startswith("\ufeff") else 0)
        if text[i] == "[":
            return items(i)
        i = skip(i + 1)
        while i < len(text) and text[i] != "}":
            key, i = dec.raw_decode(text, i)
            i = skip(skip(i) + 1)  # past ":"
            if key == "utterances" and text[i] == "[":
                return items(i)
            _, i = dec.raw_decode(text, i)
            i = skip(i)
            if i < len(text) and text[i] == ",":
                i = skip(i + 1)
    except (ValueError, IndexError):
        pass
    return []


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
    if len(items) > MAX_UTTERANCES:
        raise _too_many(path)
    utts: list[Utterance] = []
    for i, o in enumerate(items):
        try:
            utts.append(_utt_from_obj(o, i, path, None))
        except InputError as e:
            lines = _json_item_lines(text)
            line = lines[i] if i < len(lines) else None
            raise InputError(f"utterance {i + 1}: {e.detail}", path, line) from None
    tr = Transcript(sorted_utts(utts), source=str(path))
    if "duration_s" in meta and meta["duration_s"] is not None:
        try:
            tr.duration_s = seconds(meta["duration_s"], "call 'duration_s'")
        except ValueError as e:
            raise InputError(str(e), path) from None
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
        if len(utts) >= MAX_UTTERANCES:
            raise _too_many(path, lineno)
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
