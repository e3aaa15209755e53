"""Live latency on the screen (issue 13): a flag raised on a partial that the final contradicts is taken
off the card and is not in the report; "running behind (lag N s)" shows and clears.

The retraction runs through the REAL CallPipeline and Coach into the app; only the recogniser is
scripted (a partial "It is not my job", then the final "It is not my job to judge you.", which the
lexicon's exception clears), so what the recogniser says and when is fixed."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from assist.config import Config
from assist.engine.coach import Coach
from assist.session.messages import RunningBehind, Sink
from assist.session.pipeline import CallPipeline
from assist.session.spec import CallSpec
from assist.speech.stream import Segment, StreamRecognizer
from assist.transcript import Word
from assist.ui.launch import make_app
from tests.ui.fakes import call_spec, scripted

pytestmark = pytest.mark.anyio

CFG = Config(company="Acme", agent_name="Dana")
BLOCK = 1600  # 0.1 s


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def wait_for(pilot, cond, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    import time

    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


class SilentSource:
    """Two channels of 3 s of silence, as fast as the pipeline takes them."""

    name = "scripted.wav"
    speakers = ("agent", "customer")
    realtime = False

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        for i in range(30):
            yield i * 0.1, {sp: np.zeros(BLOCK, dtype=np.float32) for sp in self.speakers}

    def close(self) -> None:
        pass


def _words(text: str, t0: float) -> list[Word]:
    return [Word(w, t0 + 0.3 * i, t0 + 0.3 * i + 0.25) for i, w in enumerate(text.split())]


class ScriptedAgent:
    """The agent's recogniser: a partial at block 5, then (once the test has seen the flag) the final."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.n = 0

    def accept(self, samples: np.ndarray) -> list[Segment]:
        self.n += 1
        if self.n == 5:
            return [Segment(0, _words("It is not my job", 0.2), final=False)]
        if self.n == 10:
            self.release.wait(timeout=20)
            return [Segment(0, _words("It is not my job to judge you.", 0.2), final=True, committed=8)]
        return []

    def finish(self) -> list[Segment]:
        return []


class Quiet:
    def accept(self, samples: np.ndarray) -> list[Segment]:
        return []

    def finish(self) -> list[Segment]:
        return []


async def test_partial_flag_the_final_contradicts_is_retracted_on_screen_and_in_the_report() -> None:
    release = threading.Event()
    pipes: list[CallPipeline] = []

    def factory(sink: Sink, spec: CallSpec) -> CallPipeline:
        def rec(speaker: str) -> StreamRecognizer:
            return ScriptedAgent(release) if speaker == "agent" else Quiet()

        coach = Coach(spec.lexicon, company=spec.company, agent_name=spec.agent_name)
        pipes.append(CallPipeline(SilentSource(), rec, coach, sink, engine="scripted"))
        return pipes[0]

    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)
    async with app.run_test() as pilot:
        card = app.call.card
        await wait_for(pilot, lambda: card.item is not None and card.item.category == "not-my-job")
        release.set()
        await wait_for(pilot, lambda: app.call.report is not None)
        await pilot.pause()
        assert card.item is None or card.item.category != "not-my-job"
        assert app.call.report is not None
        assert not [e for e in app.call.report["events"] if e["category"] == "not-my-job"]
        assert "judge" in " ".join(u["text"] for u in app.call.report["utterances"])


async def test_running_behind_shows_the_lag_and_clears() -> None:
    app = make_app("live", call_spec(CFG), config=CFG, factory=scripted(stop_after=1), ask_names=False, save=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.call.apply(RunningBehind(2.34, "running behind"))
        assert app.call.gauges.status == "running behind (lag 2.3 s)"
        app.call.apply(RunningBehind(0.0, "caught up"))
        assert app.call.gauges.status == app.call.RUNNING
        await pilot.press("q")
