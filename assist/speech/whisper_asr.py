"""Whisper through faster-whisper (CTranslate2, int8 on CPU).

`WhisperASR` has the shape of whisper_streaming's ASRBase (load_model / transcribe / sep) and is used
two ways: whole-file transcription with word timestamps, and `WhisperStream`, the streaming mode
for live use (re-decode a sliding window, commit the words two passes agree on: local agreement).
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
from assist.speech.segment import speech_gate
from assist.speech.stream import Segment
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


class WhisperASR:
    """whisper_streaming's ASRBase shape: words separated by `sep`, `transcribe(audio, init_prompt)`."""

    sep = ""  # faster-whisper words carry their own leading space

    def __init__(self, model_dir: str | Path, *, language: str = "en", hotwords: tuple[str, ...] | list[str] = (),
                 beam_size: int = 5, vad: bool = True) -> None:
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
        self.model = self.load_model()
        lang = (language or "").lower()
        if lang not in ("", "en") and not self.model.model.is_multilingual:
            # resolve_model already refuses this; a folder passed straight in must not slip through
            # and "transcribe" another language as English words.
            raise InputError(f"an English-only Whisper model cannot transcribe a {lang!r} call: use a "
                             "multilingual model (`assist models list`)", self.model_dir)

    def load_model(self) -> Any:
        return load_whisper(self.model_dir)

    def transcribe(self, audio: np.ndarray, init_prompt: str = "", offset: float = 0.0,
                   vad: bool | None = None, beam_size: int | None = None, short: bool = False,
                   min_window_s: float = 5.0) -> list[Word]:
        """Words with absolute times (`offset` = time of audio[0]). `short`: encode only the audio
        (plus a few seconds), not a 30 s window — for streaming decodes of a few seconds (see _SHORT)."""
        if len(audio) < RATE // 10:
            return []
        if not (short and _short_window_ready()):
            return self._transcribe(audio, init_prompt, offset, vad, beam_size)
        frames, most = len(audio) * 100 // RATE, int(8 * len(audio) / RATE) + 8
        # padded by 3 s (5 s in all at least: the decoder loops more on a tiny window); if it loops
        # anyway, to 10 s in all (a third of the usual cost); then the usual 30 s
        first = int(min_window_s * 100)
        for pad in (max(SHORT_PAD_FRAMES, first - frames), max(SHORT_PAD_FRAMES, max(first, 1000) - frames)):
            _SHORT.frames = pad
            try:
                words = self._transcribe(audio, init_prompt, offset, vad, beam_size, max_tokens=most)
            finally:
                _SHORT.frames = None
            if not _looped(words, len(audio) / RATE):
                return words
        return self._transcribe(audio, init_prompt, offset, vad, beam_size, max_tokens=most)

    def _transcribe(self, audio: np.ndarray, init_prompt: str, offset: float, vad: bool | None,
                    beam_size: int | None, max_tokens: int | None = None) -> list[Word]:
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
        )
        words: list[Word] = []
        for seg in segments:
            if seg.no_speech_prob > 0.8 and seg.avg_logprob < -1.0:
                continue  # hallucination on silence or noise
            for w in seg.words or []:
                text = w.word.strip()
                if text:
                    words.append(Word(text, offset + float(w.start), offset + float(w.end), float(w.probability)))
        return words


_FRAME = RATE // 10  # 0.1 s: the resolution of pause detection
_LEAD = RATE * 3 // 10  # audio kept before speech starts, so the first word is not clipped
_TAIL = RATE // 5  # silence kept after the last loud frame for the final decode

_NORM = re.compile(r"[^\w']+")
_SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")


def _ends_sentence(w: Word, nxt: Word | None) -> bool:
    """A sentence ends after `w`: its full stop, or a comma before a capital (Whisper writes "time,
    The driver…" for two sentences when it hears no clear pause between them)."""
    if _SENTENCE_END.search(w.text):
        return True
    return (w.text.endswith(",") and nxt is not None and nxt.text[:1].isupper()
            and _key(nxt) not in ("i", "im", "ill", "ive", "id"))


