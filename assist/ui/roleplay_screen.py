"""The role-play screen: the scripted customer speaks, the trainee answers (typing, or the
microphone when one exists, recognised by the live pipeline), each answer is coached at once with
the live call's widgets, and a debrief closes the call.

The customer and the judging live in assist/roleplay; the voice, the microphone, the semantic model
and the history come through the role-play session (assist/session/roleplay.py). What this file
does is the screen's own: layout, the answer box, collecting a spoken answer across the recogniser's
pauses, when to show which card, and the debrief's export. The coach and the customer run on a
worker thread (the semantic model takes a moment per answer) and reach the screen through
`call_from_thread`.
"""

from __future__ import annotations

import datetime as _dt
import threading
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Markdown, Static

from assist.bidi import BidiText, VisualLines, bidi_text, has_rtl, reorder_enabled, without_marks
from assist.engine.events import Event
from assist.roleplay.debrief import build_report, improvement, redact_debrief, to_markdown
from assist.roleplay.dialogue import RolePlay, Turn
from assist.roleplay.scenario import Scenario
from assist.session.messages import CallMessage, FinalUtterance
from assist.session.roleplay import Listener, ListenFactory, RolePlaySession, Speaker
from assist.ui.widgets import CardItem, ChecklistView, CoachingCard, TranscriptView, card_worthy

_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
SPOKEN_END_S = 1.2  # quiet after the last recognised utterance that ends a spoken answer


def mood_text(anger: int, limit: int) -> str:
    word = "calm" if anger == 0 else "uneasy" if anger <= 2 else "angry" if anger < limit - 1 else "about to hang up"
    filled = min(anger, limit)
    return f"Customer mood: {'■' * filled}{'□' * (limit - filled)} {word} ({anger}/{limit})"


def _ltr(markup: str) -> str | Text | BidiText:
    """English sentences with Hebrew fields in them (a scenario's title, a persona's name, a
    flagged phrase): each line reads left to right with its Hebrew runs reordered. English-only
    text goes to the Static as before (markup)."""
    return bidi_text(Text.from_markup(markup), base="ltr") if has_rtl(markup) else markup


