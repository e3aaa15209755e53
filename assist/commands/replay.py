"""`assist replay FILE` — a recording through the speech pipeline and the coach.

Without --format it opens the TUI on a terminal and prints the summary otherwise (piped, CI).
Without --realtime the whole file is transcribed at once (fast) and then coached; with --realtime it
is played through the live path at real-time pace (streaming recognisers, `latency_s` on events).
`--format jsonl` streams: a `start` line when audio position 0 is fed, every event as it is emitted
(and each final utterance as `{"type": "utterance", ...}`), an `end` line with the whole report.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from assist.commands.options import add_channel_options, add_embed_audio_option, call_spec
from assist.commands.output import add_redact_option, check_output, output_stream, redacted
from assist.session.messages import CallMessage, CallStarted, CoachEvent, FinalUtterance, Retraction
from assist.session.spec import CallSpec
from assist.transcript import Utterance


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("replay", parents=[common], help="coach a recorded call (wav/flac/mp3/ogg/m4a…)",
                       description="Open a recording for review (the TUI), or write its report with --format.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("json", "jsonl", "md", "html"),
                   help="write the report in this format instead of opening the TUI")
    p.add_argument("--realtime", action="store_true", help="pace the audio as if live (streaming recognisers)")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="with --realtime: play X times faster than real time (default 1)")
    add_channel_options(p, mono_default="voice")
    add_embed_audio_option(p)
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    add_redact_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = call_spec(args)
    if not args.format and sys.stdout.isatty():  # a TUI needs a terminal; piped output gets the summary
        from assist.ui.launch import run_replay

        return run_replay(spec)
    return write_report(spec, args.format, args.output)


def write_report(spec: CallSpec, fmt: str | None, output: str | None) -> int:
    """The report of the recording `spec.source` in `fmt` (None: the terminal summary), redacted
    unless `spec.redact` is off. `output` is written whole when the run succeeds, or not at all."""
    if not fmt:
        report = redacted(_run(spec, None, None), spec.redact)
        from assist.report.summary import print_summary

        print_summary(report)
        return 0
    check_output(output)  # before decoding: a path that cannot be written is said at once
    with output_stream(output) as out:
        _run(spec, fmt, out)
    return 0


def _run(spec: CallSpec, fmt: str | None, out: IO[str] | None) -> dict[str, Any]:
    return _run_realtime(spec, fmt, out) if spec.realtime else _run_whole(spec, fmt, out)


def _line(out: IO[str] | None, obj: dict[str, Any]) -> None:
    if out is None:
        return
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


def _finish(spec: CallSpec, fmt: str | None, out: IO[str] | None, report: dict[str, Any]) -> None:
    if out is None or fmt is None:
        return
    report = redacted(report, spec.redact)
    if fmt == "jsonl":
        _line(out, {"type": "end", "report": report})
        return
    from assist.report import render
    from assist.report.player import report_audio_src

    # the HTML page plays the recording: linked relative to the page file (or embedded)
    name = getattr(out, "name", None)  # a path for a file opened by name; stdout's is "<stdout>", an fd's an int
    page = name if isinstance(name, str) and not name.startswith("<") else None
    audio = report_audio_src(report, page, embed=spec.embed_audio) if fmt == "html" else None
    out.write(render(report, fmt, audio=audio))
    out.flush()


class _JsonlSink:
    """jsonl lines as DESIGN.md fixes them: start, events (and final utterances) as they happen.

    Redacted as they go: an utterance passes through an UtteranceRedactor, which holds back one
    that ends in a number until its speaker goes on (a recogniser splits "054 -123." / "4 5 6 7"),
    and an event's matched words through redact_text. What is still held at the end is written
    before the `end` line (`close`)."""

    def __init__(self, source: str, stream: IO[str] | None, redact: bool) -> None:
        from assist.redact import UtteranceRedactor

        self.source, self.stream = source, stream
        self.redactor = UtteranceRedactor() if redact else None

    def __call__(self, m: CallMessage) -> None:
        match m:
            case CallStarted():
                _line(self.stream, {"type": "start", "engine": m.engine, "model": m.model, "realtime": m.realtime,
                                    "source": self.source})
            case CoachEvent(event=ev) | Retraction(event=ev):
                d = ev.to_dict()
                if self.redactor is not None and d.get("match"):
                    from assist.redact import redact_text

                    d["match"] = redact_text(str(d["match"]))
                _line(self.stream, d)
            case FinalUtterance(utterance=u):
                for r in (self.redactor.push(u) if self.redactor is not None else [u]):
                    self._utterance(r)

    def _utterance(self, u: Utterance) -> None:
        d = u.to_dict()
        if self.redactor is not None:
            d.pop("words", None)  # the text is redacted whole; word texts are in the end report's
        _line(self.stream, {"type": "utterance", **d})

    def close(self) -> None:
        for r in (self.redactor.flush() if self.redactor is not None else []):
            self._utterance(r)


def _run_realtime(spec: CallSpec, fmt: str | None, out: IO[str] | None) -> dict[str, Any]:
    from assist.session.call import CallSession

    sink = _JsonlSink(spec.source or "", out if fmt == "jsonl" else None, spec.redact)
    report = CallSession(spec).pipeline(sink).run()
    sink.close()
    _finish(spec, fmt, out, report)
    return report


def _run_whole(spec: CallSpec, fmt: str | None, out: IO[str] | None) -> dict[str, Any]:
    from assist.session.scoring import score_recording

    assert spec.source is not None
    sink = _JsonlSink(spec.source or "", out if fmt == "jsonl" else None, spec.redact)
    report = score_recording(spec, spec.source, sink=sink)
    sink.close()
    _finish(spec, fmt, out, report)
    return report