def _quietest(buf: np.ndarray, t0: float, a: float, b: float) -> int:
    """Where to cut between a word ending near `a` and the next starting near `b` (seconds): the
    quietest 0.1 s frame around that gap (word times are rough: read the audio, not only the times)."""
    lo = max(0, int((min(a, b) - t0 - 0.2) * RATE))
    hi = min(len(buf), int((max(a, b) - t0 + 0.2) * RATE))
    if hi - lo < _FRAME:
        return int((a + b) / 2 * RATE - t0 * RATE)
    frames = buf[lo:hi - (hi - lo) % _FRAME].reshape(-1, _FRAME)
    k = int(np.argmin(np.sqrt(np.mean(frames * frames, axis=1))))
    return lo + k * _FRAME + _FRAME // 2


def _prompt_plus(prompt: str, words: list[Word]) -> str:
    """The decoder's context with one more utterance, ended with a full stop if it has none: the
    prompt sets Whisper's style, and one unpunctuated final made every later turn unpunctuated
    (then "… address No, the parcel …" starts no sentence, and sentence-start rules miss it)."""
    text = " ".join(w.text for w in words).strip()
    if text and not _SENTENCE_END.search(text):
        text += "."
    return (prompt + " " + text).strip()


def _key(w: Word) -> str:
    return _NORM.sub("", w.text.lower())


