"""Decoding recordings: any common format (wav, flac, ogg, mp3, m4a, …) to 16 kHz float32 per speaker.

PyAV (which faster-whisper brings) decodes and resamples everything; soundfile is the fallback for
the few files PyAV cannot open. Stereo is agent on the left, customer on the right (DESIGN.md);
`swap` reverses that. A mono file is split into agent and customer by voice with
`mono_speaker="voice"` (assist.speech.diarize), or is one speaker (`mono_speaker="agent"|"customer"`).
`CallAudio.call_fields()` says which it was, for the report's `call` object.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assist.errors import InputError

RATE = 16000


@dataclass
class CallAudio:
    """Decoded call: one float32 mono track per speaker, all at RATE."""

    tracks: dict[str, np.ndarray]
    source: str
    # How the tracks got their speakers: "channels" (stereo), "voice" (mono split by voice) or
    # "forced" (mono, one speaker by --mono-speaker).
    speakers_by: str = "channels"
    voice_split: dict[str, Any] | None = None  # SplitInfo.as_dict() when speakers_by == "voice"
    # The recording's own sample rate before resampling to RATE: 8000 for G.711 telephone audio,
    # told apart from 16 kHz recordings.
    source_rate: int = RATE

    def call_fields(self) -> dict[str, Any]:
        """Extra fields for the report's `call` object: `coach.report(..., **audio.call_fields())`."""
        d: dict[str, Any] = {"speakers_by": self.speakers_by}
        if self.voice_split is not None:
            d["voice_split"] = self.voice_split
        return d

    @property
    def duration(self) -> float:
        return max((len(a) for a in self.tracks.values()), default=0) / RATE


# Beyond stereo we do not guess which channel is whom: mixing six channels into two puts the
# agent's words in the customer's track.
_TOO_MANY = ("{n} audio channels: assist reads mono or stereo calls (agent left, customer right) and "
             "will not mix the others in; pick the agent's and the customer's with --channels AGENT,CUSTOMER "
             "(numbered from 0, e.g. --channels 0,2)")


def _pick(data: np.ndarray, path: Path, channels: tuple[int, int] | None) -> np.ndarray:
    """Mono or stereo as they are; more channels only with `channels` = (agent, customer)."""
    n = data.shape[0]
    if channels is None:
        if n > 2:
            raise InputError(_TOO_MANY.format(n=n), path)
        return data
    a, c = channels
    if a == c or not (0 <= a < n and 0 <= c < n):
        raise InputError(f"channels {a},{c}: the file has {n} channel(s), numbered 0-{n - 1}; "
                         "give two different ones (agent, customer)", path)
    return data[[a, c]]


