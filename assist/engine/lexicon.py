"""Lexicon files: loading and validation.

A lexicon is one TOML file per language (see docs/lexicon.md for the format). Everything is
validated at load so that a bad custom lexicon is refused with a message naming the file, the rule
and the field — and a live call keeps the last good lexicon (`LexiconHolder`).
"""

from __future__ import annotations

import hashlib
import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.engine.hebrew import canonical_pattern
from assist.engine.saferegex import LexPattern, UnsafePattern, compile_safe
from assist.errors import LexiconError
from assist.resources import lexicon_dir

LEXICON_DIR = lexicon_dir()

AGENT_CATEGORIES = (
    "starts-with-no", "not-my-job", "vague-promise", "half-promise", "condescending-check",
    "why-did-you", "ultimatum", "no-problem", "known-issue", "dismissive", "jargon",
)
CUSTOMER_CATEGORIES = ("customer-frustration",)
CHECKLIST_ITEMS = ("greeting", "empathy", "callback")
SEVERITIES = ("info", "warning", "critical")
SPEAKERS = ("agent", "customer", "any")
POSITIONS = ("anywhere", "sentence-start", "utterance-start")
KINDS = ("flag", "cue")

_RULE_FIELDS = {
    "id", "category", "severity", "speaker", "kind", "position", "patterns", "not_followed_by",
    "not_preceded_by", "exceptions", "suggestion", "why", "enabled",
}
_TOP_FIELDS = {"meta", "defaults", "macros", "contractions", "rules", "checklist", "semantic"}
_META_FIELDS = {"language", "name", "version", "prefixes", "fillers", "description", "semantic"}
_CHECKLIST_FIELDS = {
    "greeting": {"phrases", "within_s", "suggestion", "why", "name_threshold", "company_intro", "agent_intro",
                 "common_words"},
    "empathy": {"phrases", "turns", "suggestion", "why"},
    "callback": {"intent", "concrete", "suggestion", "why", "rule", "severity", "exceptions"},
}

_MACRO_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_NOT_REF = re.compile(r"\{not:([^{}]+)\}")
_TEMPLATE_KEYS = {"company", "agent_name", "day", "time", "customer_name"}


@dataclass
class Rule:
    id: str
    category: str
    severity: str
    speaker: str
    kind: str
    position: str
    patterns: list[LexPattern]
    not_followed_by: list[LexPattern]
    not_preceded_by: list[LexPattern]
    exceptions: list[LexPattern]
    suggestion: str
    why: str
    sources: list[str] = field(default_factory=list)  # the pattern texts, for display and hashing


@dataclass(frozen=True)
class Intro:
    """One way of introducing the company or oneself ("thank you for calling {company}", "{agent_name}
    speaking"): the words around the name (`cue`), which side of them the name is on, and whether
    the name must open the sentence (`^{company} hello`) or the cue end it (`{agent_name} here$`).
    The name itself is a slot of one to three words (see assist/engine/coach/greeting.py)."""

    part: str  # "company" or "agent_name"
    cue: LexPattern
    name_after: bool  # the name follows the cue ("this is {agent_name}") or precedes it ("{agent_name} speaking")
    at_start: bool
    source: str
    at_end: bool = False


@dataclass
class GreetingSpec:
    phrases: list[LexPattern]
    within_s: float
    suggestion: str
    why: str
    name_threshold: float
    intros: list[Intro] = field(default_factory=list)
    common_words: frozenset[str] = frozenset()  # words that are never the name in an intro's slot


@dataclass
class EmpathySpec:
    phrases: list[LexPattern]
    turns: int
    suggestion: str
    why: str


@dataclass
class CallbackSpec:
    intent: list[LexPattern]
    concrete: list[LexPattern]
    exceptions: list[LexPattern]
    suggestion: str
    why: str
    rule: str
    severity: str


@dataclass
class Lexicon:
    path: Path
    language: str
    name: str
    prefixes: list[str]
    fillers: list[str]
    defaults: dict[str, str]
    contractions: dict[str, str]
    rules: list[Rule]
    greeting: GreetingSpec
    empathy: EmpathySpec
    callback: CallbackSpec
    semantic: dict[str, Any]
    sha256: str
    raw: dict[str, Any]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def categories(self) -> list[str]:
        seen: list[str] = []
        for r in self.rules:
            if r.category not in seen:
                seen.append(r.category)
        return seen


