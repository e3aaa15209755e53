"""What cards and reports cite is something a user can look up (issue 14): every `why` of the
shipped lexicons names the service guide's tip or section (docs/service-guide.md), never our
internal source files ("Seed tip", "Seed 001")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assist.engine.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "service-guide.md").read_text(encoding="utf-8")
TIPS = {int(n) for n in re.findall(r"^\| (\d+) \|", GUIDE, re.M)}
SECTIONS = {h.strip().lower() for line in re.findall(r"^## (.+)$", GUIDE, re.M)
            for h in re.split(r"[()]", line) if h.strip()}
PREFIX = {"en": ("Service guide, ", "tip", r"and"), "he": ("מדריך השירות, ", "טיפ", r"ו")}


def whys(lang: str) -> list[tuple[str, str]]:
    lex = load_lexicon(lang)
    out = [(r.id, r.why) for r in lex.rules if r.why]
    out += [("checklist.greeting", lex.greeting.why), ("checklist.empathy", lex.empathy.why),
            ("checklist.callback", lex.callback.why)]
    return [(k, w) for k, w in out if w]


@pytest.mark.parametrize("lang", ["en", "he"])
def test_every_why_cites_the_service_guide(lang: str) -> None:
    prefix, tip, _ = PREFIX[lang]
    assert len(TIPS) == 12 and {"greeting", "the angry customer", "escalation", "jargon"} <= SECTIONS
    for rid, why in whys(lang):
        assert not re.search(r"seed|סיד", why, re.I), (rid, why)
        assert why.startswith(prefix), (rid, why)
        cited = why[len(prefix):].split(":", 1)[0]
        for part in re.split(r" and | ו(?=\S)", cited):
            m = re.fullmatch(rf"{tip} (\d+)", part.strip())
            if m:
                assert int(m.group(1)) in TIPS, (rid, why)
            else:
                assert part.strip().lower() in SECTIONS, (rid, part, why)