def _decode_av(path: Path, channels: tuple[int, int] | None = None) -> tuple[np.ndarray, int]:
    """((channels, samples) float32 at RATE, the file's own rate) via PyAV; raises on anything it
    cannot decode. PyAV's resampler (libswresample) matches scipy's polyphase resampler to ~60 dB on
    8 kHz G.711 (no imaging above 4 kHz, same level): 8 kHz audio loses nothing here."""
    import av

    with av.open(str(path)) as container:
        streams = [s for s in container.streams if s.type == "audio"]
        if not streams:
            raise InputError("no audio stream in file", path)
        stream = streams[0]
        assert isinstance(stream, av.audio.stream.AudioStream)
        rate = int(stream.codec_context.sample_rate or RATE)
        n = stream.codec_context.layout.nb_channels or 1
        if n > 2 and channels is None:
            raise InputError(_TOO_MANY.format(n=n), path)  # before decoding: say it at once
        if n > 2:
            layout: str = stream.codec_context.layout.name  # keep every channel: no down-mix
        else:
            layout = "stereo" if n == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=RATE)
        parts: list[np.ndarray] = []
        for frame in container.decode(stream):
            assert isinstance(frame, av.AudioFrame)
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray())
        for out in resampler.resample(None):
            parts.append(out.to_ndarray())
    if not parts:
        return _pick(np.zeros((n, 0), dtype=np.float32), path, channels), rate
    return _pick(np.concatenate(parts, axis=1).astype(np.float32, copy=False), path, channels), rate


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence C libraries that print on file descriptor 2 (libsndfile's mpg123 "Note: …" lines, Kaldi's
    model log): the user must see our one-line message, not their chatter."""
    try:
        fd = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            sys.stderr.flush()
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(fd, 2)
        os.close(fd)


def _decode_sf(path: Path, channels: tuple[int, int] | None = None) -> tuple[np.ndarray, int]:
    import soundfile as sf

    with quiet_stderr():
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    data = _pick(data.T, path, channels)
    if sr != RATE:
        data = resample(data, int(sr))
    return data, int(sr)


def resample(data: np.ndarray, sr: int) -> np.ndarray:
    """(channels, samples) float32 at `sr` -> at RATE, with PyAV's resampler (libswresample, the same
    as every file PyAV decodes). Linear interpolation, used before, mirrored an 8 kHz call's band into
    4-8 kHz and was 12.6 dB off a polyphase resampler; this is ~60 dB off it."""
    n = int(round(data.shape[1] * RATE / sr))
    try:
        import av

        layout = "stereo" if data.shape[0] == 2 else "mono"
        if data.shape[0] > 2:
            raise ValueError("PyAV resamples mono or stereo here")
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data, dtype=np.float32), format="fltp", layout=layout)
        frame.sample_rate = sr
        rs = av.AudioResampler(format="fltp", layout=layout, rate=RATE)
        parts = [o.to_ndarray() for o in rs.resample(frame)] + [o.to_ndarray() for o in rs.resample(None)]
        out = np.concatenate(parts, axis=1).astype(np.float32, copy=False)
        if out.shape[1] >= n:
            return out[:, :n]
        return np.pad(out, ((0, 0), (0, n - out.shape[1])))
    except (ImportError, ValueError):
        x = np.linspace(0, data.shape[1] - 1, n)
        return np.stack([np.interp(x, np.arange(data.shape[1]), ch) for ch in data]).astype(np.float32)


def decode(path: str | Path, *, channels: tuple[int, int] | None = None) -> np.ndarray:
    """(channels, samples) float32 at 16 kHz; errors are one line naming the file. A recording
    with more than two channels is refused unless `channels` names the (agent, customer) pair."""
    return decode_with_rate(path, channels=channels)[0]


def decode_with_rate(path: str | Path, *, channels: tuple[int, int] | None = None) -> tuple[np.ndarray, int]:
    """`decode`, and the file's own sample rate."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", p)
    if p.is_dir():
        raise InputError("is a directory, not an audio file", p)
    if p.stat().st_size == 0:
        raise InputError("empty file, not audio", p)
    try:
        return _decode_av(p, channels)
    except InputError:
        raise
    except Exception as first:  # PyAV raises many types (InvalidDataError, ValueError, …)
        try:
            return _decode_sf(p, channels)
        except InputError:
            raise
        except Exception:
            msg = getattr(first, "strerror", None) or str(first).split(":")[0].strip() or type(first).__name__
            raise InputError(f"cannot decode audio ({msg})", p) from first


MONO_SPEAKER_CHOICES = ("voice", "agent", "customer")


def load_call(path: str | Path, *, swap: bool = False, mono_speaker: str = "agent",
              channels: tuple[int, int] | None = None) -> CallAudio:
    """Decode a recording and assign channels to speakers. A mono file: `mono_speaker="voice"` splits
    it into agent and customer by voice; "agent"/"customer" makes it that one speaker. `channels` =
    (agent, customer) picks two channels of a multi-channel recording (0-based); without it, more
    than two is an error."""
    if mono_speaker not in MONO_SPEAKER_CHOICES:
        raise InputError(f"--mono-speaker must be voice, agent or customer, not {mono_speaker!r}")
    data, rate = decode_with_rate(path, channels=channels)
    if data.shape[1] == 0:
        raise InputError("no audio samples in file", path)
    if data.shape[0] == 1:
        if mono_speaker == "voice":
            from assist.speech.diarize import split_call

            audio, info = split_call(CallAudio({"agent": data[0]}, str(path)))
            audio.source_rate = rate
            return audio
        return CallAudio({mono_speaker: data[0]}, str(path), speakers_by="forced", source_rate=rate)
    left, right = data[0], data[1]
    if swap:
        left, right = right, left
    return CallAudio({"agent": left, "customer": right}, str(path), source_rate=rate)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


def to_int16_bytes(x: np.ndarray) -> bytes:
    return (np.clip(x, -1.0, 1.0) * 32767).astype("<i2").tobytes()
