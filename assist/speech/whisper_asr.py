"""Whisper through faster-whisper (CTranslate2, int8 on CPU).

`WhisperASR` has the shape of whisper_streaming's ASRBase (load_model / transcribe / sep) and is used
two ways: whole-file transcription with word timestamps, and `WhisperStream` (whisper_stream.py), the
streaming mode for live use (re-decode a sliding window, commit the words two passes agree on: local
agreement). `WhisperStream` is importable from here too, as it was before it moved.
"""

from __future__ import annotations

import os
import queue
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np

from assist.errors import InputError
from assist.speech.audio import RATE
from assist.transcript import Word

_MODELS: dict[tuple[str, str, int], Any] = {}
_LOCK = threading.Lock()


class _Loader:
    """The one thread, alive as long as the process, on which every Whisper model is loaded.

    A CTranslate2 model decodes 2.5-4x slower once the thread that loaded it has ended (measured
    here, load 7: a 4 s decode 3.9-6.1 s vs 1.5-1.8 s with the loading thread alive). `_MODELS`
    shares a model across threads and calls, so a model first loaded on a short-lived thread (a UI
    worker, a replay's analysis) would stay slow for the rest of the process. A thread started in a
    forked child (batch workers) is started again there: the parent's does not exist in the child."""

    def __init__(self) -> None:
        self._pid = -1
        self._thread: threading.Thread | None = None
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread if self._pid == os.getpid() else None

    def run(self, fn: Callable[[], Any]) -> Any:
        """fn() on the loader thread; its result or its exception here. The main thread lives as long
        as the process, so it loads for itself: a second thread's malloc arena cost a whole-file
        replay ~65-100 MB of peak memory (4.5-min call: 511 vs 447 MB without the semantic pass)."""
        if threading.current_thread() is self.thread or threading.current_thread() is threading.main_thread():
            return fn()
        with _LOCK:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                self._pid = os.getpid()
                self._jobs = queue.Queue()
                self._thread = threading.Thread(target=self._serve, name="assist-whisper-loader", daemon=True)
                self._thread.start()
        fut: Future[Any] = Future()
        self._jobs.put((fn, fut))
        return fut.result()

    def _serve(self) -> None:
        while True:
            fn, fut = self._jobs.get()
            try:
                fut.set_result(fn())
            except BaseException as e:  # noqa: BLE001 - raised again in the thread that asked
                fut.set_exception(e)


_LOADER = _Loader()


# Whisper falls back to sampling (temperature 0.2 … 1.0) on a window it cannot decode well by beam
# search, and CTranslate2 seeds its sampler from the OS unless told: the same recording then gave a
# different transcript, and so a different score, on each replay (the 4.5-min call's customer
# channel: 178 and 179 words, different text, in two runs). With a fixed seed a replay of a call
# is reproducible. ASSIST_WHISPER_SEED sets another (a non-negative integer).
WHISPER_SEED = 1


def _fix_sampling_seed() -> None:
    """Seed CTranslate2's sampler before the first model loads (each of its threads seeds its own
    generator from this on first use)."""
    import ctranslate2

    raw = os.environ.get("ASSIST_WHISPER_SEED", "").strip()
    seed = int(raw) if raw.isdigit() and int(raw) < 2**32 - 1 else WHISPER_SEED
    ctranslate2.set_random_seed(seed)


def load_whisper(model_dir: str | Path, compute_type: str = "int8", cpu_threads: int = 0) -> Any:
    """Load (once per process, on the loader thread: see _Loader) a CTranslate2 Whisper model from a
    local folder — never the hub."""
    key = (str(model_dir), compute_type, cpu_threads)
    with _LOCK:
        if key in _MODELS:
            return _MODELS[key]

    def load() -> Any:
        with _LOCK:
            if key not in _MODELS:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                _fix_sampling_seed()
                from faster_whisper import WhisperModel

                # ASSIST_CPU_THREADS: a process's share of the cores (batch workers set it), else min(4, cores).
                threads = (cpu_threads or int(os.environ.get("ASSIST_CPU_THREADS") or 0)
                           or min(4, os.cpu_count() or 1))
                _MODELS[key] = WhisperModel(str(model_dir), device="cpu", compute_type=compute_type,
                                            cpu_threads=threads, local_files_only=True)
            return _MODELS[key]

    return _LOADER.run(load)


