"""Hebrew on the agent's screen, read as a user reads it: what the widgets draw (their rendered
lines, the cells a terminal gets), not what they hold. Terminals draw left to right, so a Hebrew
turn must arrive reversed into visual order, wrapped at the widget's width BEFORE reordering (the
first line holds the start of the sentence) and right-aligned; English turns must arrive as they
were. `read_rtl` reads a drawn line back the way a Hebrew reader does (right to left, numbers and
Latin words left to right): on the logical-order rendering these tests fail (the words come back
reversed, the lines left-aligned). The scripted pipeline (fakes.py) plays the text through the real
Coach with the Hebrew lexicon; the Hebrew-call snapshot is in test_snapshots.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.geometry import Region
from textual.widget import Widget

from assist.bidi import has_rtl
from assist.config import Config
from assist.transcript import Utterance
from assist.ui.app import AssistApp
from assist.ui.launch import make_app
from assist.ui.widgets import TurnLine
from tests.ui.fakes import HE_TXT, call_spec, demo_utterances, scripted

pytestmark = pytest.mark.anyio

CFG = Config(company="אקמה תקשורת", agent_name="דנה")
# Hebrew with a time, English, numbers and punctuation; long enough to wrap on three lines at 100 columns
MIXED = "אני אחזור אליך ביום חמישי ב-3 pm, מספר 12345, ואם לא אספיק אשלח הודעה עם מספר ההזמנה"
ENGLISH = "OK, the router is a TP-Link 840, thanks for checking that for me."
HEAD = 15  # a turn's time and speaker column (14) and the gap after it
CARD_LABEL = 13  # a Hebrew card's label column (12) and the gap after it


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def rows(w: Widget) -> list[str]:
    """The widget's lines as drawn (padding and border included)."""
    return [s.text for s in w.render_lines(Region(0, 0, w.outer_size.width, w.outer_size.height))]


_LTR_RUN = re.compile(r"[A-Za-z0-9]+(?:[-:.][A-Za-z0-9]+)*")


def read_rtl(drawn: str) -> str:
    """A drawn line read right to left, as a Hebrew reader does; Latin words and numbers inside it
    read left to right."""
    back = drawn.strip()[::-1]
    return _LTR_RUN.sub(lambda m: m.group(0)[::-1], back)


def turn_bodies(line: TurnLine) -> list[str]:
    """The text column of a turn, one string per drawn line (the head column cut off)."""
    drawn = rows(line)
    indent = len(drawn[0]) - len(drawn[0].lstrip())  # padding; a customer turn is indented more
    return [r[indent + HEAD:] for r in drawn]


def turn(app: AssistApp, text: str) -> TurnLine:
    return next(t for t in app.call.query(TurnLine) if t.body.plain.startswith(text))


def he_call(extra: list[tuple[str, str]] | None = None) -> list[Utterance]:
    utts = demo_utterances(HE_TXT)
    t = utts[-1].end + 1.0
    for speaker, text in extra or []:
        utts.append(Utterance(len(utts), speaker, t, t + 4.0, text))
        t += 5.0
    return utts


def held(utts: list[Utterance], stop_after: int) -> tuple[AssistApp, Any]:
    """The live screen on a scripted Hebrew call, held after `stop_after` turns."""
    factory = scripted(stop_after=stop_after, utts=utts, model="whisper-base")
    app = make_app("live", call_spec(CFG, lexicon="he", semantic=False), config=CFG, factory=factory,
                   ask_names=False, save=False)
    return app, factory


async def wait_held(pilot: Any, factory: Any) -> None:
    for _ in range(600):
        if factory.made and factory.made[0].held.is_set():
            break
        await pilot.pause(0.05)
    else:
        raise AssertionError("the scripted call never reached the turn to look at")
    await pilot.pause()


async def test_a_wrapped_mixed_hebrew_turn_reads_right_to_left_top_to_bottom() -> None:
    utts = he_call([("agent", MIXED), ("customer", ENGLISH), ("customer", "end")])
    app, factory = held(utts, len(utts) - 1)
    async with app.run_test(size=(100, 35)) as pilot:
        await wait_held(pilot, factory)
        bodies = turn_bodies(turn(app, MIXED))
        assert len(bodies) >= 2, bodies  # it wraps: the order of the lines is part of the test
        # each line read right to left, the lines top to bottom: the sentence as it was said
        assert " ".join(read_rtl(b) for b in bodies) == MIXED, bodies
        # right-aligned: every line ends at the right edge of the text column
        assert len({len(b.rstrip()) for b in bodies}) == 1, bodies
        assert "12345" in " ".join(bodies) and "pm" in " ".join(bodies)  # numbers, Latin: not reversed
        # an English turn is drawn as it was: left to right, left-aligned
        eng = turn_bodies(turn(app, ENGLISH))
        assert " ".join(b.strip() for b in eng) == ENGLISH, eng
        assert all(b and not b[0].isspace() for b in eng), eng


