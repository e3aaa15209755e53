"""The shipped English lexicon inside the coach: incremental partials (flag once, retract), ASR-style
text, hard negatives that share words with rules, and the callback/vague-promise interplay."""

from __future__ import annotations

import datetime as dt

import pytest

from assist.engine.coach import Coach
from assist.engine.events import Event
from assist.engine.lexicon import Lexicon, load_lexicon
from tests.engine.conftest import utt


@pytest.fixture(scope="module")
def en() -> Lexicon:
    return load_lexicon("en")


def cats(coach: Coach, speaker: str, text: str) -> set[str]:
    coach.feed(utt(len(coach.utterances), speaker, text, start=3.0 * len(coach.utterances)))
    return {e.category for e in coach.events() if e.utterance == len(coach.utterances) - 1}


def fresh(en: Lexicon, speaker: str, text: str) -> set[str]:
    return cats(Coach(en, company="Acme", agent_name="Dana"), speaker, text)


def test_partials_flag_once_then_final_keeps_it(en: Lexicon) -> None:
    c = Coach(en)
    seen: list[Event] = []
    for text in ["well", "well no", "well no we", "well no we can't", "well no we can't do that"]:
        seen += c.feed(utt(0, "agent", text, final=False))
    seen += c.feed(utt(0, "agent", "Well, no, we can't do that."))
    flags = [e for e in seen if e.type == "flag" and e.category == "starts-with-no"]
    assert len(flags) == 1 and flags[0].final is False, "shown on the partial, never repeated"
    assert not [e for e in seen if e.type == "retract"]
    assert "starts-with-no" in {e.category for e in c.events()}


def test_partial_no_waits_and_becomes_no_problem(en: Lexicon) -> None:
    c = Coach(en)
    assert c.feed(utt(0, "agent", "no", final=False)) == [], "'no…' may yet be 'no problem'"
    # "no problem…" may still become "no problem with your line" (a finding): wait one more word.
    assert c.feed(utt(0, "agent", "no problem", final=False)) == []
    out = c.feed(utt(0, "agent", "no problem at", final=False))
    assert [(e.type, e.category) for e in out] == [("flag", "no-problem")]
    out = c.feed(utt(0, "agent", "No problem at all."))
    assert [e.category for e in c.events()] == ["no-problem"] and out == []


def test_partial_retracted_when_recogniser_changes_its_mind(en: Lexicon) -> None:
    c = Coach(en)
    (ev,) = c.feed(utt(0, "agent", "that's not my job", final=False))
    assert ev.category == "not-my-job"
    out = c.feed(utt(0, "agent", "that's not my job to judge, I'll fix it"))
    assert [(e.type, e.id) for e in out] == [("retract", ev.id)]
    assert c.events() == []


def test_vague_promise_waits_for_final_and_a_time_redeems_it(en: Lexicon) -> None:
    c = Coach(en, today=dt.date(2026, 11, 18))
    assert c.feed(utt(0, "agent", "i'll see what i can do", final=False)) == []
    assert c.feed(utt(0, "agent", "i'll see what i can do and get back to you", final=False)) == []
    out = c.feed(utt(0, "agent", "i'll see what i can do and get back to you on thursday by three pm"))
    assert ("checklist", "callback") in [(e.type, e.category) for e in out]
    assert c.events() == [] and c.checklist()["callback"]["commitment"] == "on thursday by three pm"
    c2 = Coach(en, today=dt.date(2026, 11, 18))
    c2.feed(utt(0, "agent", "I'll see what I can do and get back to you."))
    (ev,) = c2.events()
    assert ev.category == "vague-promise" and ev.suggestion == "I'll check and call you back on Thursday by 3 pm."


@pytest.mark.parametrize("text, expected", [
    # recogniser style: lowercase, no punctuation, numbers as words, dropped apostrophes
    ("thats not my department", {"not-my-job"}),
    ("no we cant do that", {"starts-with-no"}),
    ("why d you unplug it", set()),  # a split contraction is not "why did you" — no guessing
    ("whyd you unplug it", {"why-did-you"}),
    ("its a known issue", {"known-issue"}),
    ("i will call you back on monday at nine thirty", set()),
    ("i will call you back", {"vague-promise"}),
    ("hopefully it will be fixed by friday", {"half-promise"}),
    ("you have to upgrade to get that", {"ultimatum"}),
    ("does that make sense", {"condescending-check"}),
    ("sure no problem", {"no-problem"}),
    ("we raised a ticket with tier two", {"jargon"}),
    ("please calm down", {"dismissive"}),
])
def test_recogniser_text(en: Lexicon, text: str, expected: set[str]) -> None:
    assert fresh(en, "agent", text) == expected


@pytest.mark.parametrize("text", [
    "There's no fee for that.", "I know what you mean.", "The job was done yesterday.",
    "Let me clear that charge.", "I recommend the faster plan.", "Did I explain that clearly?",
    "No, no charges will be made.", "There's no problem with your line.", "Why don't we try a reset together?",
    "Let me see what I can do right now.", "You don't have to do anything.", "I can guarantee it.",
])
def test_hard_negatives_stay_silent(en: Lexicon, text: str) -> None:
    assert fresh(en, "agent", text) == set()


def test_second_occurrence_counts_when_first_is_an_exception(en: Lexicon) -> None:
    # The first "no problem" is a finding ("no problem with"), the second a filler.
    assert fresh(en, "agent", "there is no problem with the line so yeah no problem") == {"no-problem"}


def test_customer_cue_and_agent_rules_are_speaker_bound(en: Lexicon) -> None:
    assert fresh(en, "customer", "That's not my job, it's my husband's account.") == set()
    assert fresh(en, "customer", "This is the third time I've called!") == {"customer-frustration"}
    assert fresh(en, "agent", "This is the third time I've called them for you.") == set()


def test_suggestion_and_why_reach_the_event(en: Lexicon) -> None:
    c = Coach(en, company="Acme", agent_name="Dana")
    (ev,) = c.feed(utt(0, "agent", "That's not my job."))
    assert ev.suggestion == "Let me find the right person and stay with you until it's sorted."
    assert ev.why.startswith("Service guide, tip 11") and ev.severity == "critical" and ev.match == "That's not my job"


def test_commitment_is_the_time_after_the_promise_not_an_earlier_date(en: Lexicon) -> None:
    # "the second" reads as a date; the promise's own day and time come after it.
    c = Coach(en, today=dt.date(2026, 11, 18))
    c.feed(utt(0, "agent", "I have refunded the second charge today, and I'll call you back on Thursday by 3 pm."))
    assert c.checklist()["callback"]["commitment"] == "on Thursday by 3 pm"
    c2 = Coach(en, today=dt.date(2026, 11, 18))
    c2.feed(utt(0, "agent", "On Monday I'll call you back."))  # a day only before the promise still counts
    assert c2.checklist()["callback"]["status"] == "done"
