"""Role-play scenarios: the data model and the loader (format: docs/roleplay.md).

A scenario is one TOML file in `lexicon/scenarios/`. It is validated completely at load, so a
trainer who breaks a file gets one line naming the file and the field, never a half-played call.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.engine.lexicon import CHECKLIST_ITEMS
from assist.engine.saferegex import LexPattern, UnsafePattern, compile_safe
from assist.errors import InputError, LexiconError
from assist.resources import scenarios_dir

SCENARIO_DIR = scenarios_dir()

# How the customer reacts to one answer (assist/roleplay/dialogue.py decides which).
REACTIONS = ("neutral", "calmer", "angrier", "vague", "satisfied")
MOODS = {"polite": 0, "confused": 1, "annoyed": 2, "angry": 3, "furious": 4}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_TOP = {"id", "title", "language", "lexicon", "company", "time_limit_s", "max_turns", "opening",
        "persona", "goals", "lines", "end", "description"}
_PERSONA = {"name", "mood", "description", "anger_limit"}
_GOALS = {"expected", "commitments"}
_LINES = {"neutral", "calmer", "angrier", "vague"}  # "satisfied" ends the call: end.satisfied
_END = {"satisfied", "hangup", "timeout"}


@dataclass
class Persona:
    name: str
    mood: str
    description: str
    anger_limit: int  # anger at or above this: the customer gives up and hangs up


@dataclass
class Scenario:
    id: str
    title: str
    language: str
    lexicon: str  # a language code or a path, as `--lexicon` takes
    company: str | None
    description: str
    time_limit_s: float
    max_turns: int
    opening: str
    persona: Persona
    goals: list[str]
    commitments: list[LexPattern]  # scenario-specific concrete resolutions ("refund … today")
    lines: dict[str, list[str]]
    end: dict[str, str]
    path: Path
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def start_anger(self) -> int:
        return MOODS[self.persona.mood]

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "language": self.language,
                "mood": self.persona.mood, "persona": self.persona.name, "goals": list(self.goals),
                "time_limit_s": self.time_limit_s, "file": str(self.path)}


def _fail(path: Path, fld: str, message: str) -> LexiconError:
    return LexiconError(path, message, field=fld)


def _text(d: dict[str, Any], key: str, where: str, path: Path, *, required: bool = True) -> str:
    v = d.get(key)
    fld = f"{where}{key}"
    if v is None:
        if required:
            raise _fail(path, fld, "missing")
        return ""
    if not isinstance(v, str) or not v.strip():
        raise _fail(path, fld, "must be a non-empty string")
    return v.strip()


def _str_list(v: Any, fld: str, path: Path) -> list[str]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not v:
        raise _fail(path, fld, "must be a non-empty list of strings")
    out = []
    for i, x in enumerate(v):
        if not isinstance(x, str) or not x.strip():
            raise _fail(path, f"{fld}[{i}]", "must be a non-empty string")
        out.append(x.strip())
    return out


def _table(data: dict[str, Any], key: str, allowed: set[str], path: Path, *, required: bool = True) -> dict[str, Any]:
    v = data.get(key)
    if v is None:
        if required:
            raise _fail(path, key, "missing table")
        return {}
    if not isinstance(v, dict):
        raise _fail(path, key, "must be a table")
    for k in v:
        if k not in allowed:
            raise _fail(path, f"{key}.{k}", f"unknown field (known: {', '.join(sorted(allowed))})")
    return v


def _number(v: Any, fld: str, path: Path, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
        raise _fail(path, fld, f"must be a number from {lo:g} to {hi:g}")
    return float(v)


def parse_scenario(data: dict[str, Any], path: Path) -> Scenario:
    for k in data:
        if k not in _TOP:
            raise _fail(path, k, f"unknown field (known: {', '.join(sorted(_TOP))})")
    sid = _text(data, "id", "", path)
    if not _ID.match(sid):
        raise _fail(path, "id", "use lowercase letters, digits and '-'")
    language = _text(data, "language", "", path)
    persona_d = _table(data, "persona", _PERSONA, path)
    mood = _text(persona_d, "mood", "persona.", path)
    if mood not in MOODS:
        raise _fail(path, "persona.mood", f"unknown mood {mood!r} (use {', '.join(MOODS)})")
    limit = int(_number(persona_d.get("anger_limit", 6), "persona.anger_limit", path, 1, 20))
    if limit <= MOODS[mood]:
        raise _fail(path, "persona.anger_limit", f"must be above the starting anger of mood {mood!r} ({MOODS[mood]})")
    persona = Persona(_text(persona_d, "name", "persona.", path), mood,
                      _text(persona_d, "description", "persona.", path, required=False), limit)

    goals_d = _table(data, "goals", _GOALS, path)
    goals = _str_list(goals_d.get("expected"), "goals.expected", path)
    for g in goals:
        if g not in CHECKLIST_ITEMS:
            raise _fail(path, "goals.expected", f"unknown checklist item {g!r} (use {', '.join(CHECKLIST_ITEMS)})")
    commitments: list[LexPattern] = []
    if "commitments" in goals_d:
        for i, src in enumerate(_str_list(goals_d["commitments"], "goals.commitments", path)):
            # on the linear-time matcher, as lexicon patterns are: a scenario file must not be able to
            # freeze a role-play either (issue 14); what RE2 cannot run is refused here, by field
            try:
                commitments.append(compile_safe(src))
            except re.error as e:
                raise _fail(path, f"goals.commitments[{i}]", f"bad regular expression: {e}") from None
            except UnsafePattern as e:
                raise _fail(path, f"goals.commitments[{i}]", f"regex {src!r}: {e}") from None

    lines_d = _table(data, "lines", _LINES, path)
    lines: dict[str, list[str]] = {}
    for r in ("neutral", "calmer", "angrier"):
        if r not in lines_d:
            raise _fail(path, f"lines.{r}", "missing: the customer needs a line for this reaction")
    for r in sorted(_LINES):
        if r in lines_d:
            lines[r] = _str_list(lines_d[r], f"lines.{r}", path)
    lines.setdefault("vague", lines["angrier"])  # a vague promise annoys like a forbidden phrase
    end_d = _table(data, "end", _END, path)
    end = {k: _text(end_d, k, "end.", path) for k in sorted(_END)}

    return Scenario(
        id=sid, title=_text(data, "title", "", path), language=language,
        lexicon=_text(data, "lexicon", "", path, required=False) or language,
        company=_text(data, "company", "", path, required=False) or None,
        description=_text(data, "description", "", path, required=False),
        time_limit_s=_number(data.get("time_limit_s", 300), "time_limit_s", path, 30, 3600),
        max_turns=int(_number(data.get("max_turns", 8), "max_turns", path, 2, 50)),
        opening=_text(data, "opening", "", path), persona=persona, goals=goals, commitments=commitments,
        lines=lines, end=end, path=path, raw=data,
    )


def load_scenario_file(path: str | Path) -> Scenario:
    p = Path(path)
    if not p.exists():
        raise InputError("no such scenario file", p)
    try:
        data = tomllib.loads(p.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise LexiconError(p, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise LexiconError(p, f"invalid TOML: {e}") from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", p) from None
    sc = parse_scenario(data, p)
    if sc.id != p.stem:
        raise _fail(p, "id", f"{sc.id!r} must match the file name {p.stem!r}")
    return sc


def scenario_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or SCENARIO_DIR).glob("*.toml"))


def list_scenarios(folder: Path | None = None) -> list[Scenario]:
    """Every scenario in the folder, validated (one broken file stops the list with its error)."""
    return [load_scenario_file(p) for p in scenario_files(folder)]


def load_scenario(spec: str | Path, folder: Path | None = None) -> Scenario:
    """A scenario by id (a shipped one) or by path to a .toml file."""
    p = Path(spec)
    if p.suffix.lower() == ".toml" or "/" in str(spec):
        return load_scenario_file(p)
    path = (folder or SCENARIO_DIR) / f"{spec}.toml"
    if not path.exists():
        known = ", ".join(x.stem for x in scenario_files(folder)) or "none"
        raise InputError(f"no such scenario {str(spec)!r} (known: {known}; or give a path to a .toml file)")
    return load_scenario_file(path)
