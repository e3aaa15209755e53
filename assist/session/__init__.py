"""The call session: how a call is set up (`CallSpec`, resolved once from the command line and the
settings), run (`CallSession` → `CallPipeline`, posting the typed messages of `messages.py`),
scored (`scoring.py`: one recording or transcript → its report) and kept (`outputs.py`,
`history.py`; `roleplay.py` for role-play). It is the one door from the screens, batch and
role-play to speech and the store."""

from __future__ import annotations

from assist.session.spec import CallOptions, CallSpec, Channels, Devices, resolve_spec

__all__ = ["CallOptions", "CallSpec", "Channels", "Devices", "resolve_spec"]
