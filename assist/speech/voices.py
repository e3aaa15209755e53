"""Speaker embeddings ("what this voice sounds like") for telling two voices apart in a mono call.

The encoder is Resemblyzer's: a 3-layer LSTM over 40-band mel frames (GE2E-trained on thousands of
speakers), 256-d L2-normalised embeddings, weights (17 MB) shipped inside the PyPI package
`resemblyzer`. We load those weights into the same network here instead of importing the package:
its `__init__` imports webrtcvad, whose module needs `pkg_resources`, which setuptools ≥ 81 no longer
has — so `import resemblyzer` fails on a current Python set-up although its model is fine. The mel
front end below is librosa's `melspectrogram` (Slaney mel, periodic Hann, centred frames with zero
padding) in plain numpy; tests/speech/test_diarize.py checks it against librosa itself.

Nothing is downloaded: the weights are a file of an installed package.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from assist.errors import AssistError

RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160  # the encoder's window: 1.6 s of frames
TARGET_DBFS = -30.0  # Resemblyzer's loudness normalisation (quiet audio is raised, never lowered)

INSTALL_HINT = "install the voice encoder: pip install 'assist[voices]' (the PyPI package resemblyzer)"


def weights_path() -> Path:
    """pretrained.pt inside the installed resemblyzer package, found without importing it."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise AssistError(f"telling voices apart in a mono recording needs a speaker model: {INSTALL_HINT}")
    p = Path(list(spec.submodule_search_locations)[0]) / "pretrained.pt"
    if not p.exists():
        raise AssistError(f"the resemblyzer package has no pretrained.pt ({p}): reinstall it")
    return p


@functools.cache
def _mel_basis() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): Slaney mel scale, Slaney area norm."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0

    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, dtype=np.float64)
        return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

    fft_f = np.fft.rfftfreq(N_FFT, 1.0 / RATE)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(RATE / 2)), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_f[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    w = np.maximum(0.0, np.minimum(lower, upper))
    w *= (2.0 / (mel_f[2:N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return w.astype(np.float32)


def mel_frames(wav: np.ndarray) -> np.ndarray:
    """(frames, 40) power mel spectrogram, as librosa.feature.melspectrogram(y, sr=16000, n_fft=400,
    hop_length=160, n_mels=40).T — one frame per 10 ms, frame i centred on sample i*160."""
    x = np.pad(np.asarray(wav, dtype=np.float32), N_FFT // 2)
    n = 1 + (len(x) - N_FFT) // HOP
    if n <= 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann
    out = np.empty((n, N_MELS), dtype=np.float32)
    block = 6000  # frames at a time (one minute): a 30-minute call never holds its whole STFT in memory
    for f0 in range(0, n, block):
        f1 = min(n, f0 + block)
        idx = np.arange(N_FFT)[None, :] + HOP * np.arange(f0, f1)[:, None]
        spec = np.abs(np.fft.rfft(x[idx] * window, axis=1)) ** 2
        out[f0:f1] = spec @ _mel_basis().T
    return out


def normalize_volume(wav: np.ndarray, target_dbfs: float = TARGET_DBFS) -> np.ndarray:
    """Raise quiet audio to `target_dbfs` RMS (never lower it), as Resemblyzer's preprocessing does."""
    r = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64)))) if len(wav) else 0.0
    if r <= 1e-9:
        return wav
    gain_db = target_dbfs - 20 * np.log10(r)
    return wav * np.float32(10 ** (gain_db / 20)) if gain_db > 0 else wav


class VoiceEncoder:
    """embed(windows of mel frames) -> L2-normalised 256-d voice embeddings. Load once, reuse."""

    def __init__(self, weights: Path | None = None, threads: int = 1) -> None:
        try:
            import torch
            from torch import nn
        except ImportError as e:
            raise AssistError(f"telling voices apart in a mono recording needs torch: {INSTALL_HINT}") from e
        self._torch = torch
        # One thread by default: the LSTM is small, batch runs one worker process per core, and on a
        # busy 2-core machine two torch threads spinning against each other ran 7x slower than one.
        self.threads = threads
        state = torch.load(weights or weights_path(), map_location="cpu", weights_only=True)["model_state"]
        self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
        self.linear = nn.Linear(256, 256)
        self.lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
        self.linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
        self.lstm.eval()
        self.linear.eval()

    def embed_mels(self, mels: np.ndarray | list[np.ndarray]) -> np.ndarray:
        """(batch, frames, 40), or a list of (frames_i, 40) of any lengths -> (batch, 256).
        Each embedding is the LSTM's last state after the window's own last frame (no padding seen)."""
        torch = self._torch
        from torch.nn.utils.rnn import pack_sequence

        seqs = [np.ascontiguousarray(m, dtype=np.float32) for m in mels]
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            out = self._run(seqs, pack_sequence)
        finally:
            torch.set_num_threads(before)
        return np.concatenate(out) if out else np.zeros((0, 256), dtype=np.float32)

    def _run(self, seqs: list[np.ndarray], pack_sequence: Any) -> list[Any]:
        torch = self._torch
        out: list[Any] = []
        with torch.inference_mode():
            for i in range(0, len(seqs), 64):
                batch = [torch.from_numpy(m) for m in seqs[i:i + 64]]
                same = len({len(m) for m in batch}) == 1
                packed = torch.stack(batch) if same else pack_sequence(batch, enforce_sorted=False)
                _, (hidden, _) = self.lstm(packed)
                e = torch.relu(self.linear(hidden[-1]))
                out.append((e / torch.norm(e, dim=1, keepdim=True).clamp_min(1e-9)).numpy())
        return out

    def embed_utterance(self, wav: np.ndarray, rate_per_s: float = 1.3) -> np.ndarray:
        """One embedding for a stretch of one voice: the mean of its 1.6 s windows (Resemblyzer's
        embed_utterance), L2-normalised."""
        mel = mel_frames(wav)
        step = max(1, int(round(RATE / rate_per_s / HOP)))
        starts = list(range(0, max(1, len(mel) - PARTIAL_FRAMES + 1), step))
        windows = np.stack([_fit(mel[s:s + PARTIAL_FRAMES]) for s in starts])
        e = self.embed_mels(windows).mean(axis=0)
        return (e / max(float(np.linalg.norm(e)), 1e-9)).astype(np.float32)


def _fit(m: np.ndarray) -> np.ndarray:
    """Exactly PARTIAL_FRAMES frames: zero-pad a short window at the end (as Resemblyzer pads audio)."""
    if len(m) >= PARTIAL_FRAMES:
        return m[:PARTIAL_FRAMES]
    return np.pad(m, ((0, PARTIAL_FRAMES - len(m)), (0, 0)))


@functools.cache
def shared_encoder() -> VoiceEncoder:
    """One encoder per process (batch workers split many files with it)."""
    return VoiceEncoder()
