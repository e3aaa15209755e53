"""A mono recording split into agent and customer by voice.

    stereo, info = split_mono(samples, 16000)     # stereo[0] agent, stereo[1] customer
    audio, info = split_call(load_call(path))     # a mono CallAudio -> a two-speaker CallAudio

The two-channel result has each sample on exactly one side (the other side is zero there), so the
whole-file and live pipelines run on it unchanged, as on a stereo recording.

How:
1. Speech regions: Silero VAD (the ONNX model faster-whisper ships; no extra download), split at
   pauses of 0.2 s or more — in a phone call most turn changes leave such a pause.
2. A voice embedding (assist.speech.voices: Resemblyzer's encoder) for each 1.6 s window of speech,
   windows every 0.4 s; a region shorter than a window gets one embedding of itself.
3. Two voices: spherical 2-means over the regions' mean embeddings (weighted by length), started from
   the two most different regions. Then every window is compared with the two voices, and a region
   in which one voice holds for a stretch (≥ 1.2 s of windows) while the other voice holds the rest
   is cut where it changes — turns taken without a pause.
   A piece under a second whose voice is unclear ("No," before a comma pause) goes with the speech
   it is glued to by a short pause (_glue_short).
4. The agent is the voice that opens the call (the first speech region): agents pick up and greet.
   `agent_first=False` makes it the other one.
5. One voice only (the recorder kept one side, or a voicemail): when the two clusters sound the same
   (centroid similarity ≥ ONE_VOICE_SIMILARITY) or the second has under MIN_SHARE of the speech,
   everything is the agent's and `info.voices == 1`.

Silence between regions goes to the speaker of the nearer region, so no word's edge is cut off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assist.speech.audio import RATE, CallAudio
from assist.speech.voices import HOP, PARTIAL_FRAMES, TARGET_DBFS, VoiceEncoder, mel_frames, shared_encoder

MIN_SILENCE_MS = 200
WINDOW_HOP_S = 0.4
MIN_WINDOW_S = 0.3
CHANGE_MIN_S = 1.2  # a voice must hold this long inside a region to cut the region there
# Two clusters whose centroids are this similar are one voice split by what was said. Set on the
# tuning calls at -30 dBFS: one voice 0.89-0.95, two similar voices (same accent, gender) 0.78-0.83.
ONE_VOICE_SIMILARITY = 0.87
SHORT_S = 1.0  # a piece shorter than this whose voice is unclear (margin under SHORT_MARGIN) …
SHORT_MARGIN = 0.05
GLUE_PAUSE_S = 0.3  # … goes with a neighbour it is this close to (see _glue_short)
MIN_SHARE = 0.04

SPEAKERS = ("agent", "customer")


@dataclass
class SplitInfo:
    """What split_mono decided, for the report (`call.speakers_by`, `call.voice_split`) and for tests."""

    speakers_by: str  # "voice" (two voices found, or one) — "forced"/"channels" are set by the caller
    voices: int  # 2, or 1 when the recording holds one voice only
    agent_is: str  # how the agent was chosen: "first voice" | "second voice" | "only voice"
    segments: list[tuple[float, float, str]] = field(default_factory=list)  # (start s, end s, speaker), speech only
    similarity: float | None = None  # cosine similarity of the two voices (1 = same)
    seconds: dict[str, float] = field(default_factory=dict)  # speech seconds per speaker
    cost_s: float = 0.0  # wall-clock seconds the split took

    def as_dict(self) -> dict[str, Any]:
        """The report's `call.voice_split` (segments left out: the utterances already say who spoke when)."""
        return {"voices": self.voices, "agent_is": self.agent_is,
                "similarity": None if self.similarity is None else round(self.similarity, 3),
                "speech_s": {k: round(v, 1) for k, v in self.seconds.items()},
                "segments": len(self.segments), "method": "silero-vad + resemblyzer voice embeddings, 2 clusters"}


def speech_regions(x: np.ndarray, rate: int = RATE, min_silence_ms: int = MIN_SILENCE_MS) -> list[tuple[int, int]]:
    """[(start, end) samples] of speech, by Silero VAD (faster-whisper's bundled model)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(x) < rate // 10:
        return []
    opts = VadOptions(threshold=0.5, min_speech_duration_ms=150, min_silence_duration_ms=min_silence_ms,
                      speech_pad_ms=30)
    return [(int(s["start"]), int(s["end"])) for s in get_speech_timestamps(np.asarray(x, np.float32), opts, rate)]


def _windows(region: tuple[int, int]) -> list[tuple[int, int]]:
    """1.6 s windows every 0.4 s over a region (sample ranges); the last one ends at the region's end."""
    s, e = region
    win, hop = PARTIAL_FRAMES * HOP, int(WINDOW_HOP_S * RATE)
    if e - s <= win:
        return [(s, e)]
    starts = list(range(s, e - win + 1, hop))
    if starts[-1] + win < e:
        starts.append(e - win)
    return [(a, a + win) for a in starts]


