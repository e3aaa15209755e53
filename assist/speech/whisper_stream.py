"""Streaming Whisper for one channel (`WhisperStream`): the live path's decode schedule.

Moved out of whisper_asr.py (which keeps `WhisperASR`, the model loading and the short encoder
window) when the sentence commit made the class outgrow one file's reading; `from
assist.speech.whisper_asr import WhisperStream` still works.
"""

from __future__ import annotations

import os
import re
import time

import numpy as np

from assist.speech.audio import RATE
from assist.speech.segment import speech_gate
from assist.speech.stream import Segment
from assist.speech.whisper_asr import WhisperASR, _key
from assist.transcript import Word

_FRAME = RATE // 10  # 0.1 s: the resolution of pause detection
_LEAD = RATE * 3 // 10  # audio kept before speech starts, so the first word is not clipped
_TAIL = RATE // 5  # silence kept after the last loud frame for the final decode

def live_cpu_threads() -> int:
    """CTranslate2 threads for the live path's model: half the cores, 1 to 2 (ASSIST_LIVE_THREADS
    overrides). Its decodes are serial (one pipeline thread, both channels); on 2 cores a second
    decode thread competed with the pipeline's own thread and any other program: measured on the
    latency benchmark (AMD EPYC VM, 2 cores), 1 thread vs 2 — partial decode 0.28 vs 0.40 s, pause
    decode 0.47 vs 0.71 s, p95 0.95 vs 1.87 s (load 0.6 vs 0.7-2.8: one run each)."""
    env = os.environ.get("ASSIST_LIVE_THREADS")
    if env:
        return max(1, int(env))
    return max(1, min(2, (os.cpu_count() or 1) // 2))


GHOST_S = 0.12  # a word shorter than this at a decode's end is a ghost (see _without_ghosts)
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


def _without_ghosts(words: list[Word]) -> list[Word]:
    """A decode's last words that take no time ("… we sent. Okay.", "… team. Thank you.": 0.0-0.1 s
    each, squeezed into the window's end): Whisper's filler for the silence after the speech, not
    words. Decoded at a pause and committed, one ate the next sentence's first word ("Thank you.
    will have to call …")."""
    n = len(words)
    while n > 1 and words[n - 1].end - words[n - 1].start < GHOST_S:
        n -= 1
    return words[:n]


def _agrees_for(before: list[Word], words: list[Word]) -> int:
    """How many leading words of `words` the earlier pass `before` has too."""
    k = 0
    while k < min(len(before), len(words)) and _key(before[k]) == _key(words[k]):
        k += 1
    return k


def _agrees(before: list[Word], words: list[Word]) -> bool:
    """A pause decode may commit its sentence only if the greedy pass before it heard the same words
    (all but its last, which a tick may have cut: "… on my s -"): two passes agreeing, as for any
    commit. No earlier pass (a short sentence between two ticks): the pause decode alone."""
    n = len(before)
    while n and not _key(before[n - 1]):
        n -= 1  # "-", "...": no word
    return _agrees_for(before[:n], words) >= min(len(words), n - 1)


def _prompt_plus(prompt: str, words: list[Word]) -> str:
    """The decoder's context with one more utterance, ended with a full stop if it has none: the
    prompt sets Whisper's style, and one unpunctuated final made every later turn unpunctuated
    (then "… address No, the parcel …" starts no sentence, and sentence-start rules miss it)."""
    text = " ".join(w.text for w in words).strip()
    if text and not _SENTENCE_END.search(text):
        text += "."
    return (prompt + " " + text).strip()


class _Passes:
    """WhisperStream's decodes and its window's cuts (a base class only to keep each class short).
    The state is WhisperStream's: see its __init__."""

    asr: WhisperASR
    buf: np.ndarray
    buf_t0: float
    speech_t: float
    silent_run: int
    last_loud: int
    since_decode: int
    key: int
    prompt: str
    done: list[Word]
    committed: list[Word]
    prev: list[Word]
    behind: bool
    short_window: bool
    commit_pauses: bool
    final_beam: int | None
    final_window_s: float
    pause_window_s: float | None
    # Whisper's temperature fallback in live decodes, off by default: a greedy partial cut mid-word
    # scores low and was decoded again up to 5 times by sampling (a 10.7 s final took 2.7 s); the
    # sampled text was no better and the stalls read as "running behind" on an idle machine. Latency
    # benchmark, idle, one run each: fallback on p95 1.01-1.49 s, CPU 0.46-0.49 s per audio second,
    # lag said up to 4.4 s; off p95 0.59 s, CPU 0.38, no lag, words lost 4.6 vs 4.4-6.2 %. Whole
    # files keep it (WhisperASR.transcribe's default).
    fallback: bool
    stats: dict[str, tuple[int, float, float]]
    _early_final: tuple[int, list[Word]] | None
    _pause_agrees: bool

    def _decode_final_early(self) -> None:
        """The final's decode, ahead of the end of the pause. A turn ends only after `pause_s` of
        silence, and its final (a beam-5 decode of the whole turn on the 30 s window: ~0.3-0.5 s on
        idle cores, more on busy ones) came after that: an end-of-turn phrase that only the final
        hears right waited for both. Decoded at `final_early` of silence, the final's audio is the
        same (it stops _TAIL after the last loud frame either way) and so are its words; if the
        speaker goes on instead, the decode is wasted and the turn's final is decoded again."""
        before = self.committed + self.prev
        self._early_final = (self.last_loud, self._final_decode(self.final_beam))
        self._pause_agrees = _agrees(before, self._early_final[1])

    def _final_decode(self, beam: int | None, window_s: float | None = None) -> list[Word]:
        window_s = self.final_window_s if window_s is None else window_s
        if self.behind:
            words = self._decode(beam_size=beam, trim=True)
        elif window_s > 0:
            words = self._decode(beam_size=beam, trim=True, min_window_s=window_s)
        else:
            words = self._decode(beam_size=beam, trim=True, short=False)
        return _without_ghosts(words) if self.commit_pauses else words

    def _decode(self, beam_size: int | None = None, trim: bool = False, short: bool = True,
                min_window_s: float = 5.0) -> list[Word]:
        audio = self.buf
        if trim and self.silent_run > _TAIL:
            # the closing pause: decoding it only invites a hallucinated word at the end
            audio = audio[: len(audio) - self.silent_run + _TAIL]
        context = _prompt_plus(self.prompt, self.done) if self.done else self.prompt
        t0 = time.perf_counter()
        words = self.asr.transcribe(audio, init_prompt=context[-200:], offset=self.buf_t0, vad=False,
                                    beam_size=beam_size, short=self.short_window and short,
                                    min_window_s=min_window_s, fallback=self.fallback)
        kind = "partial" if beam_size == 1 and not trim else "final"
        n, audio_s, wall_s = self.stats.get(kind, (0, 0.0, 0.0))
        self.stats[kind] = (n + 1, audio_s + len(audio) / RATE, wall_s + time.perf_counter() - t0)
        words = self._after_done(words)
        if words and words[0].start < self.speech_t - 0.05:
            # Whisper puts the first word at the window's start, i.e. in the lead-in silence (0.3 s
            # early); the audio says where the speech began.
            w = words[0]
            words[0] = Word(w.text, min(self.speech_t, w.end), w.end, w.prob)
        return words

    def _after_done(self, words: list[Word]) -> list[Word]:
        """A pass's first words that repeat the committed sentence's last ones, at the cut: the same
        words heard again at the window's start, not said twice."""
        for k in range(min(4, len(self.done), len(words)), 0, -1):
            if (words[k - 1].start < self.speech_t + 0.5
                    and [_key(w) for w in words[:k]] == [_key(w) for w in self.done[-k:]]):
                return words[k:]
        return words

    def _commit(self, frame: int) -> None:
        """The speaker goes on after a finished sentence: its words (decoded at the pause, beam search)
        are the turn's final text for it, and its audio leaves the window — later partials decode only
        the open sentence (a 10 s turn re-decoded whole every second fell behind even on idle cores),
        and the turn's final decodes only its last sentence. The turn stays one utterance (one key).
        The cut is in the pause itself, which the audio shows, not at a word time."""
        assert self._early_final is not None
        if not self.done:
            self._head, self._head_t0, self._head_speech_t = np.zeros(0, np.float32), self.buf_t0, self.speech_t
        self.done += self._early_final[1]
        self._head = np.concatenate([self._head, self.buf[:len(self.buf) - frame - min(self.silent_run, _FRAME)]])
        # the new frame after one frame of the pause: a longer lead-in holds the quiet end of the last
        # word, which Whisper heard again ("Right. Right. I see.")
        keep = frame + min(self.silent_run, _FRAME)
        self.buf_t0 += (len(self.buf) - keep) / RATE
        self.buf = self.buf[len(self.buf) - keep:]
        self.speech_t = self.buf_t0 + (keep - frame) / RATE
        self.committed, self.prev = [], []
        self._early_final = None
        self.since_decode = 0

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


class WhisperStream(_Passes):
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
                 final_beam: int | None = None, early_s: float = 0.15, cut_sentences: bool = False,
                 short_window: bool = True, vad: str = "energy", final_early_s: float = 0.3,
                 final_window_s: float = 10.0, commit_pauses: bool = True, partial_window_s: float = 5.0,
                 pause_beam: int | None = None, pause_window_s: float | None = None, final_whole_turn: bool = True, fallback: bool = False) -> None:
        self.asr = asr
        self.gate = speech_gate(vad, silence_rms)  # speech or silence, per 0.1 s frame
        self.short_window = short_window  # encode the window alone, not padded to 30 s (see _SHORT)
        self.final_beam = final_beam  # beam size of the closing decode (None: the ASR's default, 5)
        self.reuse_last_pass = reuse_last_pass  # always skip the final decode when it can (faster, rougher)
        self.live = live  # big blocks mean "behind" only for a live source
        self.behind = False
        self.hold_partials = False
        self.cut_sentences = cut_sentences
        # The decode at a pause is the final's decode (beam, final window), and a sentence it ends is
        # committed when the speaker goes on (see _commit): off = greedy at pauses, whole-turn windows
        self.commit_pauses = commit_pauses and not cut_sentences
        self.done: list[Word] = []
        # decodes so far, per kind ("partial": greedy ticks; "final": the pause's and the turn's):
        # (count, seconds of audio, wall seconds) — benchmarks/bench_latency.py prints them
        self.stats: dict[str, tuple[int, float, float]] = {}  # the open turn's sentences committed at pauses (final text)
        self.step = int(step_s * RATE)
        self.early = int(early_s * RATE)  # 0: no decode at short pauses, only every step_s
        # The final's decode, done ahead at this much silence (0: at the end of the pause, pause_s)
        self.final_early = int(final_early_s * RATE)
        # The final's encoder window (0: the usual 30 s; else the turn padded to at least this)
        self.final_window_s = final_window_s
        # A partial's encoder window: the audio padded to at least this. Alone, a finished sentence
        # decoded greedy on 5 s often looped ("No, I cannot do that for you. No, I cannot do that
        # for"), to the token bound: 0.74-0.82 s a sentence vs 0.34 s on 10 s (median of 10, load 3);
        # but in the live benchmark 10 s cost more (CPU 0.58 vs 0.50 s per audio second, p95 2.22 vs
        # 1.53 s, load 1.2-2.7; its partials of half a sentence ended in ". . . ."): 5 s stays.
        self.partial_window_s = partial_window_s
        self.pause_beam = pause_beam  # beam of the decode at a pause (None: the final's)
        self.pause_window_s = pause_window_s  # its encoder window (None: the final's)
        self.fallback = fallback  # Whisper's temperature fallback: off (see _Passes.fallback)
        self._early_final: tuple[int, list[Word]] | None = None  # (last_loud it heard, its words)
        self._pause_agrees = True  # the pause decode agrees with the greedy pass before it
        # the turn's audio cut off by commits (for final_whole_turn), its time and first loud frame's
        self.final_whole_turn = final_whole_turn
        self._head, self._head_t0, self._head_speech_t = np.zeros(0, np.float32), 0.0, 0.0
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
        self._quiet_tail = 0  # quiet samples at the end of the last loud frame (energy gate only)
        self._tail_of = getattr(self.gate, "quiet_tail", lambda frame: 0)

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
                elif self._commit_due():
                    self._commit(len(frame))
                self.speech_seen = True
                self.last_loud = self.total
                self.silent_run = 0
                self._quiet_tail = self._tail_of(frame)
                self.since_decode += len(frame)
                continue
            if not self.speech_seen:
                # keep a little lead-in only: nothing to decode in silence
                if len(self.buf) > _LEAD:
                    self.buf_t0 += (len(self.buf) - _LEAD) / RATE
                    self.buf = self.buf[-_LEAD:]
                continue
            # the pause began where the last loud frame went quiet, not at this frame (see quiet_tail)
            self.silent_run += len(frame) + (0 if self.silent_run else self._quiet_tail)
            self.since_decode += len(frame)
            if self.silent_run >= self.pause:
                out += self._close()
                due = False
            elif len(self.buf) > self.window:
                out += self._close()  # a very long turn: cut it rather than decode ever longer windows
                due = False
            elif self.early and self.silent_run >= self.early and self._pause_due():
                due = True  # a short pause after words not yet decoded: decode now, not at the next tick
        # Behind (several blocks at once), the tick's partial decodes are dropped — the ones at a
        # pause, where a phrase ends, are kept — and the audio is all scanned: that is the catch-up.
        # With commit_pauses a tick waits while the speaker is silent: a pause decode (beam) is due at
        # `early_s` and a greedy pass just before it only delayed it (the flag came ~1 s after the pause)
        tick = (self.since_decode >= self.step and not self.behind
                and not (self.commit_pauses and self.silent_run and self.early))
        if self.speech_seen and (due or tick) and not self.hold_partials:
            self.since_decode = 0
            # at a pause (not a batch in which the speaker went on again): the final's decode
            out += self._step(at_pause=self.commit_pauses and self.silent_run >= max(self.early, _FRAME))
        elif self._final_due():
            self._decode_final_early()
        return out

    def _pause_due(self) -> bool:
        """Words not decoded yet — or, with commit_pauses, not by the final's decode (a greedy tick
        that landed on the sentence's end does not stand for the beam pass at the pause)."""
        if self.commit_pauses:
            return self._early_final is None or self._early_final[0] != self.last_loud
        return self.last_loud > self.decoded_at

    def _final_due(self) -> bool:
        """Silent `final_early` after speech, no final decoded for these words yet, not behind."""
        return (self.speech_seen and 0 < self.final_early < self.pause and self.silent_run >= self.final_early
                and not self.behind and (self._early_final is None or self._early_final[0] != self.last_loud))

    def _step(self, at_pause: bool = False) -> list[Segment]:
        if at_pause:
            # A pause after words: decode them as the final would (beam search), show that and keep
            # it as the early final. Greedy partials mishear a turn's first words ("Hope, Philip will
            # arrive tomorrow"), and two passes agreeing on the mistake committed it: the flag waited
            # for the turn's final, 4-6 s on. On one sentence's window beam search is cheap.
            before = self.committed + self.prev
            words = self._final_decode(1 if self.behind else (self.pause_beam or self.final_beam),
                                       self.pause_window_s)
            self._early_final = (self.last_loud, words)
            self._pause_agrees = _agrees(before, words)
            self.committed, self.prev = [], []
        else:
            # partials are provisional: greedy is enough and cheaper
            words = self._decode(beam_size=1, min_window_s=self.partial_window_s)
        self.decoded_at = self.total
        cut = self.committed[-1].end - 0.05 if self.committed else -1.0
        new = words[len(self.committed):] if self._prefix_ok(words) else [w for w in words if w.start >= cut]
        agree = 0
        while agree < min(len(new), len(self.prev)) and _key(new[agree]) == _key(self.prev[agree]):
            agree += 1
        self.committed += new[:agree]
        self.prev = new[agree:]
        if at_pause and self._pause_agrees:
            self.committed, self.prev = new, []  # the beam pass stands until a later pass disagrees
        elif at_pause:
            # the greedy pass before heard other words: both are shown in turn and the next pass
            # decides by agreement (the beam pass alone heard "We get miss all the time", the greedy
            # pass "this"; committed, the mistake stayed and the flag never came)
            k = _agrees_for(before, new)
            self.committed, self.prev = new[:k], new[k:]
        out = self._cut_sentence() if self.cut_sentences else []
        allw = self.done + self.committed + self.prev
        if allw:
            # decoded while the speaker is silent (the decode at a pause): see Utterance.paused
            paused = self.silent_run >= max(self.early, _FRAME) and self.decoded_at >= self.last_loud
            out.append(Segment(self.key, allw, final=False, committed=len(self.done) + len(self.committed),
                               paused=paused))
        return out

    def _commit_due(self) -> bool:
        """Speech again after a pause whose decode (the final's) ended a sentence."""
        early = self._early_final
        return (self.commit_pauses and self.silent_run >= max(self.early, _FRAME) and early is not None
                and self._pause_agrees
                and early[0] == self.last_loud and bool(early[1]) and bool(_SENTENCE_END.search(early[1][-1].text)))

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
            words = self._whole_turn(beam) if self.final_whole_turn and self.done else self.done + words
            if words:
                out.append(Segment(self.key, words, final=True, committed=len(words)))
                self.key += 1
                self.prompt = _prompt_plus(self.prompt, words)
        # keep the trailing silence as the next lead-in
        keep = min(len(self.buf), _LEAD)
        self.buf_t0 += (len(self.buf) - keep) / RATE
        self.buf = self.buf[len(self.buf) - keep:]
        self.committed, self.prev, self.done = [], [], []
        self._early_final = None
        self.decoded_at = -1
        self.speech_seen = False
        self.silent_run = 0
        self.since_decode = 0
        return out

    def _whole_turn(self, beam: int | None) -> list[Word]:
        """`final_whole_turn`: the turn's final decoded over all its audio, as without commits (the
        sentence-by-sentence text lost more words against the whole file); the window is rejoined."""
        committed = self.done
        self.buf = np.concatenate([self._head, self.buf])
        self.buf_t0, self.speech_t, self.done = self._head_t0, self._head_speech_t, []
        return self._final_decode(beam) or committed

    def finish(self) -> list[Segment]:
        return self._close()
