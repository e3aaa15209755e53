"""Messages from the call worker to the screen. Worker threads never touch widgets: they
`post_message` one of these, and high-rate kinds coalesce so a slow frame never queues a backlog."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from assist.pipeline import Update


class PipelineUpdate(Message):
    """One pipeline Update, delivered on the UI thread."""

    # Only the newest of these matters once the screen catches up.
    _COALESCE = ("level", "position", "status")

    def __init__(self, update: Update) -> None:
        super().__init__()
        self.update = update

    def can_replace(self, message: Message) -> bool:
        if not isinstance(message, PipelineUpdate):
            return False
        new, old = self.update, message.update
        if new.kind in self._COALESCE:
            return old.kind == new.kind
        # a growing partial replaces the older partial of the same turn (never a final)
        return (new.kind == "partial" and old.kind == "partial" and new.utterance is not None
                and old.utterance is not None and new.utterance.index == old.utterance.index)


class AnalysisProgress(Message):
    """Replay: the background analysis has reached `t` seconds of the recording."""

    def __init__(self, t: float) -> None:
        super().__init__()
        self.t = t

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnalysisProgress)


class CallReady(Message):
    """Models are loaded and audio is about to flow."""


class CallEnded(Message):
    def __init__(self, report: dict[str, Any] | None) -> None:
        super().__init__()
        self.report = report


class CallFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