# --------------------------------------------------------------------------- screen
class RolePlayScreen(Screen[None]):
    """One role-play call. A screen, so the main app can push it too; `RolePlayApp` runs it alone."""

    # Styles travel with the screen, whichever app shows it.
    DEFAULT_CSS = (Path(__file__).with_suffix(".tcss")).read_text(encoding="utf-8")
    BINDINGS = [
        # priority: the answer box has focus and would take plain ctrl+keys as editing keys
        Binding("ctrl+s", "export", "Save debrief (.md)", priority=True),
        Binding("f5", "end_call", "End call", priority=True),
    ]

    def __init__(self, session: RolePlaySession, roleplay: RolePlay, *, voice: Speaker | None = None,
                 listen: ListenFactory | None = None, export_dir: Path | None = None) -> None:
        super().__init__()
        self.session = session
        self.listen = listen  # set when a microphone exists: answers may be spoken too
        self._mic: Listener | None = None
        self.rp = roleplay
        self.voice = voice
        self.notices = list(session.notices)
        self.export_dir = export_dir or Path.cwd()
        self.report: dict[str, Any] | None = None
        self.history_error: str | None = None  # the history could not be read or could not take the call
        self.exported: Path | None = None
        self._busy = threading.Lock()
        self._notices: list[str] = []
        self._heard: list[str] = []
        self._heard_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        sc = self.rp.scenario
        yield Static(_ltr(f"[b]{sc.title}[/b] · {sc.persona.name} ({sc.persona.mood}) · goals: "
                          f"{', '.join(sc.goals)} · time limit {int(sc.time_limit_s // 60)} min"), id="rp-header")
        with Horizontal(id="rp-main"):
            yield TranscriptView(id="rp-transcript")
            with Vertical(id="rp-side"):
                yield CoachingCard(id="rp-card")
                yield ChecklistView(id="rp-checklist")
                yield Static(mood_text(self.rp.anger, sc.persona.anger_limit), id="rp-mood")
                yield Static("", id="rp-notices")
        with VerticalScroll(id="rp-debrief"):
            yield Markdown("", id="rp-debrief-md")
            yield Static("", id="rp-debrief-rtl")
        yield Input(placeholder="Type your answer and press Enter", id="rp-input")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rp-debrief").display = False
        self.query_one("#rp-debrief-rtl").display = False
        self._notice(self.rp.prompt())
        for n in self.notices:
            self._notice(n)
        self.query_one("#rp-input", Input).focus()
        if self.session.spec.semantic:
            self._load_semantic()
        if self.listen is not None:
            self._listen()

    @work(thread=True, exclusive=True, group="mic")
    def _listen(self) -> None:
        """Spoken answers: the live pipeline recognises the microphone; each final agent
        utterance becomes an answer, exactly like a typed one."""
        from assist.errors import AssistError

        def on_message(m: CallMessage) -> None:
            if not isinstance(m, FinalUtterance) or m.utterance.speaker != "agent" or not m.utterance.text.strip():
                return
            if self.voice is not None and self.voice.speaking:
                return  # the customer's own voice picked up by the microphone
            self.app.call_from_thread(self._spoken, m.utterance.text)

        try:
            assert self.listen is not None
            self._mic = self.listen(on_message)
            self.app.call_from_thread(self._notice, "Microphone on: speak or type your answers.")
            self._mic.run()
        except AssistError as e:
            self.app.call_from_thread(self._notice, f"Microphone unavailable ({e}): type your answers.")

    def _spoken(self, text: str) -> None:
        # A recogniser closes an utterance at every pause, but a spoken answer may have several:
        # collect them and answer once the trainee has been quiet for SPOKEN_END_S.
        self._heard.append(text)
        if self._heard_timer is not None:
            self._heard_timer.stop()
        self._heard_timer = self.set_timer(SPOKEN_END_S, self._spoken_done)

    def _spoken_done(self) -> None:
        self._heard_timer = None
        inp = self.query_one("#rp-input", Input)
        if self.report is not None or self.rp.ended:
            self._heard.clear()
        elif inp.disabled:  # the previous answer is still being judged: try again shortly
            self._heard_timer = self.set_timer(0.3, self._spoken_done)
        elif self._heard:
            text = " ".join(self._heard)
            self._heard.clear()
            self.submit(text)

    @work(thread=True, exclusive=True, group="semantic")
    def _load_semantic(self) -> None:
        # The coach starts lexical-only and gains the semantic detector when its model is loaded,
        # so the trainee can pick up the phone without waiting for it.
        det = self.session.load_semantic()
        if det is not None:
            self.rp.coach.semantic = det

    def _notice(self, text: str) -> None:
        self._notices = (self._notices + [text])[-4:]
        self.query_one("#rp-notices", Static).update(_ltr("\n".join(self._notices)))

    # ------------------------------------------------------------------ answering
    def on_input_submitted(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        if not text or self.rp.ended:
            return
        message.input.value = ""
        self.submit(text)

    def submit(self, text: str) -> None:
        """One answer (typed or recognised); the coach and the customer run off the UI thread."""
        self.query_one("#rp-input", Input).disabled = True
        self._answer(text)

    @work(thread=True, exclusive=True, group="answer")
    def _answer(self, text: str) -> None:
        with self._busy:
            turn = self.rp.answer(text)
        self.app.call_from_thread(self._show_turn, turn)

    def _show_turn(self, turn: Turn) -> None:
        tv = self.query_one(TranscriptView)
        card = self.query_one(CoachingCard)
        ck = self.query_one(ChecklistView)
        tv.show_utterance(self.rp.coach.utterances[turn.utterance])
        for ev in turn.events + turn.customer_events:
            tv.mark(ev)
            ck.apply(ev)
        live = self.rp.coach.checklist(live=True)
        for item in self.rp.scenario.goals:  # an expected item is never "not needed" in role-play
            if live.get(item, {}).get("status") == "not-needed":
                live[item] = {"status": "waiting"}
        ck.set_state(live)
        card.item = self._card_for(turn)
        if turn.customer_utterance is not None:
            tv.show_utterance(self.rp.coach.utterances[turn.customer_utterance])
            if self.voice is not None and turn.customer_line:
                self.voice.say(turn.customer_line)
        sc = self.rp.scenario
        self.query_one("#rp-mood", Static).update(mood_text(self.rp.anger, sc.persona.anger_limit))
        self._notice(f"Turn {turn.number}: the customer is {turn.reaction} ({turn.why})")
        if self.rp.ended:
            self.finish()
        else:
            inp = self.query_one("#rp-input", Input)
            inp.disabled = False
            inp.focus()

    @staticmethod
    def _card_for(turn: Turn) -> CardItem | None:
        # The trainee's own flag first (worst first); else what the coach asks for next (e.g.
        # empathy is due after the customer's outburst); else nothing to fix.
        flags = sorted(turn.flags, key=lambda e: _SEVERITY_RANK.get(e.severity, 3))
        if flags:
            return CardItem.from_event(flags[0])
        nxt: list[Event] = [e for e in turn.events + turn.customer_events if card_worthy(e)]
        return CardItem.from_event(nxt[-1]) if nxt else None

    # ------------------------------------------------------------------ the end
    def action_end_call(self) -> None:
        if self.report is None and not self._busy.locked():
            self.finish()

    def finish(self) -> None:
        self.rp.finish()
        report = build_report(self.rp, agent_name=self.session.spec.agent_name)
        previous: list[dict[str, Any]] = []
        if self.session.save:
            previous, problem = self.session.previous_attempts()
            if problem:
                self._notice(f"Call history unavailable ({problem}): no comparison with earlier attempts.")
        report["improvement"] = improvement(report, previous)
        if self.session.save:
            report["saved_id"], problem = self.session.save_attempt(report)
            if problem:
                self.history_error = problem
                self._notice(f"NOT saved to the call history ({problem}); ctrl+s still saves the debrief.")
        self.report = report
        self.query_one("#rp-checklist", ChecklistView).set_state(report["roleplay"]["goals"])
        inp = self.query_one("#rp-input", Input)
        inp.disabled = True
        inp.display = False  # the debrief takes the screen; nothing more to answer
        self.query_one("#rp-main").display = False
        self.query_one("#rp-debrief").display = True
        self._show_debrief(to_markdown(report))
        self.query_one("#rp-header", Static).update(_ltr(
            f"[b]{self.rp.scenario.title}[/b] · score {report['score']}/100 · {report['roleplay']['outcome_text']}"
            " · ctrl+s saves the debrief as Markdown, ctrl+q quits"))

    def _show_debrief(self, md: str) -> None:
        """The debrief as Markdown. With Hebrew in it, rich draws the Markdown (Textual's Markdown
        widget wraps its paragraphs itself, after any reordering we could do) and each drawn line is
        then put in visual order (assist.bidi.VisualLines)."""
        rtl = has_rtl(md) and reorder_enabled()
        self.query_one("#rp-debrief-md", Markdown).display = not rtl
        self.query_one("#rp-debrief-rtl", Static).display = rtl
        if rtl:
            from rich.markdown import Markdown as RichMarkdown

            self.query_one("#rp-debrief-rtl", Static).update(VisualLines(RichMarkdown(without_marks(md))))
        else:
            self.query_one("#rp-debrief-md", Markdown).update(md)

    def action_export(self) -> None:
        if self.report is None:
            self.notify("The debrief is ready when the call ends (F5 ends it now).")
            return
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.export_dir.mkdir(parents=True, exist_ok=True)
        path = self.export_dir / f"roleplay-{self.rp.scenario.id}-{stamp}.md"
        report = redact_debrief(self.report) if self.session.spec.redact else self.report  # saved: redacted
        path.write_text(to_markdown(report), encoding="utf-8")
        self.exported = path
        self.notify(f"Debrief saved to {path}")

    def on_unmount(self) -> None:
        if self.voice is not None:
            self.voice.stop()
        if self._mic is not None:
            self._mic.stop()


class RolePlayApp(App[int]):
    """`assist roleplay SCENARIO`: the role-play screen on its own."""

    TITLE = "assist — role-play"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit")]

    def __init__(self, screen: RolePlayScreen) -> None:
        super().__init__()
        self.roleplay_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.roleplay_screen)


def make_roleplay_app(scenario: Scenario, session: RolePlaySession, *, voice: bool = False, mic: bool = False,
                      listen: ListenFactory | None = None, export_dir: Path | None = None) -> RolePlayApp:
    """The stand-alone app (CLI and tests). `voice` and `mic` ask the session for the customer's
    voice and the microphone (a notice says why not, where not); `listen` replaces the microphone
    (tests play a recording through the live pipeline)."""
    speaker = session.voice() if voice else None
    if mic and listen is None:
        listen = session.microphone()
    spec = session.spec
    rp = RolePlay(scenario, spec.lexicon, agent_name=spec.agent_name, company=spec.company)
    return RolePlayApp(RolePlayScreen(session, rp, voice=speaker, listen=listen, export_dir=export_dir))


def run_tui(session: RolePlaySession, scenario: Scenario, *, voice: bool, mic: bool) -> int:
    """`assist roleplay SCENARIO` without --responses. Exit status 1 when the history lost the call."""
    app = make_roleplay_app(scenario, session, voice=voice, mic=mic, export_dir=session.spec.reports_dir)
    app.run()
    return 1 if app.roleplay_screen.history_error else 0
