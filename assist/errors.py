"""Errors that the CLI turns into one-line messages and exit codes (DESIGN.md: 2 bad input, 1 other)."""

from __future__ import annotations

from pathlib import Path


class AssistError(Exception):
    """An expected failure with a message fit for the user; never shown as a traceback."""

    exit_code = 1

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.detail = message
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{message}")


class InputError(AssistError):
    """Bad input from the user: a missing or malformed file, an unknown option value."""

    exit_code = 2


class LexiconError(InputError):
    """A lexicon (or scenario) file that does not validate. Names file, rule id and field."""

    def __init__(self, path: str | Path, message: str, rule: str | None = None, field: str | None = None) -> None:
        parts = []
        if rule:
            parts.append(f"rule {rule!r}")
        if field:
            parts.append(f"field {field!r}")
        prefix = (", ".join(parts) + ": ") if parts else ""
        self.rule = rule
        self.field = field
        super().__init__(prefix + message, path=path)


class DeviceError(AssistError):
    """No audio device / PortAudio: says what to install or which flag to pass."""

    exit_code = 2
