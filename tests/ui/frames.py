"""What reaches the terminal: the frames the screen's compositor hands to the driver, as plain text.

Textual paints in two steps: a widget's change marks it dirty, then the screen's compositor renders
the dirty regions into an update (the widgets' `render_lines`) and passes it to `App._display`, which
writes it to the terminal — or, headless (`run_test`), drops it. `FrameWatch` wraps `App._display`,
so it sees each update exactly where a terminal would get its bytes, and notes when a text first
appears in one. Used by tests/ui/test_card_frame.py and benchmarks/bench_card.py.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def plain(update: Any, console: Any) -> str:
    """The characters a compositor update writes, without escape sequences (cursor moves included,
    so a text is found within one line of one update)."""
    render = getattr(update, "render_segments", None)
    if render is None:
        return ""
    return _ANSI.sub("", render(console))


class FrameWatch:
    """Notes the monotonic time at which each awaited text first reaches the driver in a frame."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames = 0
        self.seen: dict[str, float] = {}
        self._waiting: set[str] = set()
        self._lock = threading.Lock()
        self._display = app._display
        app._display = self._wrapped  # instance attribute: the screen calls app._display(screen, update)

    def expect(self, text: str) -> None:
        """Watch for `text` (call before the change that should show it)."""
        with self._lock:
            self._waiting.add(text)

    def _wrapped(self, screen: Any, update: Any) -> None:
        t = time.monotonic()  # before the text is extracted: that work is the watch's, not the app's
        if update is not None:
            self.frames += 1
            with self._lock:
                waiting = set(self._waiting)
            if waiting:
                text = plain(update, self.app.console)
                for w in waiting:
                    if w in text:
                        with self._lock:
                            self.seen.setdefault(w, t)
                            self._waiting.discard(w)
        self._display(screen, update)