# The short encoder window (streaming decodes). faster-whisper pads every window's features to 30 s
# before the encoder, so a 3 s partial costs as much as a 30 s one: on 2 busy cores ~1.8 s, which
# is what made live flags late. CTranslate2's Whisper encoder takes shorter inputs: padded only to
# the audio plus SHORT_PAD_FRAMES (3 s of silence) a 3-6 s window decodes at a fifth to a tenth of
# the cost, with the same words on most windows and a few worse ones ("left" -> "lift"). With only
# 1 s of padding the decoder sometimes loops (the same sentence again and again): 3 s did not, and a
# decode with more words than speech can hold (`_looped`) is done again the usual way. faster-whisper
# has no option for it, so its `pad_or_trim` is wrapped: only a thread that asks (`_SHORT.frames`)
# gets the short window; the whole-file path and every other thread keep the 30 s one.
SHORT_PAD_FRAMES = 300
_SHORT = threading.local()


def _short_window_ready() -> bool:
    """Wrap faster_whisper.transcribe.pad_or_trim once; False if this faster-whisper has no such hook."""
    try:
        import faster_whisper.transcribe as fwt
    except ImportError:
        return False
    orig = getattr(fwt, "pad_or_trim", None)
    if orig is None:
        return False
    if getattr(orig, "assist_short", False):
        return True

    def pad_or_trim(array: np.ndarray, length: int = 3000, *, axis: int = -1) -> np.ndarray:
        extra = getattr(_SHORT, "frames", None)
        if extra is not None and array.shape[axis] + extra < length:
            length = array.shape[axis] + extra
        return orig(array, length, axis=axis)  # type: ignore[no-any-return]

    pad_or_trim.assist_short = True  # type: ignore[attr-defined]
    with _LOCK:
        fwt.pad_or_trim = pad_or_trim
    return True


def _looped(words: list[Word], seconds: float) -> bool:
    """More words than anyone says in that time (~3 a second), or the text twice over: a decoder loop."""
    if len(words) > 5 * seconds + 3:
        return True
    text = [_key(w) for w in words]
    half = len(text) // 2
    return half >= 4 and text[:half] == text[half:2 * half]


LOOP_WORDS_PER_S = 5.0  # faster than anyone repeats a word or phrase ("no, no, no" is ~3 a second)


def without_loops(words: list[Word]) -> list[Word]:
    """A segment's decoder loop collapsed to one copy: a word repeated 3 times or more, or a phrase
    of 2 to 4 words twice or more, faster than speech (LOOP_WORDS_PER_S). Seen in a whole-file decode: the
    customer's one "alright" came out as 76 "alright,"s within 0.54 s (and 7 in 1.1 s earlier) —
    in the report, the replay's transcript and every word count made from it. Repeats at a
    speaking pace ("no, no, no") stay."""
    keys = [_key(w) for w in words]
    out: list[Word] = []
    i = 0
    while i < len(words):
        best, keep = 0, 1  # words taken by the longest loop found at i, and the copy kept
        for n in range(1, 5):
            if i + (2 if n >= 2 else 3) * n > len(words):
                break
            k = 1
            while i + (k + 1) * n <= len(words) and keys[i + k * n:i + (k + 1) * n] == keys[i:i + n]:
                k += 1
            span = words[i + k * n - 1].end - words[i].start
            # a phrase twice is a loop too ("No, I can't... No, I can't" in 0.7 s: two flags, one
            # retracted by the final, a card flickering); a single word twice may be said so
            if (k >= 3 or (k == 2 and n >= 2)) and keys[i] and k * n > LOOP_WORDS_PER_S * max(span, 0.0) \
                    and k * n > best:
                best = k * n
                keep = n
        if best:
            out += words[i:i + keep]
            i += best
        else:
            out.append(words[i])
            i += 1
    return out


