"""The greeting item when the telephone garbles a name past recognition (issue 17): the agent's
introduction in the lexicon's words ("this is ___", "___ speaking", "thank you for calling ___")
stands in for a name that is not heard — and never for a part the agent did not introduce.

The openings are tiny.en transcripts of the telephone set's calls (scripts/make_telephone_call.py,
μ-law/A-law) and of the issue's own calls; the negatives are the set's six greetings that leave a
name out, as said and as garbled."""

from __future__ import annotations

from typing import Any

import pytest

from assist.engine.coach import Coach
from assist.engine.lexicon import load_lexicon, parse_lexicon
from assist.errors import LexiconError
from tests.engine.conftest import utt

# (company, agent, the agent's opening as heard on the line): both parts introduced, a name garbled.
GARBLED = [
    ("Initech", "Alex", "Hi back support hello. It's in Alex speaking."),  # the call
    ("Acme", "Dana", "Hey Acme, hello. Main of speaking."),  # the call
    ("Cyberdyne", "Mateusz", "Cyberdyne support, good afternoon, this is Matthew from."),
    ("Ollivanders", "Kateryna", "On the mender support, good afternoon, this is Kateryna speaking."),
    ("Gringotts", "Eitan", "Good morning, you're through to Greengates, my name is Ivan. What can I do for you?"),
    ("Duff", "Jo", "Hi, just customer care, you're speaking with Joe."),
]
# (company, agent, opening): a part never introduced — the greeting stays missed.
NEGATIVES = [
    ("Globex", "Sam", "Hello, how can I help you today?"),
    ("Soylent", "Joaquín", "Thank you for calling Soylent. How can I help you today?"),
    ("Aldermoor Insurance", "Dmitri", "Hi, this is Dmitri speaking. How can I help?"),
    ("Oceanic Airlines", "Kwame", "Good afternoon, Oceanic Airlines. What can I do for you?"),
    ("Prestige Worldwide", "Yusuf", "Hello, you're speaking with Yusuf. How may I help you?"),
    ("Dunder Mifflin", "Pádraig", "Good morning, how may I help you?"),
    # the same, garbled on the line: the garble is no introduction of the missing part
    ("Soylent", "Joaquín", "Thank you for calling Sorrento. How can I help you today?"),
    ("Aldermoor Insurance", "Dmitri", "Hi, this is the Mitri speaking. How can I help?"),
    ("Prestige Worldwide", "Yusuf", "Hello, you're speaking with you, Seth. How may I help you?"),
    ("Oceanic Airlines", "Kwame", "Good afternoon, oh Sheeny Kahlins. What can I do for you?"),
]


def greeting(company: str, agent: str, opening: str, lexicon: Any = None) -> dict[str, Any]:
    coach = Coach(lexicon or load_lexicon("en"), company=company, agent_name=agent)
    coach.feed(utt(0, "agent", opening, start=0.4))
    coach.feed(utt(1, "customer", "My internet has been down for three days.", start=6))
    return dict(coach.checklist()["greeting"])


@pytest.mark.parametrize(("company", "agent", "opening"), GARBLED)
def test_an_introduction_counts_when_the_name_is_garbled(company: str, agent: str, opening: str) -> None:
    g = greeting(company, agent, opening)
    assert g["status"] == "done", g
    assert g["by_structure"], g  # said in the state: introduced, the name itself not recognised


@pytest.mark.parametrize(("company", "agent", "opening"), NEGATIVES)
def test_a_part_never_introduced_is_still_missed(company: str, agent: str, opening: str) -> None:
    g = greeting(company, agent, opening)
    assert g["status"] == "missed", g


def test_names_heard_need_no_structure() -> None:
    g = greeting("Acme", "Dana", "Acme, hello, Dana speaking. How can I help?")
    assert g == {"status": "done", "at": 0.4, "company_named": True, "agent_named": True}


def test_missing_lists_only_what_no_introduction_covered() -> None:
    g = greeting("Soylent", "Joaquín", "Thank you for calling Sorrento. How can I help you today?")
    assert g["missing"] == ["agent name"] and g["by_structure"] == ["company"]


def test_without_intros_in_the_lexicon_garbled_names_are_missed() -> None:
    """What the telephone did before: the same openings, the lexicon's intros taken out."""
    en = load_lexicon("en")
    data = dict(en.raw)
    data["checklist"] = {**data["checklist"], "greeting": {k: v for k, v in data["checklist"]["greeting"].items()
                                                           if k not in ("company_intro", "agent_intro")}}
    plain = parse_lexicon(data, en.path)
    assert all(greeting(c, a, o, plain)["status"] == "missed" for c, a, o in GARBLED)


def test_an_intro_without_its_slot_is_a_lexicon_error() -> None:
    en = load_lexicon("en")
    data = dict(en.raw)
    data["checklist"] = {**data["checklist"], "greeting": {**data["checklist"]["greeting"], "agent_intro": ["this is"]}}
    with pytest.raises(LexiconError, match="agent_intro"):
        parse_lexicon(data, en.path)
