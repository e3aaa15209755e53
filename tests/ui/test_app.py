"""The app with a scripted pipeline: saving, keys, first run, settings, replay seeking.
(The recorded demo call through the real pipeline is in test_live_pilot.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assist.cli import main
from assist.config import Config, config_path, load_config
from assist.engine.events import Event
from assist.session.messages import CoachEvent, FinalUtterance, PartialUtterance, Retraction
from assist.transcript import Utterance
from assist.ui.app import AssistApp
from assist.ui.launch import make_app
from assist.ui.screens import FirstRunScreen, HelpScreen, SettingsScreen, SummaryScreen
from tests.ui.checks import assert_card_agrees_with_checklist
from tests.ui.fakes import ScriptedPipeline, call_spec, demo_utterances, scripted

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio

CFG = Config(company="Acme", agent_name="Dana")
# The demo script may be edited; find its "not my job" turn instead of hard-coding an index.
NMJ = next(u.index for u in demo_utterances() if "my job" in u.text.lower())
# What examples/demo-call.txt plants for the agent, in call order.
DEMO_FLAGS = ("starts-with-no", "not-my-job", "vague-promise")


async def wait_for(pilot, cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    import time

    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


def summary_open(app: AssistApp) -> bool:
    """The end-of-call summary is on screen and drawn (pushing a screen comes before composing it)."""
    return isinstance(app.screen, SummaryScreen) and bool(app.screen.query("Static"))


def script_flags() -> list[tuple[str, int, str]]:
    """(category, utterance, matched words) of each flag of the scripted call, in call order."""
    report = ScriptedPipeline(lambda m: None, call_spec(CFG)).run()
    return [(e["category"], e["utterance"], e["match"]) for e in report["events"] if e["type"] == "flag"]


def text_of(app: AssistApp, selector: str) -> str:
    return str(app.call.query_one(selector).render())


def transcript_text(app: AssistApp) -> str:
    from assist.ui.widgets import TurnLine

    return "\n".join(line.plain for line in app.call.query(TurnLine))


async def test_full_call_saves_report_and_transcript_log(tmp_path: Path) -> None:
    app = make_app("live", call_spec(CFG), config=CFG, factory=scripted(), ask_names=False)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for(pilot, lambda: summary_open(app))
        summary = str(app.screen.query_one("Static").render())
        assert "End of call" in summary and "Score" in summary
        assert "“Not my job”" in summary
    assert app.call.report is not None and app.call.report["schema"] == "assist.report/1"
    files = sorted(p.name for p in app.config.reports_path().iterdir())
    assert any(f.endswith(".json") for f in files) and any(f.endswith(".md") for f in files)
    assert any(f.endswith(".transcript.jsonl") for f in files)
    saved = json.loads(app.call.saved[0].read_text())
    assert saved["call"]["redacted"] is True
    assert len(saved["utterances"]) == 15
    log = next(app.config.reports_path().glob("*.transcript.jsonl")).read_text().splitlines()
    kinds = [json.loads(x)["type"] for x in log]
    assert kinds.count("utterance") == 15 and "flag" in kinds


async def test_card_checklist_and_highlight_during_call() -> None:
    factory = scripted(stop_after=NMJ + 1)
    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set())
        await pilot.pause(0.2)
        card = app.call.card
        assert card.item is not None
        body = text_of(app, "#card")
        assert "Say instead:" in body
        hist = [i.title for i in app.call.history.items] + [card.item.title]
        assert "“Not my job”" in hist and "Starts with “no”" in hist
        assert app.call.checklist.status("greeting") == "done"
        # the customer was angry early on and the agent answered with empathy at once: done, and
        # nothing on the card or in the history still asks for it
        assert app.call.checklist.status("empathy") == "done"
        assert_card_agrees_with_checklist(app)
        assert app.call.checklist.status("callback") == "waiting"
        assert "AGENT" in transcript_text(app) and "CUSTOMER" in transcript_text(app)
        # the flagged words are marked in their turn
        from assist.ui.widgets import TurnLine

        line = app.call.transcript._turns[NMJ]
        assert "my job" in line.body.plain.lower()
        assert any(s.style for s in line.body.spans), "flagged words not highlighted"
        assert isinstance(line, TurnLine)
        await pilot.press("q")
    assert app.return_code == 0


async def test_quit_mid_call_saves_what_was_said() -> None:
    app = make_app("live", call_spec(CFG), config=CFG, factory=scripted(stop_after=4), ask_names=False)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: len(app.call.finals) == 4)
        await pilot.press("m")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.call.saved, "quit did not save the report"
    rep = json.loads(app.call.saved[0].read_text())
    assert len(rep["utterances"]) == 4
    assert rep["marks"] and rep["marks"][0] >= 0
    log = next(app.config.reports_path().glob("*.transcript.jsonl")).read_text()
    assert '"type": "mark"' in log


async def test_pause_resume_and_help() -> None:
    factory = scripted(stop_after=3)
    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set())
        await pilot.press("space")
        assert app.call.paused and not factory.made[0]._running.is_set()
        assert "Paused" in app.call.gauges.status
        await pilot.press("space")
        assert not app.call.paused and factory.made[0]._running.is_set()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "mark this moment" in str(app.screen.query_one("Static").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")


async def test_partial_is_dimmed_then_replaced_in_place() -> None:
    factory = scripted(stop_after=2, with_partial_last=True)
    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)
    async with app.run_test() as pilot:
        # the held utterance's partials come in more than one message: wait until the pipeline has
        # posted them all (it is held) and they are drawn, or a late partial re-dims the final line
        await wait_for(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set()
                       and 2 in app.call.transcript._turns)
        await pilot.pause()
        line = app.call.transcript._turns[2]
        assert line.has_class("partial")
        final = Utterance(2, "agent", 12.0, 14.0, "No, you have to restart the router first.")
        app.call.apply(FinalUtterance(final))
        await pilot.pause()
        assert app.call.transcript._turns[2] is line and not line.has_class("partial")
        await pilot.press("q")


async def test_retract_removes_the_card() -> None:
    app = make_app("live", call_spec(CFG), config=CFG, factory=scripted(stop_after=0), ask_names=False, save=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        utt = Utterance(0, "agent", 1.0, 2.0, "no problem", final=False)
        app.call.apply(PartialUtterance(utt))
        flag = Event("flag", "no-problem", 0, "agent", 1.0, 2.0, match="no problem", id="0:x",
                     suggestion="Happy to help.", why="Tip 9", severity="warning", final=False)
        app.call.apply(CoachEvent(flag))
        assert app.call.card.item is not None and app.call.card.item.better == "Happy to help."
        app.call.apply(Retraction(Event("retract", "no-problem", 0, "agent", 1.0, 2.0, id="0:x")))
        assert app.call.card.item is None
        await pilot.press("q")


async def test_semantic_flag_reads_sounds_like() -> None:
    app = make_app("live", call_spec(CFG), config=CFG, factory=scripted(stop_after=0), ask_names=False, save=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        ev = Event("flag", "not-my-job", 0, "agent", 1.0, 2.0, match="that's for another team", id="s",
                   suggestion="Let me find the right person.", detector="semantic", severity="warning")
        app.call.apply(CoachEvent(ev))
        assert "Sounds like" in text_of(app, "#card")
        await pilot.press("q")


async def test_replay_seek_and_flag_jumps() -> None:
    app = make_app("replay", call_spec(CFG, "demo-call.ogg"), config=CFG, factory=scripted(), ask_names=False,
                   save=False, audio_out=False, replay_speed=4.0)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for(pilot, lambda: app.call.timeline.done)
        await pilot.press("space")  # pause the playback clock
        assert app.call.paused
        app.call.seek_to(0.0)
        assert not app.call.transcript._turns and app.call.card.item is None
        assert "Visual replay only" in text_of(app, "#notice")  # no audio device here
        # `n` visits the script's flags in call order: each on the card, its words in a turn on screen
        flagged = script_flags()
        assert [c for c, _, _ in flagged] == list(DEMO_FLAGS)
        landed = []
        for category, index, match in flagged:
            before = app.call.t
            await pilot.press("n")
            assert app.call.t > before
            item = app.call.card.item
            assert item is not None and (item.kind, item.category) == ("flag", category), item
            assert match.lower() in app.call.transcript._turns[index].body.plain.lower()
            landed.append(app.call.t)
        await pilot.press("n")  # no later flag: stays put and says so
        assert app.call.t == landed[-1] and "No later flag" in text_of(app, "#notice")
        await pilot.press("p")
        assert app.call.t == landed[-2] and app.call.card.item is not None and app.call.card.item.category == DEMO_FLAGS[-2]
        await pilot.press("right")
        assert abs(app.call.t - (landed[-2] + 10)) < 0.01
        n_turns = len(app.call.transcript._turns)
        await pilot.press("left")
        await pilot.press("left")
        assert len(app.call.transcript._turns) < n_turns  # going back rebuilt the screen
        await pilot.press("q")


async def test_first_run_asks_once_and_saves_names() -> None:
    app = make_app("live", call_spec(Config()), config=Config(), factory=scripted(stop_after=0), save=False)
    assert app.ask_names
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        app.screen.query_one("#f-company").focus()
        await pilot.press(*"Acme")
        app.screen.query_one("#f-agent_name").value = "Dana"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, FirstRunScreen)
        assert app.config.company == "Acme"
        await pilot.press("q")
    assert load_config().agent_name == "Dana"
    assert not make_app("live", factory=scripted(), save=False).ask_names


async def test_settings_screen_validates_and_saves() -> None:
    app = make_app("live", call_spec(CFG), config=CFG, factory=scripted(stop_after=0), ask_names=False, save=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#f-target_call_s").value = "abc"  # type: ignore[attr-defined]
        app.screen.query_one("#save").press()  # type: ignore[attr-defined]
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert "whole number" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#f-target_call_s").value = "240"  # type: ignore[attr-defined]
        app.screen.query_one("#save").press()  # type: ignore[attr-defined]
        await pilot.pause()
        assert not isinstance(app.screen, SettingsScreen)
        assert app.call.gauges.target_s == 240
        await pilot.press("q")
    assert load_config(config_path()).target_call_s == 240


def test_replay_missing_file_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "no-such-call.ogg"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-call.ogg" in err and "no such file" in err


def test_live_without_a_device_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    import sounddevice as sd

    if any(d["max_input_channels"] > 0 for d in sd.query_devices()):
        pytest.skip("this machine has a microphone")
    assert main(["live"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--source" in err


def test_settings_command_sets_and_shows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "company=Acme", "target_call_s=200"]) == 0
    assert load_config().company == "Acme" and load_config().target_call_s == 200
    assert main(["settings", "--show"]) == 0
    assert "company = 'Acme'" in capsys.readouterr().out
    assert main(["settings", "target_call_s=soon"]) == 2
    assert main(["settings", "colour=blue"]) == 2


async def test_transcript_stays_put_when_scrolled_back() -> None:
    factory = scripted(stop_after=len(demo_utterances()) - 1)
    app = make_app("live", call_spec(CFG), config=CFG, factory=factory, ask_names=False, save=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(factory.made) and factory.made[0].held.is_set())
        await pilot.pause(0.2)
        view = app.call.transcript
        assert view.max_scroll_y > 0 and view.at_live_edge  # followed the live edge so far
        view.scroll_home(animate=False)
        await pilot.pause()
        app.call.apply(FinalUtterance(Utterance(99, "customer", 70.0, 72.0, "Are you still there?")))
        await pilot.pause(0.2)
        assert view.scroll_y == 0  # the user is reading back: do not yank the view
        view.scroll_end(animate=False)
        await pilot.pause()
        app.call.apply(FinalUtterance(Utterance(100, "agent", 73.0, 75.0, "Yes, I am here.")))
        await pilot.pause(0.2)
        assert view.at_live_edge
        await pilot.press("q")


async def test_report_also_goes_to_the_call_history() -> None:
    from assist.store import open_store  # part of the package: a broken import fails, never skips

    app = make_app("live", call_spec(CFG), config=CFG, factory=scripted(), ask_names=False)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        await pilot.press("q")
    calls = open_store(None).list_calls()
    assert len(calls) == 1 and calls[0].kind == "live"


async def test_undecodable_recording_closes_with_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "call.ogg"
    bad.write_text("this is not audio\n")
    app = make_app("replay", call_spec(CFG, bad), config=CFG, ask_names=False, save=False, audio_out=False)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: not app.is_running, timeout=30)
    assert app.return_code == 2
    assert app.call.failed is not None and "call.ogg" in app.call.failed and "\n" not in app.call.failed
    from assist.errors import InputError
    from assist.ui.launch import outcome

    with pytest.raises(InputError) as e:
        outcome(app, app.return_value)  # the launcher: the one-line message and exit code 2
    assert e.value.exit_code == 2


async def test_replay_marks_reach_the_saved_report_and_summary_opens_at_the_end() -> None:
    app = make_app("replay", call_spec(CFG, "demo-call.ogg"), config=CFG, factory=scripted(), ask_names=False,
                   audio_out=False, replay_speed=200.0)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen))
        assert app.call.saved  # saved when the analysis finished
        await pilot.press("escape")
        await pilot.press("m")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)
    rep = json.loads(app.call.saved[0].read_text())
    assert len(rep["marks"]) == 1


async def test_a_call_history_that_fails_says_so_on_screen_and_in_the_exit_status() -> None:
    # a history in a folder that cannot be made: the report files are written, the history is not
    cfg = Config(company="Acme", agent_name="Dana", db_url="sqlite:////proc/assist-no-such-dir/history.sqlite3")
    app = make_app("live", call_spec(cfg), config=cfg, factory=scripted(), ask_names=False)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for(pilot, lambda: summary_open(app))
        summary = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "NOT in the call history" in summary and "assist-no-such-dir" in summary  # which history, and why
        assert "NOT in the call history" in text_of(app, "#notice")
        await pilot.press("q")
    assert app.return_code == 1
    assert app.call.saved and json.loads(app.call.saved[0].read_text())["utterances"]
