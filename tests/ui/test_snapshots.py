"""Snapshots of the main states (pytest-textual-snapshot; textual is pinned in pyproject). The
pipeline is scripted (tests/ui/fakes.py) so every frame is the same on every run; no Input is on
screen, so there is no blinking cursor to freeze. Update with `pytest tests/ui --snapshot-update`
after a deliberate change, and look at the SVGs before committing them."""

from __future__ import annotations

import asyncio
from typing import Any

from assist.config import Config
from assist.ui.launch import make_app
from assist.ui.screens import SummaryScreen
from tests.ui.checks import assert_card_agrees_with_checklist
from tests.ui.fakes import HE_TXT, call_spec, demo_utterances, scripted

CFG = Config(company="Acme", agent_name="Dana")
NMJ = next(u.index for u in demo_utterances() if "my job" in u.text.lower())


async def _until(pilot: Any, cond: Any, timeout: float = 30.0) -> None:
    """Wait for the state to snapshot; a set-up that never gets there fails here, loudly, instead of
    comparing whatever half-drawn screen there is (a slow machine gets time, not a wrong picture)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"snapshot set-up: the app did not reach the state to snapshot in {timeout:g} s")
        await asyncio.sleep(0.02)
    await pilot.pause()
    app = pilot.app
    # what the checklist says and what the coaching card and history ask for must agree
    assert_card_agrees_with_checklist(app)


def test_empty_call(snap_compare: Any) -> None:
    factory = scripted(stop_after=0)
    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)

    async def run_before(pilot: Any) -> None:
        await _until(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set())

    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)


def test_mid_call_with_a_flag(snap_compare: Any) -> None:
    factory = scripted(stop_after=NMJ + 1, with_partial_last=True)
    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)

    async def run_before(pilot: Any) -> None:
        await _until(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set())

    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)


def test_mid_call_small_terminal(snap_compare: Any) -> None:
    factory = scripted(stop_after=NMJ + 1)
    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)

    async def run_before(pilot: Any) -> None:
        await _until(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set())

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_end_of_call_summary(snap_compare: Any) -> None:
    app = make_app("live", call_spec(CFG), config=CFG, factory=scripted(), ask_names=False, save=False)

    async def run_before(pilot: Any) -> None:
        await _until(pilot, lambda: isinstance(app.screen, SummaryScreen))

    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)


def test_mid_call_light_theme(snap_compare: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("ASSIST_THEME", "textual-light")
    factory = scripted(stop_after=NMJ + 1)
    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)
    assert app.theme == "textual-light"

    async def run_before(pilot: Any) -> None:
        await _until(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set())

    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)


def test_hebrew_call_right_to_left(snap_compare: Any) -> None:
    """examples/he-call.txt with the Hebrew lexicon, held after the callback: Hebrew turns, card
    and checklist commitment in visual order, right-aligned (tests/ui/test_rtl.py reads them back).
    The SVG holds the cells a terminal gets; a browser applies bidi to SVG text again and shows the
    Hebrew reversed: to look at it as a terminal draws it, add `text { unicode-bidi: bidi-override;
    direction: ltr; }` to its <style>."""
    utts = demo_utterances(HE_TXT)
    callback = next(u.index for u in utts if "ביום חמישי" in u.text)
    cfg = Config(company="אקמה תקשורת", agent_name="דנה")
    factory = scripted(stop_after=callback + 1, utts=utts, model="whisper-base")
    app = make_app("live", call_spec(cfg, lexicon="he", semantic=False), config=cfg, factory=factory,
                   ask_names=False, save=False)

    async def run_before(pilot: Any) -> None:
        await _until(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set())

    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)
