"""Call times as people read them: minutes and seconds since the call started."""

from __future__ import annotations


def clock(seconds: float | None, *, pad: bool = False) -> str:
    """`m:ss` for reports and tables (`—` when unknown). `pad=True` gives the screen's fixed-width
    `MM:SS` (never negative; `--:--` when unknown)."""
    if seconds is None:
        return "--:--" if pad else "—"
    s = float(seconds)
    if pad:
        s = max(0.0, s)
        return f"{int(s // 60):02d}:{int(s % 60):02d}"
    return f"{int(s // 60)}:{int(s % 60):02d}"