def resolve_lexicon_path(spec: str | Path | None) -> Path:
    """`--lexicon` takes a path or a language code (`en`, `he`) naming a shipped lexicon."""
    if spec is None or spec == "":
        spec = "en"
    p = Path(spec)
    if p.suffix.lower() == ".toml" or p.exists() or "/" in str(spec):
        return p
    shipped = LEXICON_DIR / f"{spec}.toml"
    if shipped.exists():
        return shipped
    known = ", ".join(sorted(x.stem for x in LEXICON_DIR.glob("*.toml")))
    raise LexiconError(str(spec), f"no such lexicon (shipped: {known}; or give a path to a .toml file)")


def load_lexicon(spec: str | Path | None = None) -> Lexicon:
    path = resolve_lexicon_path(spec)
    if not path.exists():
        raise LexiconError(path, "no such file")
    try:
        raw_bytes = path.read_bytes()
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        raise LexiconError(path, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise LexiconError(path, f"invalid TOML: {e}") from None
    except OSError as e:
        raise LexiconError(path, f"cannot read: {e.strerror}") from None
    return parse_lexicon(data, path, hashlib.sha256(raw_bytes).hexdigest())


def _str_list(v: Any, path: Path, rule: str | None, fld: str) -> list[str]:
    if isinstance(v, str):
        return [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise LexiconError(path, "must be a string or a list of strings", rule, fld)
    return list(v)


_INTRO_SLOT = re.compile(r"^(\^?)\{(company|agent_name)\}\s+(.+)$|^(.+?)\s+\{(company|agent_name)\}$")


def _intros(g: dict[str, Any], comp: _Compiler, path: Path) -> list[Intro]:
    """`company_intro` / `agent_intro`: cues with the name's slot at one end ("this is {agent_name}",
    "{agent_name} speaking", "^{company} hello" — the company opening the sentence)."""
    out: list[Intro] = []
    for fld, part in (("company_intro", "company"), ("agent_intro", "agent_name")):
        for src in _str_list(g.get(fld, []), path, "checklist.greeting", fld):
            m = _INTRO_SLOT.match(src.strip())
            slot = m and (m.group(2) or m.group(5))
            if m is None or slot != part:
                raise LexiconError(path, f"{src!r}: an intro is words with {{{part}}} at its start or end",
                                   "checklist.greeting", fld)
            after = m.group(4) is not None
            words = m.group(4) if after else m.group(3)
            at_end = not after and words.endswith("$")
            cue = comp.compile(words[:-1] if at_end else words, "checklist.greeting", fld)
            out.append(Intro(part, cue, after, bool(m.group(1)), src.strip(), at_end))
    return out


class _Compiler:
    """Compiles lexicon regexes: expands `{macro}`s and wraps them in word boundaries.

    Word boundaries are written as look-arounds on `\\w` so they also work for Hebrew; with
    `prefixes` set (Hebrew), a pattern may also match after attached prefix letters (ו, ש, ה, …),
    so "לא" also catches "ולא".
    """

    def __init__(self, path: Path, macros: dict[str, str], prefixes: list[str]) -> None:
        self.path = path
        self.macros = macros
        self.prefix = ""
        if prefixes:
            letters = "".join(sorted({p for p in prefixes if len(p) == 1}))
            multi = sorted((p for p in prefixes if len(p) > 1), key=len, reverse=True)
            alts = [re.escape(m) for m in multi] + ([f"[{re.escape(letters)}]{{1,3}}"] if letters else [])
            self.prefix = f"(?:{'|'.join(alts)})?"

    def expand(self, src: str, rule: str | None, fld: str, depth: int = 0) -> str:
        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in self.macros:
                # `{2,3}` style quantifiers never reach here (they are digits); anything else is a typo.
                raise LexiconError(self.path, f"unknown macro {{{name}}} in {src!r}", rule, fld)
            if depth > 5:
                raise LexiconError(self.path, f"macro {{{name}}} refers to itself", rule, fld)
            return "(?:" + self.expand(self.macros[name], rule, fld, depth + 1) + ")"

        src = _NOT_REF.sub(lambda m: word_except([w.strip() for w in m.group(1).split("|")], self.path, rule, fld),
                           src)
        return _MACRO_REF.sub(sub, src)

    def compile(self, src: str, rule: str | None, fld: str, *, anchored_words: bool = True,
                prefixed: bool = True) -> LexPattern:
        """A pattern on the linear-time matcher (saferegex): a lexicon can never stall a call."""
        if not src.strip():
            raise LexiconError(self.path, "empty pattern", rule, fld)
        # Hebrew words are folded as the text is (spelling variants, gender): see engine/hebrew.py.
        body = canonical_pattern(self.expand(src.strip().lower(), rule, fld))
        pre = self.prefix if prefixed and anchored_words else ""
        try:
            return compile_safe(body, words=anchored_words, prefix=pre)
        except re.error as e:
            raise LexiconError(self.path, f"bad regex {src!r}: {e.msg}", rule, fld) from None
        except UnsafePattern as e:
            raise LexiconError(self.path, f"regex {src!r}: {e}", rule, fld) from None

    def compile_list(self, v: Any, rule: str | None, fld: str, **kw: Any) -> list[LexPattern]:
        return [self.compile(s, rule, fld, **kw) for s in _str_list(v, self.path, rule, fld)]


def word_except(words: list[str], path: Path, rule: str | None, fld: str) -> str:
    """`{not:be|have|feel}`: one word other than these — what a look-ahead like `(?!be\\b|have\\b)\\w+`
    said, written for a matcher without look-aheads. A regex over the word's letters: the words as a
    character trie, and at each node "a letter no listed word continues with", or the end of the
    word where no listed word ends. It matches a whole word when a space or the pattern's end
    follows (as it does where a word is expected)."""
    if not words or any(not w or not re.fullmatch(r"\w+", w) for w in words):
        raise LexiconError(path, f"{{not:…}} takes words separated by |, not {'|'.join(words)!r}", rule, fld)
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any], root: bool) -> str:
        kids = sorted(k for k in node if k)
        alts = [re.escape(k) + emit(node[k], False) for k in kids]
        other = "[^" + "".join(re.escape(k) for k in kids) + "\\W]" if kids else "\\w"
        alts.append(other + "\\w*")
        if not root and "" not in node:
            alts.append("")  # the word may end here: no listed word does
        return "(?:" + "|".join(alts) + ")"

    return emit(trie, True)


