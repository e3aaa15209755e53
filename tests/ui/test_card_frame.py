"""A flag the coach raises on the call's worker thread reaches the screen: the card's text is in a
frame the compositor hands to the terminal driver (not only in the widget's state). Not timed: the
time it takes is measured by benchmarks/bench_card.py with the same frame watch."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from assist.config import Config
from assist.engine.events import Event
from assist.session.messages import CoachEvent, Sink
from assist.session.spec import CallSpec
from assist.ui.launch import make_app
from tests.ui.fakes import call_spec
from tests.ui.frames import FrameWatch
from tests.ui.test_latency_screen import wait_for

pytestmark = pytest.mark.anyio

CFG = Config(company="Acme", agent_name="Dana")
MARKER = "xq7q"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class OneFlag:
    """The call's worker thread: once told to, one partial-text flag to the screen's sink, then idle."""

    position = 0.0

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.go = threading.Event()
        self._stop = threading.Event()
        self.thread: str = ""

    def run(self) -> dict[str, Any]:
        self.go.wait(timeout=20)
        self.thread = threading.current_thread().name
        ev = Event(type="flag", category="not-my-job", utterance=0, speaker="agent", start=1.0, end=2.0,
                   rule="t", match=f"that is not my job {MARKER}", suggestion="Let me find the right person.",
                   severity="warning", why="Tip 11.", id="f1", final=False)
        self.sink(CoachEvent(ev))
        self._stop.wait(timeout=30)
        return {}

    def stop(self) -> None:
        self._stop.set()

    def pause(self) -> None: ...
    def resume(self) -> None: ...

    def report_so_far(self, *, source: str, duration_s: float) -> dict[str, Any]:
        return {}


async def test_a_flag_from_the_call_thread_is_drawn_on_the_card() -> None:
    made: list[OneFlag] = []

    def factory(sink: Sink, spec: CallSpec) -> OneFlag:
        made.append(OneFlag(sink))
        return made[0]

    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)
    watch = FrameWatch(app)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for(pilot, lambda: bool(made))
        frames_before = watch.frames
        assert frames_before > 0  # the watch sees the frames the screen draws
        watch.expect(MARKER)
        made[0].go.set()
        await wait_for(pilot, lambda: MARKER in watch.seen)
        assert made[0].thread != threading.main_thread().name  # posted from the worker, not the UI thread
        card = app.call.card
        assert card.item is not None and card.item.category == "not-my-job" and MARKER in card.item.said
        # it is the card that drew it: the card's own lines hold the marker
        drawn = "".join(strip.text for strip in card.render_lines(card.size.region))
        assert MARKER in drawn, drawn
        made[0].stop()
        await pilot.press("q")