class WhisperStream:
    """Streaming Whisper for one channel (one speaker).

    The open utterance (at most `window_s`) is decoded again (greedy) every `step_s` of new audio and
    also as soon as the speaker pauses for `early_s` (a breath, a sentence end: where a flagged
    phrase usually ends, so its flag need not wait for the next tick). The words that this pass and
    the previous pass agree on (longest common prefix) are committed, the rest is the partial tail.
    With `cut_sentences` (off by default) a committed sentence that more speech follows becomes a
    final utterance of its own and leaves the window, so a long turn is never re-decoded from its
    start. A pause of `pause_s` (energy below `silence_rms`) after speech closes the utterance with
    one last decode (beam search), which becomes its final text. Silent audio is never decoded, so
    an idle channel costs almost nothing; `hold_partials` (set by the pipeline while the other
    channel has the floor) skips this channel's partial decodes but never its audio or its finals.
    """

    def __init__(self, asr: WhisperASR, *, step_s: float = 1.0, window_s: float = 15.0, pause_s: float = 0.5,
                 silence_rms: float = 0.01, reuse_last_pass: bool = False, live: bool = True,
                 final_beam: int | None = None, early_s: float = 0.2, cut_sentences: bool = False,
                 short_window: bool = True, vad: str = "energy", final_early_s: float = 0.3,
                 final_window_s: float = 10.0) -> None:
        self.asr = asr
        self.gate = speech_gate(vad, silence_rms)  # speech or silence, per 0.1 s frame
        self.short_window = short_window  # encode the window alone, not padded to 30 s (see _SHORT)
        self.final_beam = final_beam  # beam size of the closing decode (None: the ASR's default, 5)
        self.reuse_last_pass = reuse_last_pass  # always skip the final decode when it can (faster, rougher)
        self.live = live  # big blocks mean "behind" only for a live source
        self.behind = False
        self.hold_partials = False
        self.cut_sentences = cut_sentences
        self.step = int(step_s * RATE)
        self.early = int(early_s * RATE)  # 0: no decode at short pauses, only every step_s
        # The final's decode, done ahead at this much silence (0: at the end of the pause, pause_s)
        self.final_early = int(final_early_s * RATE)
        # The final's encoder window (0: the usual 30 s; else the turn padded to at least this)
        self.final_window_s = final_window_s
        self._early_final: tuple[int, list[Word]] | None = None  # (last_loud it heard, its words)
        self.window = int(window_s * RATE)
        self.pause = int(pause_s * RATE)
        self.silence_rms = silence_rms
        self.buf = np.zeros(0, dtype=np.float32)
        self.buf_t0 = 0.0  # time of buf[0]
        self.total = 0  # samples seen
        self.last_loud = 0  # `total` at the end of the last loud frame
        self.decoded_at = -1  # `total` when the open utterance was last decoded
        self.since_decode = 0
        self.committed: list[Word] = []
        self.prev: list[Word] = []  # last pass's uncommitted words
        self.key = 0
        self.prompt = ""  # text of earlier utterances: context for the decoder
        self.speech_seen = False
        self.speech_t = 0.0  # time of the open utterance's first loud frame (or of its cut)
        self.silent_run = 0  # trailing silent samples

    @property
    def speaking(self) -> bool:
        """An utterance is open on this channel (the pipeline gives it the floor)."""
        return self.speech_seen

    def accept(self, samples: np.ndarray) -> list[Segment]:
        """Take any amount of audio. A pipeline that fell behind hands over several blocks at once:
        they are scanned frame by frame so a pause inside them still closes the utterance at the
        right place, but the partial is decoded only once, at the end (that is how it catches up)."""
        samples = samples.astype(np.float32, copy=False)
        # More than half a second at once means the pipeline fell behind (live blocks are 0.1 s):
        # then a turn whose last pass already heard it all is not decoded again (see _close).
        self.behind = len(samples) > 5 * _FRAME and self.live
        out: list[Segment] = []
        due = False
        for i in range(0, len(samples), _FRAME):
            frame = samples[i:i + _FRAME]
            self.buf = np.concatenate([self.buf, frame])
            self.total += len(frame)
            if self.gate.is_speech(frame):
                if not self.speech_seen:
                    self.speech_t = self.buf_t0 + (len(self.buf) - len(frame)) / RATE
                self.speech_seen = True
                self.last_loud = self.total
                self.silent_run = 0
                self.since_decode += len(frame)
                continue
            if not self.speech_seen:
                # keep a little lead-in only: nothing to decode in silence
                if len(self.buf) > _LEAD:
                    self.buf_t0 += (len(self.buf) - _LEAD) / RATE
                    self.buf = self.buf[-_LEAD:]
                continue
            self.silent_run += len(frame)
            self.since_decode += len(frame)
            if self.silent_run >= self.pause:
                out += self._close()
                due = False
            elif len(self.buf) > self.window:
                out += self._close()  # a very long turn: cut it rather than decode ever longer windows
                due = False
            elif self.early and self.silent_run >= self.early and self.last_loud > self.decoded_at:
                due = True  # a short pause after words not yet decoded: decode now, not at the next tick
        # Behind (several blocks at once), the tick's partial decodes are dropped — the ones at a
        # pause, where a phrase ends, are kept — and the audio is all scanned: that is the catch-up.
        tick = self.since_decode >= self.step and not self.behind
        if self.speech_seen and (due or tick) and not self.hold_partials:
            self.since_decode = 0
            out += self._step()
        elif self._final_due():
            self._decode_final_early()
        return out

    def _final_due(self) -> bool:
        """Silent `final_early` after speech, no final decoded for these words yet, not behind."""
        return (self.speech_seen and 0 < self.final_early < self.pause and self.silent_run >= self.final_early
                and not self.behind and (self._early_final is None or self._early_final[0] != self.last_loud))

    def _decode_final_early(self) -> None:
        """The final's decode, ahead of the end of the pause. A turn ends only after `pause_s` of
        silence, and its final (a beam-5 decode of the whole turn on the 30 s window: ~0.3-0.5 s on
        idle cores, more on busy ones) came after that: an end-of-turn phrase that only the final
        hears right waited for both. Decoded at `final_early` of silence, the final's audio is the
        same (it stops _TAIL after the last loud frame either way) and so are its words; if the
        speaker goes on instead, the decode is wasted and the turn's final is decoded again."""
        self._early_final = (self.last_loud, self._final_decode(self.final_beam))

    def _final_decode(self, beam: int | None) -> list[Word]:
        if self.behind:
            return self._decode(beam_size=beam, trim=True)
        if self.final_window_s > 0:
            return self._decode(beam_size=beam, trim=True, min_window_s=self.final_window_s)
        return self._decode(beam_size=beam, trim=True, short=False)

    def _decode(self, beam_size: int | None = None, trim: bool = False, short: bool = True,
                min_window_s: float = 5.0) -> list[Word]:
        audio = self.buf
        if trim and self.silent_run > _TAIL:
            # the closing pause: decoding it only invites a hallucinated word at the end
            audio = audio[: len(audio) - self.silent_run + _TAIL]
        words = self.asr.transcribe(audio, init_prompt=self.prompt[-200:], offset=self.buf_t0, vad=False,
                                    beam_size=beam_size, short=self.short_window and short,
                                    min_window_s=min_window_s)
        if words and words[0].start < self.speech_t - 0.05:
            # Whisper puts the first word at the window's start, i.e. in the lead-in silence (0.3 s
            # early); the audio says where the speech began.
            w = words[0]
            words[0] = Word(w.text, min(self.speech_t, w.end), w.end, w.prob)
        return words

    def _step(self) -> list[Segment]:
        words = self._decode(beam_size=1)  # partials are provisional: greedy is enough and cheaper
        self.decoded_at = self.total
        cut = self.committed[-1].end - 0.05 if self.committed else -1.0
        new = words[len(self.committed):] if self._prefix_ok(words) else [w for w in words if w.start >= cut]
        agree = 0
        while agree < min(len(new), len(self.prev)) and _key(new[agree]) == _key(self.prev[agree]):
            agree += 1
        self.committed += new[:agree]
        self.prev = new[agree:]
        out = self._cut_sentence() if self.cut_sentences else []
        allw = self.committed + self.prev
        if allw:
            # decoded while the speaker is silent (the decode at a pause): see Utterance.paused
            paused = self.silent_run >= max(self.early, _FRAME) and self.decoded_at >= self.last_loud
            out.append(Segment(self.key, allw, final=False, committed=len(self.committed), paused=paused))
        return out

    def _cut_sentence(self) -> list[Segment]:
        """Close the committed sentences that more speech follows: they are final (two passes agree
        on them, and the sentence end is not the window's edge), and the window restarts after them."""
        allw = self.committed + self.prev
        ends = [i for i, w in enumerate(self.committed) if _ends_sentence(w, allw[i + 1] if i + 1 < len(allw) else None)]
        rest = allw[ends[-1] + 1:] if ends else []
        if not rest:
            return []  # no committed sentence end, or nothing after it yet (the pause will close it)
        done = self.committed[:ends[-1] + 1]
        cut = _quietest(self.buf, self.buf_t0, done[-1].end, rest[0].start)
        if cut <= 0 or cut >= len(self.buf) - _FRAME:
            return []
        seg = Segment(self.key, done, final=True, committed=len(done))
        self.key += 1
        self.prompt = _prompt_plus(self.prompt, done)
        self.buf = self.buf[cut:]
        self._early_final = None
        self.buf_t0 += cut / RATE
        self.speech_t = self.buf_t0
        self.committed = self.committed[ends[-1] + 1:]
        return [seg]

    def _prefix_ok(self, words: list[Word]) -> bool:
        """Does this pass start with the committed words? (then the tail is simply what follows)"""
        if len(words) < len(self.committed):
            return False
        return all(_key(a) == _key(b) for a, b in zip(words, self.committed, strict=False))

    def _close(self) -> list[Segment]:
        """End of the utterance: one last decode of it is its final text; start afresh after it."""
        out: list[Segment] = []
        if self.speech_seen:
            latest = self.committed + self.prev
            # The final is one more decode of the whole turn (beam search: the best text for the
            # report). When the pipeline is behind and the last greedy pass already heard the whole
            # turn, that pass becomes the final instead: on 2 busy cores a decode takes most of a
            # second, and catching up matters more than the last few words' accuracy.
            heard_all = (self.reuse_last_pass or self.behind) and bool(latest) and self.decoded_at >= self.last_loud
            beam = 1 if self.behind else self.final_beam  # behind: a greedy final, one decode, no more
            # The final goes into the report: the full 30 s window unless behind (the short one
            # heard "this is Dana" as "this is Gator" in the test call's greeting, beam 5 or not).
            early = self._early_final
            if early is not None and early[0] == self.last_loud and not heard_all:
                words = early[1] or latest  # decoded at `final_early` of this same silence: same audio
            else:
                words = latest if heard_all else (self._final_decode(beam) or latest)
            if words:
                out.append(Segment(self.key, words, final=True, committed=len(words)))
                self.key += 1
                self.prompt = _prompt_plus(self.prompt, words)
        # keep the trailing silence as the next lead-in
        keep = min(len(self.buf), _LEAD)
        self.buf_t0 += (len(self.buf) - keep) / RATE
        self.buf = self.buf[len(self.buf) - keep:]
        self.committed, self.prev = [], []
        self._early_final = None
        self.decoded_at = -1
        self.speech_seen = False
        self.silent_run = 0
        self.since_decode = 0
        return out

    def finish(self) -> list[Segment]:
        return self._close()
