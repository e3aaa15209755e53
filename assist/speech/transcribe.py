"""Whole-recording transcription: a file in, a time-ordered two-speaker Transcript out.

Used by `assist replay` (without --realtime) and `assist batch`. Whisper decodes each channel in
one go with word timestamps (and its VAD skipping the other speaker's turns); Vosk runs its stream
over the file as fast as it can. Both split at pauses and merge the speakers by time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from assist.speech.audio import CallAudio, load_call
from assist.speech.factory import Engine, pick_engine
from assist.speech.segment import merge_speakers
from assist.transcript import Transcript, Word


def transcribe_audio(audio: CallAudio, eng: Engine,
                     on_track: Callable[[str, list[Word]], None] | None = None) -> dict[str, list[Word]]:
    """Each channel's words. `on_track(speaker, words)` is called as soon as a channel is decoded
    while another is still to come (Whisper decodes them one after the other), so the caller can
    work on it meanwhile."""
    per: dict[str, list[Word]] = {}
    if eng.name == "whisper":
        from assist.speech.whisper_asr import WhisperASR

        asr = WhisperASR(eng.model.path, language=eng.language, hotwords=eng.hotwords)
        tracks = list(audio.tracks.items())
        for i, (sp, track) in enumerate(tracks):
            per[sp] = asr.transcribe(track)
            if on_track is not None and i < len(tracks) - 1:
                on_track(sp, per[sp])
        return per
    from assist.speech.sources import FileSource
    from assist.speech.vosk_asr import VoskStream

    streams = {sp: VoskStream(eng.model.path) for sp in audio.tracks}
    for sp in audio.tracks:
        per[sp] = []
    for _t0, block in FileSource(audio, block_s=1.0).blocks():
        for sp, x in block.items():
            per[sp] += [w for s in streams[sp].accept(x) if s.final for w in s.words]
    for sp, st in streams.items():
        per[sp] += [w for s in st.finish() if s.final for w in s.words]
    return per


def transcribe_file(path: str | Path, *, engine: str | None = None, model: str | None = None,
                    swap: bool = False, mono_speaker: str = "agent", hotwords: Sequence[str | None] = (),
                    language: str = "en") -> Transcript:
    """Transcribe a recording (any common format). Errors: assist.errors.InputError, one line."""
    audio = load_call(path, swap=swap, mono_speaker=mono_speaker)
    eng = pick_engine(engine, model, language, hotwords)
    per = transcribe_audio(audio, eng)
    return Transcript(merge_speakers(per), source=str(path), timing="given", duration_s=audio.duration,
                      extra={"engine": eng.name, "model": eng.model.name})