def _embed(enc: VoiceEncoder, mel: np.ndarray, wins: list[tuple[int, int]]) -> np.ndarray:
    """Embeddings of sample windows, cut from the whole call's mel frames (one frame per HOP samples)."""
    seqs = [mel[a // HOP:max(a // HOP + 1, b // HOP)] for a, b in wins]
    return enc.embed_mels(seqs)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def _two_means(emb: np.ndarray, weight: np.ndarray, iters: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Spherical 2-means, weighted; started from the two most different items. (labels, centroids)."""
    sim = emb @ emb.T
    long_enough = weight >= np.quantile(weight, 0.25)  # start from items long enough to trust
    cand = np.where(long_enough)[0] if long_enough.sum() >= 2 else np.arange(len(emb))
    sub = sim[np.ix_(cand, cand)]
    i, j = np.unravel_index(np.argmin(sub), sub.shape)
    cents = np.stack([emb[cand[i]], emb[cand[j]]])
    labels = np.zeros(len(emb), dtype=int)
    for _ in range(iters):
        new = np.argmax(emb @ cents.T, axis=1)
        for k in (0, 1):
            if (new == k).any():
                cents[k] = _unit((emb[new == k] * weight[new == k, None]).sum(axis=0))
        if (new == labels).all() and _ > 0:
            break
        labels = new
    return labels, cents


def _runs(labels: list[int]) -> list[tuple[int, int, int]]:
    """[(label, first index, last index + 1)] of consecutive equal labels."""
    runs: list[tuple[int, int, int]] = []
    for i, lab in enumerate(labels):
        if runs and runs[-1][0] == lab:
            runs[-1] = (lab, runs[-1][1], i + 1)
        else:
            runs.append((lab, i, i + 1))
    return runs


def _cut_region(region: tuple[int, int], wins: list[tuple[int, int]], wl: list[int], default: int) -> list[tuple[int, int, int]]:
    """A region's (start, end, voice) pieces: cut where the windows' voice changes and each side holds
    for CHANGE_MIN_S; otherwise the whole region is `default`'s (its voice as a whole)."""
    min_windows = max(2, int(round(CHANGE_MIN_S / WINDOW_HOP_S)))
    lab = list(wl)
    runs = _runs(lab)
    while len(runs) > 1:  # flip the shortest run to its neighbours' voice until every run is long enough
        k = min(range(len(runs)), key=lambda k: runs[k][2] - runs[k][1])
        v, a, b = runs[k]
        if b - a >= min_windows:
            break
        lab[a:b] = [1 - v] * (b - a)
        runs = _runs(lab)
    if len(runs) <= 1:
        return [(region[0], region[1], default)]
    pieces = []
    start = region[0]
    for (v, _a, b), nxt in zip(runs, [*runs[1:], None], strict=True):
        if nxt is None:
            end = region[1]
        else:  # the change: midway between the end of this run's last window and the next run's first start
            end = (wins[b - 1][1] + wins[nxt[1]][0]) // 2
            end = min(max(end, start + 1), region[1] - 1)
        pieces.append((start, end, v))
        start = end
    return pieces


def _glue_short(pieces: list[tuple[int, int, int]], cents: np.ndarray, enc: VoiceEncoder,
                mel: np.ndarray) -> list[tuple[int, int, int]]:
    """A short piece whose voice is unclear goes with the speech it is glued to.

    Under a second of speech ("No," "Okay.") gives a weak embedding. When it leans to neither voice
    (margin under SHORT_MARGIN) and a pause under GLUE_PAUSE_S, less than half the pause on its other
    side, ties it to a neighbour, it is that neighbour's: "No, | the line is fine" is one turn."""
    short = [i for i, (a, b, _v) in enumerate(pieces) if b - a < SHORT_S * RATE]
    if not short or len(pieces) < 2:
        return pieces
    emb = _embed(enc, mel, [(pieces[i][0], pieces[i][1]) for i in short])
    out = list(pieces)
    for e, i in zip(emb, short, strict=True):
        a, b, v = pieces[i]
        if abs(float(e @ cents[0] - e @ cents[1])) >= SHORT_MARGIN:
            continue
        before = (a - pieces[i - 1][1]) / RATE if i > 0 else float("inf")
        after = (pieces[i + 1][0] - b) / RATE if i + 1 < len(pieces) else float("inf")
        gap, j = (before, i - 1) if before < after else (after, i + 1)
        if gap < GLUE_PAUSE_S and gap < 0.5 * max(before, after):
            out[i] = (a, b, pieces[j][2])
    return out


def split_mono(samples: np.ndarray, rate: int = RATE, *, agent_first: bool = True,
               encoder: VoiceEncoder | None = None) -> tuple[np.ndarray, SplitInfo]:
    """A mono recording (float32 at 16 kHz) -> ((2, n) array: agent row 0, customer row 1), SplitInfo)."""
    t0 = time.perf_counter()
    if rate != RATE:
        raise ValueError(f"split_mono takes {RATE} Hz audio (assist.speech.audio.decode gives it), not {rate}")
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    n = len(x)
    stereo = np.zeros((2, n), dtype=np.float32)
    regions = [r for r in speech_regions(x, rate) if r[1] - r[0] >= int(MIN_WINDOW_S * RATE) // 2]
    if not regions:
        stereo[0] = x
        return stereo, SplitInfo("voice", 1, "only voice", [], None, {"agent": 0.0, "customer": 0.0},
                                 time.perf_counter() - t0)
    enc = encoder or shared_encoder()
    # The encoder was trained on speech at -30 dBFS and is not loudness-blind: bring the call's speech
    # there (both ways; on the tuning calls -30 separated voices best, -20 and -40 worse).
    speech = np.concatenate([x[a:b] for a, b in regions])
    xg = x * np.float32(10 ** (TARGET_DBFS / 20) / max(float(np.sqrt(np.mean(np.square(speech, dtype=np.float64)))), 1e-9))
    wins_of = [_windows(r) for r in regions]
    flat = [w for ws in wins_of for w in ws]
    mel = mel_frames(xg)
    emb = _embed(enc, mel, flat)
    owner = np.repeat(np.arange(len(regions)), [len(ws) for ws in wins_of])
    reg_emb = np.stack([_unit(emb[owner == k].mean(axis=0)) for k in range(len(regions))])
    reg_len = np.array([(b - a) / RATE for a, b in regions])

    if len(regions) >= 2:
        labels, cents = _two_means(reg_emb, reg_len)
    elif len(flat) >= 2:  # one long region: cluster its windows; the region as a whole is its majority
        wlab, cents = _two_means(emb, np.ones(len(flat)))
        labels = np.array([int(wlab.mean() >= 0.5)])
    else:
        labels, cents = np.zeros(1, dtype=int), np.stack([reg_emb[0], reg_emb[0]])
    # Regions in which both voices speak (a turn taken over the other's last words) pull the two
    # voices together; cutting them and re-estimating the voices from the pieces undoes that.
    win_mid = np.array([(a + b) / 2 for a, b in flat])
    pieces: list[tuple[int, int, int]] = []
    for _round in range(2):
        wl_all = np.argmax(emb @ cents.T, axis=1)
        pieces = []
        for k, (region, ws) in enumerate(zip(regions, wins_of, strict=True)):
            pieces += _cut_region(region, ws, [int(v) for v in wl_all[owner == k]], int(labels[k]))
        new = np.zeros_like(cents)
        for a, b, v in pieces:
            inside = (win_mid >= a) & (win_mid < b) & (wl_all == v)
            if inside.any():
                new[v] += emb[inside].mean(axis=0) * (b - a) / RATE
        if not (np.linalg.norm(new, axis=1) > 0).all():
            break
        cents = np.stack([_unit(c) for c in new])
        labels = np.argmax(reg_emb @ cents.T, axis=1)
    similarity = float(cents[0] @ cents[1])
    pieces = _glue_short(sorted(pieces), cents, enc, mel)
    plen = np.array([(b - a) / RATE for a, b, _ in pieces])
    plab = np.array([v for _, _, v in pieces])
    share = float(min(plen[plab == 0].sum(), plen[plab == 1].sum()) / max(plen.sum(), 1e-9))
    voices = 1 if (similarity >= ONE_VOICE_SIMILARITY or share < MIN_SHARE) else 2
    if voices == 1:
        pieces = [(a, b, 0) for a, b, _ in pieces]
        agent_label, agent_is = 0, "only voice"
    else:
        first = min(pieces)[2]
        agent_label = first if agent_first else 1 - first
        agent_is = "first voice" if agent_first else "second voice"
    pieces.sort()
    # every sample to one side: the silence between two pieces goes half to each neighbour
    bounds = [0] + [(pieces[i][1] + pieces[i + 1][0]) // 2 for i in range(len(pieces) - 1)] + [n]
    segments: list[tuple[float, float, str]] = []
    seconds = {"agent": 0.0, "customer": 0.0}
    for i, (a, b, v) in enumerate(pieces):
        ch = 0 if v == agent_label else 1
        stereo[ch, bounds[i]:bounds[i + 1]] = x[bounds[i]:bounds[i + 1]]
        segments.append((round(a / RATE, 2), round(b / RATE, 2), SPEAKERS[ch]))
        seconds[SPEAKERS[ch]] += (b - a) / RATE
    return stereo, SplitInfo("voice", voices, agent_is, segments, similarity, seconds, time.perf_counter() - t0)


def split_call(audio: CallAudio, *, agent_first: bool = True, encoder: VoiceEncoder | None = None) -> tuple[CallAudio, SplitInfo]:
    """A one-track CallAudio (a mono file) -> a two-speaker CallAudio, as if it had been stereo."""
    if len(audio.tracks) != 1:
        raise ValueError("split_call takes a mono recording (one track)")
    (track,) = audio.tracks.values()
    stereo, info = split_mono(track, RATE, agent_first=agent_first, encoder=encoder)
    return CallAudio({"agent": stereo[0], "customer": stereo[1]}, audio.source, speakers_by="voice",
                     voice_split=info.as_dict()), info
