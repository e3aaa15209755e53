"""Picks the recogniser for a call from the options (engine, model, language).

The session layer calls `pick_engine(engine, model, call_language(args.language, lexicon.language),
hotwords, live=...)` and then `Engine.recognizer_factory()` for one streaming recogniser per speaker;
whole recordings go through `transcribe_audio` with the same Engine. The language reaches Whisper
as `language=` (multilingual models); an English-only model is never picked for another language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assist.speech.languages import normalize_language
from assist.speech.models import ResolvedModel, resolve_model
from assist.speech.stream import StreamRecognizer


@dataclass
class Engine:
    """A resolved engine + model, able to make one streaming recogniser per speaker."""

    model: ResolvedModel
    language: str = "en"  # the call's language (normalised ISO 639-1 code)
    hotwords: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.model.engine

    def recognizer_factory(self) -> Callable[[str], StreamRecognizer]:
        if self.model.engine == "vosk":
            from assist.speech.vosk_asr import VoskStream, load_vosk

            load_vosk(self.model.path)  # load now, not on the first audio block

            def make_vosk(speaker: str) -> StreamRecognizer:
                return VoskStream(self.model.path)

            return make_vosk
        from assist.speech.whisper_asr import WhisperASR
        from assist.speech.whisper_stream import WhisperStream, live_cpu_threads

        # the live path's own thread budget (see live_cpu_threads); whole files keep theirs
        asr = WhisperASR(self.model.path, language=self.language, hotwords=self.hotwords,
                         cpu_threads=live_cpu_threads())

        def make_whisper(speaker: str) -> StreamRecognizer:
            return WhisperStream(asr)

        return make_whisper


def pick_engine(engine: str | None = None, model: str | None = None, language: str = "en",
                hotwords: Sequence[str | None] = (), *, live: bool = True) -> Engine:
    """The engine for a call. With no --engine, a live call prefers Vosk (true streaming) and a whole
    recording prefers Whisper (more accurate), each falling back to the other."""
    lang = normalize_language(language) or "en"
    resolved = resolve_model(engine, model, lang, prefer=("vosk", "whisper") if live else ("whisper", "vosk"),
                             live=live)
    return Engine(resolved, lang, tuple(h for h in hotwords if h))
