"""Where a command's output goes: standard output, or a file written whole or not at all (issue 14).

A file is written to a temporary file in the same folder and renamed into place only when the
command succeeded, so a run that fails half way (a missing recording, a decoding error, Ctrl-C)
leaves an earlier file of that name exactly as it was, and a reader never sees half a report.
The destination is checked before any work is done (`check_output`), so a path that cannot be
written is one line naming it, at once, not an error after minutes of transcription.

"Read-only" is read from the permission bits as well as from `os.access`: an administrator (root)
may write anywhere, but a file or folder its owner made read-only is still not ours to replace.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from assist.errors import InputError


def add_redact_option(p: Any) -> None:
    p.add_argument("--no-redact", action="store_true",
                   help="keep card numbers, phones, e-mails and IDs in clear in what is written (default: redacted)")


def redacted(report: dict[str, Any], redact: bool) -> dict[str, Any]:
    """The report as it may leave the program: redacted (docs/privacy.md) unless the user said
    --no-redact; either way `call.redacted` says which."""
    if redact:
        from assist.redact import redact_report

        return redact_report(report)
    report.setdefault("call", {})["redacted"] = False
    return report


def _read_only(p: Path) -> bool:
    try:
        mode = p.stat().st_mode
    except OSError:
        return False
    return not os.access(p, os.W_OK) or not mode & 0o222


def check_folder(folder: Path, what: str = "folder") -> None:
    """An existing folder we may write into, or one line naming it."""
    if not folder.exists():
        raise InputError(f"no such {what}", folder)
    if not folder.is_dir():
        raise InputError(f"is a file, not a {what}", folder)
    if _read_only(folder):
        raise InputError(f"the {what} is read-only: cannot write there", folder)


def check_new_folder(folder: Path) -> None:
    """A folder that does not exist yet: its nearest existing parent must take it."""
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"cannot create the folder: {str(parent)!r} is a file", folder)
    if _read_only(parent):
        raise InputError(f"cannot create the folder: {str(parent)!r} is read-only", folder)


def check_output(path: str | None) -> None:
    """Refuse, before any work, an output path that cannot take the result."""
    if not path or path == "-":
        return
    p = Path(path)
    if p.is_dir():
        raise InputError("is a folder, not an output file", p)
    if p.exists() and _read_only(p):
        raise InputError("is read-only: not replaced", p)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write: no folder {str(folder)!r}", p)
    if _read_only(folder):
        raise InputError(f"cannot write: the folder {str(folder)!r} is read-only", p)


@contextlib.contextmanager
def output_stream(path: str | None) -> Iterator[IO[str]]:
    """A stream for the output: stdout, or a temporary file beside `path` that becomes `path`
    when the block ends without an error (and is removed when it does not)."""
    if not path or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    check_output(path)
    p = Path(path)
    if p.is_symlink():  # write where the link points, as open(path, "w") did; the link stays a link
        p = p.resolve()
        check_output(str(p))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent if str(p.parent) else ".")
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", p) from None
    os.close(fd)
    ok = False
    try:
        # opened by name (not fdopen): the stream's `name` is a path in the destination's folder, which
        # an HTML page uses to link its recording relative to itself
        with open(tmp, "w", encoding="utf-8") as f:
            yield f  # an error of the command's own comes out of here and leaves `path` alone
            _finish(f, p)
        _keep_mode(Path(tmp), p)
        try:
            os.replace(tmp, p)
        except OSError as e:
            raise InputError(f"cannot write: {e.strerror}", p) from None
        ok = True
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _finish(f: IO[str], p: Path) -> None:
    try:
        f.flush()
        os.fsync(f.fileno())
    except OSError as e:  # a full disk shows here
        raise InputError(f"cannot write: {e.strerror}", p) from None


def _keep_mode(tmp: Path, p: Path) -> None:
    """The new file gets the mode of the one it replaces, else the usual one (mkstemp makes 0600)."""
    with contextlib.suppress(OSError):
        if p.exists():
            os.chmod(tmp, p.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)


def write_output(text: str, output: str | None) -> None:
    """`text` to standard output, or to the file `output` whole (see the module docstring)."""
    with output_stream(output) as f:
        try:
            f.write(text)
        except OSError as e:  # a full disk, a closed pipe on a file system that reports it here
            raise InputError(f"cannot write: {e.strerror}", output or "<stdout>") from None