async def test_hebrew_cards_and_checklist_read_right_to_left() -> None:
    utts = he_call()
    callback = next(u.index for u in utts if "ביום חמישי" in u.text)
    app, factory = held(utts, callback + 1)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_held(pilot, factory)
        card = app.call.card
        item = card.item
        assert item is not None and has_rtl(item.why) and has_rtl(item.better)
        drawn = [r[2:-2] for r in rows(card)[1:-1]]  # inside the border and its padding
        fields: dict[str, list[str]] = {}
        label = ""
        for r in drawn:
            label = r[:CARD_LABEL].strip() or label
            fields.setdefault(label, []).append(r[CARD_LABEL:])
        for name, want in (("Why:", item.why), ("Say instead:", item.better)):
            lines = fields[name]
            assert " ".join(read_rtl(x) for x in lines) == want, lines
            assert len({len(x.rstrip()) for x in lines}) == 1, lines  # right-aligned in its column
        # the checklist: English labels left to right, the Hebrew commitment reads right to left
        d = app.call.checklist.state["callback"]
        assert d["status"] == "done" and has_rtl(d["commitment"])
        drawn = [r.strip("│ ") for r in rows(app.call.checklist)[1:-1]]  # inside the border
        at = next(i for i, r in enumerate(drawn) if "callback" in r)
        line = drawn[at]
        assert line.index("callback") < line.index("done") < line.index("(")
        # the commitment, wrapped on the next line(s) as a left-to-right paragraph: each line's
        # Hebrew run read right to left, the lines top to bottom
        parts = [line[line.index("(") + 1:]] + drawn[at + 1:]
        assert " ".join(read_rtl(p.rstrip(")")) for p in parts if p) == d["commitment"], drawn


async def test_logical_order_for_terminals_that_reorder_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSIST_BIDI", "logical")
    utts = he_call([("agent", MIXED), ("customer", "end")])
    app, factory = held(utts, len(utts) - 1)
    async with app.run_test(size=(100, 35)) as pilot:
        await wait_held(pilot, factory)
        bodies = turn_bodies(turn(app, MIXED))
        assert " ".join(b.strip() for b in bodies) == MIXED, bodies


async def test_a_hebrew_roleplay_coaches_with_hebrew_cards_read_right_to_left(tmp_path: Any) -> None:
    from textual.widgets import Input, Static

    from assist.roleplay.scenario import load_scenario
    from assist.ui.roleplay_screen import make_roleplay_app
    from assist.ui.widgets import CoachingCard
    from tests.ui.test_roleplay_tui import session

    sc = load_scenario("he-double-billing")
    app = make_roleplay_app(sc, session(sc, agent_name="דנה"), export_dir=tmp_path)
    async with app.run_test(size=(130, 40)) as pilot:
        scr = app.roleplay_screen
        for answer in ("אקמה תקשורת, שלום, דנה מדברת. במה אוכל לעזור?", "זה לא התפקיד שלי, תתקשר לגבייה."):
            scr.query_one("#rp-input", Input).value = answer
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        card = scr.query_one(CoachingCard)
        assert card.item is not None and card.item.category == "not-my-job" and has_rtl(card.item.better)
        drawn = [r[2:-2] for r in rows(card)[1:-1]]
        better = [r[CARD_LABEL:] for r in drawn[next(i for i, r in enumerate(drawn) if r.startswith("Say instead")):]]
        assert " ".join(read_rtl(x) for x in better if x.strip()) == card.item.better, drawn
        # the header: an English template with the scenario's Hebrew title, read in place
        header = rows(scr.query_one("#rp-header", Static))[0]
        assert read_rtl(header.split("(")[0]) == f"{sc.title} · {sc.persona.name}", header


async def test_the_hebrew_roleplay_debrief_reads_right_to_left(tmp_path: Any) -> None:
    """The debrief at the end of a Hebrew role-play: each drawn line with Hebrew read back right to
    left (a Hebrew line) is a line of the debrief as written."""
    from textual.widgets import Input, Static

    from assist.roleplay.debrief import to_markdown
    from assist.roleplay.scenario import load_scenario
    from assist.ui.roleplay_screen import make_roleplay_app
    from tests.ui.test_roleplay_tui import session

    sc = load_scenario("he-double-billing")
    app = make_roleplay_app(sc, session(sc, agent_name="דנה"), export_dir=tmp_path)
    answer = "זה לא התפקיד שלי, תתקשר לגבייה."
    async with app.run_test(size=(130, 60)) as pilot:
        scr = app.roleplay_screen
        scr.query_one("#rp-input", Input).value = answer
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await pilot.pause()
        assert scr.report is not None and has_rtl(to_markdown(scr.report))
        drawn = [r.strip() for r in rows(scr.query_one("#rp-debrief-rtl", Static))]
        # "1 You: <answer>", a Hebrew line: "You:" at its right, the answer to its left
        line = next(r for r in drawn if "You" in r and has_rtl(r))
        assert read_rtl(line) == f"1 You: {answer}", line
        why = next(r for r in drawn if "Why" in r)
        assert read_rtl(why).startswith("• Why: מדריך השירות"), why


async def test_a_stored_hebrew_report_reads_right_to_left_in_the_history() -> None:
    from textual.app import App
    from textual.widgets import Static

    from assist.engine.coach import analyze_utterances
    from assist.engine.lexicon import load_lexicon
    from assist.ui.history_screen import CallReportScreen

    rep = analyze_utterances(demo_utterances(HE_TXT), load_lexicon("he"), company="אקמה תקשורת", agent_name="דנה",
                             source="he-call.txt", duration_s=54.0)
    better = next(e["suggestion"] for e in rep["events"] if e["category"] == "not-my-job")

    class One(App[None]):
        def on_mount(self) -> None:
            self.push_screen(CallReportScreen(1, rep))

    app = One()
    async with app.run_test(size=(140, 80)) as pilot:
        await pilot.pause()
        drawn = [r.strip() for r in rows(app.screen.query_one("#call-report-rtl", Static))]
        line = next(r for r in drawn if "Better" in r and "אצמא" in r)
        assert read_rtl(line) == f"• Better: {better}", line
        assert not any(ch in "".join(drawn) for ch in "\u2068\u2069")  # no isolates drawn as boxes
