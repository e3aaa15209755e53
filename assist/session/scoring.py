"""Scoring one recorded call: a recording or a transcript in, the report out.

    report = score_file(spec, path)                      # what batch runs per file, in a worker
    report = score_recording(spec, path, sink=print)     # `assist replay --format …`, `assist demo`

These are plain functions of (spec, path) with no state but the models they load: batch calls them
from its worker processes (and a cluster's workers will, issue 15), the CLI directly. Pass a
`SemanticCache` to load the semantic model once per process instead of once per call.
Bad input (a missing or undecodable file, a malformed transcript, no model) raises InputError.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assist.engine.coach import Coach, CoachRun, SemanticDetector
from assist.session.messages import CallEnded, CallStarted, FinalUtterance, Sink, event_message
from assist.session.models import SemanticCache, call_engine, load_semantic
from assist.session.spec import CallSpec
from assist.speech.audio import load_call
from assist.speech.segment import merge_speakers
from assist.speech.transcribe import transcribe_audio
from assist.transcript import Word, load_transcript

TEXT_SUFFIXES = {".txt", ".json", ".jsonl"}


def _semantic(spec: CallSpec, cache: SemanticCache | None) -> SemanticDetector | None:
    return cache.get(spec) if cache is not None else load_semantic(spec.lexicon, spec.semantic)


def _semantic_meanwhile(spec: CallSpec, cache: SemanticCache | None) -> Callable[[], SemanticDetector | None]:
    """Start loading the semantic detector on a thread and return the wait for it: the model loads
    while the recogniser decodes instead of before it (issue 17). A failure to load is the
    loader's own (None: lexical only); anything else it raises is raised again by the wait."""
    if not spec.semantic:
        return lambda: None
    out: list[SemanticDetector | None] = []
    err: list[BaseException] = []

    def load() -> None:
        try:
            out.append(_semantic(spec, cache))
        except BaseException as e:  # noqa: BLE001 — handed to the waiting thread
            err.append(e)

    t = threading.Thread(target=load, name="semantic-load", daemon=True)
    t.start()

    def wait() -> SemanticDetector | None:
        t.join()
        if err:
            raise err[0]
        return out[0]

    return wait


class _Warmer:
    """Embeds a decoded channel's utterances for the semantic pass on a thread while the recogniser
    decodes the next channel: on a 4.5-min call the pass cost ~2 s after the decode, about a tenth
    of the replay (issue 17: a replay should cost little more than its recognition)."""

    def __init__(self, detector: Callable[[], SemanticDetector | None]) -> None:
        self.detector = detector
        self.threads: list[threading.Thread] = []

    def __call__(self, speaker: str, words: list[Word]) -> None:
        texts = [u.text for u in merge_speakers({speaker: words})]  # the coach's utterances, same split

        def warm() -> None:
            try:
                warm_ = getattr(self.detector(), "warm", None)  # optional: not in the coach's protocol
                if warm_ is not None:
                    warm_(texts, speaker)
            except BaseException:  # noqa: BLE001, S110 — the coach's own wait raises a load error, once, as one line
                pass

        t = threading.Thread(target=warm, name="semantic-warm", daemon=True)
        t.start()
        self.threads.append(t)

    def join(self) -> None:
        for t in self.threads:
            t.join()


def score_recording(spec: CallSpec, path: str | Path, *, sink: Sink | None = None,
                    semantic: SemanticCache | None = None) -> dict[str, Any]:
    """The whole-file path: transcribe the recording in one go (fast), then coach it. The audio is
    decoded before any model loads (a bad file costs nothing); then the semantic model loads on a
    thread while the recogniser decodes. `sink`, if given, sees CallStarted, each FinalUtterance
    with its events, and CallEnded, in call order (for `--format jsonl`)."""
    audio = load_call(path, swap=spec.channels.swap, mono_speaker=spec.channels.mono_speaker,
                      channels=spec.channels.pick)
    eng = call_engine(spec, live=False)  # which model, before anything loads: no model is a one-line error
    detector = _semantic_meanwhile(spec, semantic)
    emit: Sink = sink or (lambda m: None)
    emit(CallStarted(eng.name, eng.model.name, False, str(path)))
    warmer = _Warmer(detector)
    try:
        utts = merge_speakers(transcribe_audio(audio, eng, on_track=warmer if spec.semantic else None))
    finally:
        warmer.join()  # a warm-up still running would only embed again what the coach asks for
    coach = Coach(spec.lexicon, company=spec.company, agent_name=spec.agent_name, semantic=detector())
    CoachRun(coach, lambda ev: emit(event_message(ev))).transcript(utts, on_utterance=lambda u: emit(FinalUtterance(u)))
    report = coach.report(source=str(path), duration_s=audio.duration, engine=eng.name, model=eng.model.name,
                          mode="whole-file", **audio.call_fields())
    emit(CallEnded(report))
    return report


def score_transcript(spec: CallSpec, path: str | Path, *, semantic: SemanticCache | None = None) -> dict[str, Any]:
    """A written transcript (.txt, .json, .jsonl) through the coach."""
    tr = load_transcript(path)
    coach = Coach(spec.lexicon, company=spec.company, agent_name=spec.agent_name, semantic=_semantic(spec, semantic))
    CoachRun(coach).transcript(tr.utterances)
    return coach.report(source=str(path), duration_s=tr.duration_s, timing=tr.timing)


def score_file(spec: CallSpec, path: str | Path, *, semantic: SemanticCache | None = None) -> dict[str, Any]:
    """A recording or a transcript, by its suffix."""
    if Path(path).suffix.lower() in TEXT_SUFFIXES:
        return score_transcript(spec, path, semantic=semantic)
    return score_recording(spec, path, semantic=semantic)
