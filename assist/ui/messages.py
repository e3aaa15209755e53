"""Messages from the call worker to the screen. Worker threads never touch widgets: the pipeline's
typed messages (assist.session.messages) are wrapped in `FromCall` and posted, and high-rate kinds
coalesce so a slow frame never queues a backlog."""

from __future__ import annotations

from textual.message import Message

from assist.session.messages import CallMessage, Levels, PartialUtterance, Position, RunningBehind, Status


class FromCall(Message):
    """One pipeline message, delivered on the UI thread."""

    # Only the newest of these matters once the screen catches up.
    _COALESCE = (Levels, Position, Status, RunningBehind)

    def __init__(self, payload: CallMessage) -> None:
        super().__init__()
        self.payload = payload

    def can_replace(self, message: Message) -> bool:
        if not isinstance(message, FromCall):
            return False
        new, old = self.payload, message.payload
        if isinstance(new, self._COALESCE):
            return type(old) is type(new)
        # a growing partial replaces the older partial of the same turn (never a final)
        return (isinstance(new, PartialUtterance) and isinstance(old, PartialUtterance)
                and new.utterance.index == old.utterance.index)


class AnalysisProgress(Message):
    """Replay: the background analysis has reached `t` seconds of the recording."""

    def __init__(self, t: float) -> None:
        super().__init__()
        self.t = t

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnalysisProgress)


class CallFailed(Message):
    """The call could not start, or stopped on an error (one line for the user)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