class WhisperASR:
    """whisper_streaming's ASRBase shape: words separated by `sep`, `transcribe(audio, init_prompt)`."""

    sep = ""  # faster-whisper words carry their own leading space

    def __init__(self, model_dir: str | Path, *, language: str = "en", hotwords: tuple[str, ...] | list[str] = (),
                 beam_size: int = 5, vad: bool = True, cpu_threads: int = 0) -> None:
        self.model_dir = str(model_dir)
        self.language = language
        # "Acme, this is Dana" comes out as "at me, this is very…" without the names as hotwords.
        # They reach the decoder as text before the audio. Written "Acme Dana" the whole-file
        # decode of the latency benchmark's call lost sentence ends ("…at your address No, the
        # parcel left…": no sentence start, the flag lost — 2 of its 4 misses in 24 planted
        # phrases, and "not my job"/"Does that make sense" misheard once each); "Acme, Dana" missed 1
        # of 24, with the same words lost and added (3.9 / 3.5 %). "Acme, Dana." (full stop) found
        # the phrases too but skipped a whole turn and repeated another (6.4 / 6.7 %).
        names = [h.strip() for h in hotwords if h and h.strip()]
        self.hotwords = ", ".join(names) or None
        self.beam_size = beam_size
        self.vad = vad
        self.cpu_threads = cpu_threads  # 0: load_whisper's choice (the whole-file path keeps it)
        self.model = self.load_model()
        lang = (language or "").lower()
        if lang not in ("", "en") and not self.model.model.is_multilingual:
            # resolve_model already refuses this; a folder passed straight in must not slip through
            # and "transcribe" another language as English words.
            raise InputError(f"an English-only Whisper model cannot transcribe a {lang!r} call: use a "
                             "multilingual model (`assist models list`)", self.model_dir)

    def load_model(self) -> Any:
        return load_whisper(self.model_dir, cpu_threads=self.cpu_threads)

    def transcribe(self, audio: np.ndarray, init_prompt: str = "", offset: float = 0.0,
                   vad: bool | None = None, beam_size: int | None = None, short: bool = False,
                   min_window_s: float = 5.0, fallback: bool = True) -> list[Word]:
        """Words with absolute times (`offset` = time of audio[0]). `short`: encode only the audio
        (plus a few seconds), not a 30 s window — for streaming decodes of a few seconds (see _SHORT).
        `fallback`: decode again at rising temperatures (sampling) when a pass looks wrong, as
        Whisper does; off, one pass at temperature 0 (the live path: see WhisperStream)."""
        if len(audio) < RATE // 10:
            return []
        temps = None if fallback else 0.0
        if not (short and _short_window_ready()):
            return self._transcribe(audio, init_prompt, offset, vad, beam_size, temperature=temps)
        frames, most = len(audio) * 100 // RATE, int(8 * len(audio) / RATE) + 8
        # padded by 3 s (5 s in all at least: the decoder loops more on a tiny window); if it loops
        # anyway, to 10 s in all (a third of the usual cost); then the usual 30 s
        first = int(min_window_s * 100)
        for pad in (max(SHORT_PAD_FRAMES, first - frames), max(SHORT_PAD_FRAMES, max(first, 1000) - frames)):
            _SHORT.frames = pad
            try:
                words = self._transcribe(audio, init_prompt, offset, vad, beam_size, max_tokens=most,
                                         temperature=temps)
            finally:
                _SHORT.frames = None
            if not _looped(words, len(audio) / RATE):
                return words
        return self._transcribe(audio, init_prompt, offset, vad, beam_size, max_tokens=most, temperature=temps)

    def _transcribe(self, audio: np.ndarray, init_prompt: str, offset: float, vad: bool | None,
                    beam_size: int | None, max_tokens: int | None = None,
                    temperature: float | None = None) -> list[Word]:
        # max_tokens bounds a decoder loop ("No No No …" on a 0.8 s window took 26 s with beam 5 on a
        # saturated machine): nobody says more than ~8 tokens a second
        # A multilingual model is told the call's language (no per-chunk language detection, which
        # flips on short or accented turns); an English-only model only ever gets English calls.
        lang = (self.language or None) if self.model.model.is_multilingual else "en"
        segments, _info = self.model.transcribe(
            audio.astype(np.float32, copy=False), language=lang,
            beam_size=beam_size or self.beam_size, word_timestamps=True, condition_on_previous_text=False,
            initial_prompt=init_prompt or None, hotwords=self.hotwords,
            vad_filter=self.vad if vad is None else vad, without_timestamps=False, max_new_tokens=max_tokens,
            **({} if temperature is None else {"temperature": temperature}),
        )
        words: list[Word] = []
        for seg in segments:
            if seg.no_speech_prob > 0.8 and seg.avg_logprob < -1.0:
                continue  # hallucination on silence or noise
            got = [Word(w.word.strip(), offset + float(w.start), offset + float(w.end), float(w.probability))
                   for w in seg.words or [] if w.word.strip()]
            words += without_loops(got)
        return words


_NORM = re.compile(r"[^\w']+")


def _key(w: Word) -> str:
    return _NORM.sub("", w.text.lower())


def __getattr__(name: str) -> Any:
    # WhisperStream moved to whisper_stream.py (which imports this module); the old import path stays
    if name == "WhisperStream":
        from assist.speech.whisper_stream import WhisperStream

        return WhisperStream
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
