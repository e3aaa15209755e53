from __future__ import annotations

from pathlib import Path

import pytest

from assist.engine.coach import SemanticDetector
from assist.engine.lexicon import LEXICON_DIR, Lexicon, load_lexicon
from assist.roleplay.scenario import SCENARIO_DIR, Scenario, list_scenarios
from assist.session.models import load_semantic

DATA = Path(__file__).parent / "data"
SHIPPED = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def scripts(scenario_id: str) -> tuple[list[str], list[str]]:
    """The good and the bad answers for a shipped scenario (tests/roleplay/data/<id>.good|bad.txt)."""
    def read(kind: str) -> list[str]:
        return [x.strip() for x in (DATA / f"{scenario_id}.{kind}.txt").read_text(encoding="utf-8").splitlines()
                if x.strip()]
    return read("good"), read("bad")


@pytest.fixture(scope="session")
def scenarios() -> dict[str, Scenario]:
    return {s.id: s for s in list_scenarios()}


_lex: dict[str, Lexicon] = {}
_sem: dict[str, SemanticDetector | None] = {}


def lexicon_for(sc: Scenario) -> Lexicon:
    if not (LEXICON_DIR / f"{sc.lexicon}.toml").exists():
        pytest.skip(f"lexicon {sc.lexicon!r} is not shipped yet")
    if sc.lexicon not in _lex:
        _lex[sc.lexicon] = load_lexicon(sc.lexicon)
    return _lex[sc.lexicon]


def semantic_for(lex: Lexicon) -> SemanticDetector | None:
    """The real semantic detector (as `assist roleplay` uses by default), loaded once per language."""
    if lex.language not in _sem:
        _sem[lex.language] = load_semantic(lex, quiet=True)
    return _sem[lex.language]