def _check_template(text: str, path: Path, rule: str | None, fld: str) -> None:
    for m in re.finditer(r"\{([^{}]*)\}", text):
        if m.group(1) not in _TEMPLATE_KEYS:
            raise LexiconError(path, f"unknown placeholder {{{m.group(1)}}} (use {', '.join(sorted('{' + k + '}' for k in _TEMPLATE_KEYS))})", rule, fld)


def parse_lexicon(data: dict[str, Any], path: Path, sha256: str = "") -> Lexicon:
    unknown = set(data) - _TOP_FIELDS
    if unknown:
        raise LexiconError(path, f"unknown section(s): {', '.join(sorted(unknown))}", None, sorted(unknown)[0])
    meta = data.get("meta")
    if not isinstance(meta, dict):
        raise LexiconError(path, "missing [meta] table", None, "meta")
    bad = set(meta) - _META_FIELDS
    if bad:
        raise LexiconError(path, "unknown field in [meta]", None, sorted(bad)[0])
    language = meta.get("language")
    if not isinstance(language, str) or not language:
        raise LexiconError(path, "missing language code", None, "meta.language")
    prefixes = _str_list(meta.get("prefixes", []), path, None, "meta.prefixes")
    fillers = [canonical_pattern(f.lower()) for f in _str_list(meta.get("fillers", []), path, None, "meta.fillers")]
    macros = data.get("macros", {})
    if not isinstance(macros, dict) or not all(isinstance(v, str) for v in macros.values()):
        raise LexiconError(path, "must be a table of strings", None, "macros")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
        raise LexiconError(path, "must be a table of strings", None, "defaults")
    weekend = defaults.get("weekend")
    if weekend is not None and not re.fullmatch(r"\s*[0-6]\s*(?:,\s*[0-6]\s*)*", weekend):
        raise LexiconError(path, "must be weekday numbers 0-6 (0 = Monday), comma-separated", None, "defaults.weekend")
    weekdays = defaults.get("weekdays")
    if weekdays is not None and len([x for x in weekdays.split(",") if x.strip()]) != 7:
        raise LexiconError(path, "must name seven days, Monday first, comma-separated", None, "defaults.weekdays")
    contractions = data.get("contractions", {})
    if not isinstance(contractions, dict) or not all(isinstance(v, str) for v in contractions.values()):
        raise LexiconError(path, "must be a table of strings", None, "contractions")
    comp = _Compiler(path, macros, prefixes)

    rules: list[Rule] = []
    seen: set[str] = set()
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise LexiconError(path, "must be an array of tables ([[rules]])", None, "rules")
    for n, r in enumerate(raw_rules, start=1):
        if not isinstance(r, dict):
            raise LexiconError(path, "must be a table", f"#{n}", "rules")
        rid = r.get("id")
        if not isinstance(rid, str) or not rid:
            raise LexiconError(path, "missing id", f"#{n}", "id")
        if rid in seen:
            raise LexiconError(path, "duplicate id", rid, "id")
        seen.add(rid)
        extra = set(r) - _RULE_FIELDS
        if extra:
            raise LexiconError(path, "unknown field", rid, sorted(extra)[0])
        if r.get("enabled", True) is False:
            continue
        category = r.get("category")
        if not isinstance(category, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", category):
            raise LexiconError(path, "missing or malformed category (lowercase-with-dashes)", rid, "category")
        severity = r.get("severity", "warning")
        if severity not in SEVERITIES:
            raise LexiconError(path, f"must be one of {', '.join(SEVERITIES)}", rid, "severity")
        default_speaker = "customer" if category in CUSTOMER_CATEGORIES else "agent"
        speaker = r.get("speaker", default_speaker)
        if speaker not in SPEAKERS:
            raise LexiconError(path, f"must be one of {', '.join(SPEAKERS)}", rid, "speaker")
        kind = r.get("kind", "cue" if category in CUSTOMER_CATEGORIES else "flag")
        if kind not in KINDS:
            raise LexiconError(path, f"must be one of {', '.join(KINDS)}", rid, "kind")
        position = r.get("position", "anywhere")
        if position not in POSITIONS:
            raise LexiconError(path, f"must be one of {', '.join(POSITIONS)}", rid, "position")
        if "patterns" not in r:
            raise LexiconError(path, "missing patterns", rid, "patterns")
        sources = _str_list(r["patterns"], path, rid, "patterns")
        if not sources:
            raise LexiconError(path, "needs at least one pattern", rid, "patterns")
        suggestion = r.get("suggestion")
        if kind == "flag" and (not isinstance(suggestion, str) or not suggestion.strip()):
            raise LexiconError(path, "missing suggestion (what to say instead)", rid, "suggestion")
        suggestion = suggestion or ""
        if not isinstance(suggestion, str):
            raise LexiconError(path, "must be a string", rid, "suggestion")
        _check_template(suggestion, path, rid, "suggestion")
        why = r.get("why", "")
        if not isinstance(why, str):
            raise LexiconError(path, "must be a string", rid, "why")
        if kind == "flag" and not why.strip():
            raise LexiconError(path, "missing why (the tip this rule comes from, one line)", rid, "why")
        rules.append(Rule(
            id=rid, category=category, severity=severity, speaker=speaker, kind=kind, position=position,
            patterns=[comp.compile(s, rid, "patterns") for s in sources],
            # Look-around lists are tested against the text right after / before the match.
            not_followed_by=[comp.compile(s, rid, "not_followed_by", anchored_words=False)
                             for s in _str_list(r.get("not_followed_by", []), path, rid, "not_followed_by")],
            not_preceded_by=[comp.compile(s, rid, "not_preceded_by", anchored_words=False)
                             for s in _str_list(r.get("not_preceded_by", []), path, rid, "not_preceded_by")],
            exceptions=comp.compile_list(r.get("exceptions", []), rid, "exceptions"),
            suggestion=suggestion, why=why.strip(), sources=sources,
        ))

    ck = data.get("checklist", {})
    if not isinstance(ck, dict):
        raise LexiconError(path, "must be a table", None, "checklist")
    for key in ck:
        if key not in _CHECKLIST_FIELDS:
            raise LexiconError(path, f"unknown checklist item (known: {', '.join(CHECKLIST_ITEMS)})", None, f"checklist.{key}")
        if not isinstance(ck[key], dict):
            raise LexiconError(path, "must be a table", None, f"checklist.{key}")
        bad = set(ck[key]) - _CHECKLIST_FIELDS[key]
        if bad:
            raise LexiconError(path, "unknown field", f"checklist.{key}", sorted(bad)[0])

    def item(name: str) -> dict[str, Any]:
        v = ck.get(name)
        if not isinstance(v, dict):
            raise LexiconError(path, "missing [checklist." + name + "] table", None, f"checklist.{name}")
        return v

    def text(d: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        v = d.get(key, "")
        if not isinstance(v, str) or (required and not v.strip()):
            raise LexiconError(path, f"missing {key}", where, key)
        _check_template(v, path, where, key)
        return v

    g = item("greeting")
    greeting = GreetingSpec(
        phrases=comp.compile_list(g.get("phrases", []), "checklist.greeting", "phrases"),
        within_s=float(g.get("within_s", 15.0)),
        suggestion=text(g, "suggestion", "checklist.greeting"),
        why=text(g, "why", "checklist.greeting", required=False),
        name_threshold=float(g.get("name_threshold", 0.75)),
        intros=_intros(g, comp, path),
        common_words=frozenset(w.lower() for w in _str_list(g.get("common_words", []), path, "checklist.greeting",
                                                            "common_words")),
    )
    e = item("empathy")
    if not e.get("phrases"):
        raise LexiconError(path, "needs at least one empathy phrase", "checklist.empathy", "phrases")
    empathy = EmpathySpec(
        phrases=comp.compile_list(e["phrases"], "checklist.empathy", "phrases"),
        turns=int(e.get("turns", 2)),
        suggestion=text(e, "suggestion", "checklist.empathy"),
        why=text(e, "why", "checklist.empathy", required=False),
    )
    c = item("callback")
    for key in ("intent", "concrete"):
        if not c.get(key):
            raise LexiconError(path, f"needs at least one {key} pattern", "checklist.callback", key)
    severity = c.get("severity", "warning")
    if severity not in SEVERITIES:
        raise LexiconError(path, f"must be one of {', '.join(SEVERITIES)}", "checklist.callback", "severity")
    callback = CallbackSpec(
        intent=comp.compile_list(c["intent"], "checklist.callback", "intent"),
        concrete=comp.compile_list(c["concrete"], "checklist.callback", "concrete"),
        exceptions=comp.compile_list(c.get("exceptions", []), "checklist.callback", "exceptions"),
        suggestion=text(c, "suggestion", "checklist.callback"),
        why=text(c, "why", "checklist.callback"),
        rule=str(c.get("rule", f"{language}.callback.no-time")),
        severity=severity,
    )
    semantic = data.get("semantic", {})
    if not isinstance(semantic, dict):
        raise LexiconError(path, "must be a table", None, "semantic")
    return Lexicon(
        path=path, language=language, name=str(meta.get("name", language)), prefixes=prefixes,
        fillers=fillers, defaults={str(k): v for k, v in defaults.items()},
        contractions={k.lower(): v.lower() for k, v in contractions.items()}, rules=rules,
        greeting=greeting, empathy=empathy, callback=callback, semantic=semantic, sha256=sha256, raw=data,
    )


class LexiconHolder:
    """Holds the lexicon a live call uses. `reload()` swaps in a new one only if it validates;
    otherwise it returns the error and the last good lexicon stays in force."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lock = threading.Lock()
        self._lexicon = lexicon

    @property
    def lexicon(self) -> Lexicon:
        with self._lock:
            return self._lexicon

    def reload(self, spec: str | Path) -> LexiconError | None:
        try:
            new = load_lexicon(spec)
        except LexiconError as e:
            return e
        with self._lock:
            self._lexicon = new
        return None
