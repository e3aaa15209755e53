from __future__ import annotations

from pathlib import Path

import pytest

from assist.engine.coach import Coach
from assist.engine.lexicon import Lexicon, load_lexicon
from assist.transcript import Utterance

MINI = Path(__file__).parent / "data" / "mini.toml"


@pytest.fixture(scope="session")
def mini() -> Lexicon:
    return load_lexicon(MINI)


@pytest.fixture
def coach(mini: Lexicon) -> Coach:
    return Coach(mini, company="Acme", agent_name="Dana")


def utt(i: int, speaker: str, text: str, start: float = 0.0, end: float | None = None, final: bool = True) -> Utterance:
    return Utterance(index=i, speaker=speaker, start=start, end=end if end is not None else start + 2.0,
                     text=text, final=final)
