"""Role-play's door to speech and the history: the customer's voice, the trainee's microphone, the
semantic model (loaded while the trainee picks up), and earlier attempts / this one in the history.

The role-play screen (assist/ui/roleplay_screen.py) and `assist roleplay --responses` take one of
these; neither imports speech back-ends or the store itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from assist.engine.coach import SemanticDetector
from assist.session.history import previous_attempts, save_call
from assist.session.messages import Sink
from assist.session.models import load_semantic
from assist.session.spec import CallSpec


class Listener(Protocol):
    def run(self) -> dict[str, Any]: ...
    def stop(self) -> None: ...


# a sink -> a pipeline to run (the microphone; tests play a recording through the live path)
ListenFactory = Callable[[Sink], Listener]


class Speaker(Protocol):
    @property
    def speaking(self) -> bool: ...
    def say(self, text: str) -> None: ...
    def stop(self) -> None: ...


class RolePlaySession:
    def __init__(self, spec: CallSpec, scenario_id: str, language: str, *, save: bool = False,
                 quiet: bool = True) -> None:
        self.spec = spec
        self.scenario_id = scenario_id
        self.language = language
        self.save = save
        self.quiet = quiet
        self.notices: list[str] = []  # said once on screen (no voice, no microphone, no history)

    def voice(self) -> Speaker | None:
        """The customer's voice (espeak-ng), or None with the reason in `notices`."""
        from assist.speech.playback import Voice, voice_problem

        why = voice_problem()
        if why:
            self.notices.append(f"{why}: the customer's lines are shown, not spoken")
            return None
        return Voice(self.language)

    def microphone(self) -> ListenFactory | None:
        """Spoken answers through the live pipeline, or None (typing only) with the reason in `notices`."""
        from assist.errors import AssistError
        from assist.speech.devices import list_inputs

        try:
            found = list_inputs()
        except AssistError as e:
            self.notices.append(f"no microphone ({e}): type your answers")
            return None
        if not found:
            self.notices.append("no microphone on this machine: type your answers")
            return None

        def listen(sink: Sink) -> Listener:
            from assist.session.call import CallSession

            # only the words are wanted here (the role-play's own coach judges them): no semantic model
            return CallSession(replace(self.spec, semantic=False)).pipeline(sink)

        return listen

    def load_semantic(self) -> SemanticDetector | None:
        return load_semantic(self.spec.lexicon, self.spec.semantic, quiet=self.quiet)

    def previous_attempts(self) -> tuple[list[dict[str, Any]], str | None]:
        """This trainee's earlier attempts at the scenario (oldest first); the problem if any."""
        # a history named on purpose (--db, settings) that is not there is said, unless this attempt creates it
        return previous_attempts(self.scenario_id, self.spec.agent_name, self.spec.store_url,
                                 missing_ok=self.save or not self.spec.store_url)

    def save_attempt(self, report: dict[str, Any]) -> tuple[int | None, str | None]:
        """Store the role-play in the history (redacted): (its id, None) or (None, the problem)."""
        return save_call(report, url=self.spec.store_url, kind="roleplay", agent_name=self.spec.agent_name,
                         scenario=report["roleplay"]["scenario"], redact=self.spec.redact)
