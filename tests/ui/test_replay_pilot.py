"""Replay in the TUI on the REAL pipeline: a recording of espeak-ng speech (tests/speech/calls.py)
analysed by Whisper tiny.en through CallPipeline in the app's worker, then reviewed with the keys.

What the user relies on is checked against what the recording holds (its script and the times
each turn was synthesised at), never against the app's own report: the screen never shows a turn
before it is spoken, `n`/`p` visit the planted flags in call order with their card and words on
screen, seeking back rebuilds the screen, and playing to the end shows the checklist the script
earns. (test_app.py runs the same keys against the scripted stand-in, without audio.)"""

from __future__ import annotations

import argparse
import time

import pytest

from assist.config import Config
from assist.ui.app import AssistApp
from assist.ui.launch import make_app
from assist.ui.screens import SummaryScreen
from tests.speech.calls import CALL_TURNS, PLANTED, call_wav
from tests.ui.checks import assert_card_agrees_with_checklist

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CFG = Config(company="Acme", agent_name="Dana")
ARGS = argparse.Namespace(lexicon="en", company=None, agent_name=None, engine=None, model=None,
                          no_semantic=True, swap=False, mono_speaker="agent")
# the planted agent flags, in call order (customer cues are not jump targets)
FLAG_TURNS = [(turn, cat) for turn, cat in sorted(PLANTED.items()) if CALL_TURNS[turn][0] == "agent"]
# a turn is final once its closing pause (0.5 s) is heard; blocks are 0.25 s; Whisper's word times
# may run a little past the audio. Generous, and still far below one turn (3 s) of slack.
TURN_SLACK_S = 1.5
# Whisper's word times on espeak-ng speech are off by up to ~0.4 s (as in tests/cli/test_replay.py)
WORD_SLACK_S = 0.5


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def wait_for(pilot, cond, timeout: float) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.1)


def nothing_from_the_future(app: AssistApp) -> None:
    shown = app.transcript.utterances()
    assert all(u.start <= app.t + 0.05 for u in shown), (app.t, [(u.start, u.text) for u in shown])


async def test_replay_on_the_real_pipeline_seeks_and_jumps_between_flags() -> None:
    wav, times = call_wav()
    app = make_app("replay", wav, args=ARGS, config=CFG, ask_names=False, save=False, audio_out=False,
                   replay_speed=4.0)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("space")  # hold the playback clock: review, not watch
        assert app.paused
        await wait_for(pilot, lambda: app.analysis_done, timeout=300)
        assert app.failed is None, app.failed

        # the timeline: nothing is stamped before its audio was fed, finals come at their turn's end
        finals = [(s.t, s.update.utterance) for s in app.timeline if s.update.kind == "final" and s.update.utterance]
        assert [u.speaker for _, u in finals] == [sp for sp, _ in CALL_TURNS], [u.text for _, u in finals]
        for (t, u), (_sp, _start, end, _text) in zip(finals[:-1], times[:-1], strict=True):
            assert end - 0.05 <= t <= end + TURN_SLACK_S, (t, end, u.text)
        stamped = [s.t for s in app.timeline]
        assert stamped == sorted(stamped)
        for s in app.timeline:
            ev = s.update.event
            if s.update.kind == "event" and ev is not None and ev.type in ("flag", "cue"):
                assert s.t >= ev.end - WORD_SLACK_S, (s.t, ev.category, ev.end)  # heard before it is shown

        app.seek_to(0.0)
        assert not app.transcript.utterances() and app.card.item is None
        landed = []
        for turn, category in FLAG_TURNS:
            before = app.t
            await pilot.press("n")
            _sp, start, end, _text = times[turn]
            assert before < app.t and start <= app.t <= end + TURN_SLACK_S + 1.5, (category, app.t, start, end)
            item = app.card.item
            assert item is not None and (item.kind, item.category) == ("flag", category), item
            assert start - WORD_SLACK_S <= item.at <= end + WORD_SLACK_S, (item.at, start, end)
            # the words are on screen in their turn (still a partial, maybe: flags come as words are heard)
            flagged = [u for u in app.transcript.utterances() if u.start - 0.05 <= item.at <= u.end + 0.05]
            assert any(item.said.lower() in u.text.lower() for u in flagged), (item.said, flagged)
            nothing_from_the_future(app)
            assert_card_agrees_with_checklist(app)
            landed.append(app.t)
        await pilot.press("n")
        assert app.t == landed[-1] and "No later flag" in str(app.query_one("#notice").render())

        await pilot.press("p")  # back: the screen is rebuilt as it was at the first flag
        assert app.t == landed[0]
        assert app.card.item is not None and app.card.item.category == FLAG_TURNS[0][1]
        nothing_from_the_future(app)
        shown = len(app.transcript.utterances())
        await pilot.press("right")
        assert app.duration is not None
        assert app.t == pytest.approx(min(landed[0] + 10, app.duration), abs=0.01)
        assert len(app.transcript.utterances()) > shown
        nothing_from_the_future(app)
        ahead = app.t
        await pilot.press("left")
        await pilot.press("left")
        assert app.t == pytest.approx(max(0.0, ahead - 20), abs=0.01)
        assert len(app.transcript.utterances()) < shown
        nothing_from_the_future(app)

        # play to the end: the summary opens and the checklist is what the script earns
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=60)
        assert [app.checklist.status(i) for i in ("greeting", "empathy", "callback")] == ["done", "done", "missed"]
        await pilot.press("q")
