"""The recorded demo call driven through the REAL pipeline (paced source, real speech model, real
coach) into the app, as `assist live --source examples/demo-call.ogg` does. Slow (about a minute
on two shared cores): it plays the call at 2x through Whisper."""

from __future__ import annotations

import json
import time

import pytest

from assist.config import Config
from assist.ui.app import AssistApp
from assist.ui.launch import make_app
from assist.ui.screens import SummaryScreen
from assist.ui.widgets import TurnLine
from tests.ui.fakes import DEMO_OGG, call_spec

pytestmark = pytest.mark.anyio

CFG = Config(company="Acme", agent_name="Dana")



@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def wait_for(pilot, cond, timeout: float) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.2)


def transcript(app: AssistApp) -> str:
    return "\n".join(line.plain for line in app.call.query(TurnLine))


async def test_demo_call_through_the_paced_source() -> None:
    app = make_app("live", call_spec(CFG, DEMO_OGG, realtime=True, speed=2.0), config=CFG, ask_names=False)
    seen_partial = False
    async with app.run_test(size=(120, 35)) as pilot:
        t0 = time.monotonic()
        await pilot.pause(0.05)
        # first frame at once, models load behind a visible status
        assert time.monotonic() - t0 < 1.5
        assert app.call.gauges.status in ("Loading speech model…", "Listening")

        def progress() -> bool:
            nonlocal seen_partial
            seen_partial = seen_partial or any(t.has_class("partial") for t in app.call.query(TurnLine))
            return isinstance(app.screen, SummaryScreen)

        await wait_for(pilot, progress, timeout=400)
        text = transcript(app).lower()
        assert "agent" in text and "customer" in text
        assert "internet" in text and "call you" in text  # words the tiny model gets right every time
        # a flag card with its suggestion, then the history beneath it
        items = ([app.call.card.item] if app.call.card.item else []) + app.call.history.items
        flags = [i for i in items if i.kind == "flag"]
        assert any(i.category == "not-my-job" and i.better for i in flags), [i.title for i in flags]
        # the checklist shows what the engine decided (recognition varies a little from run to run,
        # so the callback may be heard as concrete or not; the screen must agree with the report)
        assert app.call.report is not None
        for item in ("greeting", "empathy", "callback"):
            assert app.call.checklist.status(item) == app.call.report["checklist"][item]["status"], item
        assert app.call.checklist.status("greeting") == "done"
        assert app.call.checklist.status("empathy") in ("done", "missed")
        assert "whisper" in app.call.gauges.engine or "vosk" in app.call.gauges.engine
        assert app.call.gauges.wpm is not None and app.call.gauges.talk_ratio is not None
        assert app.call.gauges.mood in ("frustrated", "calmer")
        await pilot.press("q")
    assert seen_partial, "no partial turn was ever shown"
    rep = json.loads(app.call.saved[0].read_text())
    assert rep["call"]["redacted"] and rep["utterances"]
    log = next(app.config.reports_path().glob("*.transcript.jsonl")).read_text().splitlines()
    assert sum(1 for x in log if json.loads(x)["type"] == "utterance") == len(rep["utterances"])


async def test_quit_mid_call_stops_the_pipeline_and_saves() -> None:
    app = make_app("live", call_spec(CFG, DEMO_OGG, realtime=True, speed=1.0), config=CFG, ask_names=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(app.call.finals) >= 1, timeout=120)
        await pilot.press("space")
        assert app.call.paused
        await pilot.press("space")
        await pilot.press("m")
        t_quit = time.monotonic()
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, timeout=40)
        quit_s = time.monotonic() - t_quit
    assert quit_s < 15, quit_s
    rep = json.loads(app.call.saved[0].read_text())
    assert 1 <= len(rep["utterances"]) < 10
    assert rep["call"]["duration_s"] < 60
    assert len(rep["marks"]) == 1
