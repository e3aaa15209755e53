"""User settings (company, agent name, lexicon, devices, engine, target call length, where reports go).

A small TOML file under the user's config dir (`ASSIST_CONFIG` overrides the path, which tests use).
Command-line options win over the file; the file wins over built-in defaults.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from assist.errors import InputError


def config_path() -> Path:
    env = os.environ.get("ASSIST_CONFIG")
    return Path(env) if env else Path(user_config_dir("assist")) / "config.toml"


def data_dir() -> Path:
    env = os.environ.get("ASSIST_DATA_DIR")
    return Path(env) if env else Path(user_data_dir("assist"))


ENGINES = ("", "vosk", "whisper")  # "" = automatic


@dataclass
class Config:
    company: str = ""
    agent_name: str = ""
    lexicon: str = "en"
    engine: str = ""  # "" = automatic (vosk if a model is installed for the language, else whisper)
    model: str = ""
    agent_device: str = ""
    customer_device: str = ""
    target_call_s: int = 300
    reports_dir: str = ""  # "" = <data dir>/reports
    db_url: str = ""  # "" = sqlite in the data dir
    redact: bool = True
    semantic: bool = True

    def reports_path(self) -> Path:
        return Path(self.reports_dir) if self.reports_dir else data_dir() / "reports"


def check_config(cfg: Config) -> None:
    """Values a setting can take beyond its type; InputError (without a file: the caller adds it)."""
    if cfg.engine not in ENGINES:
        raise InputError(f"setting 'engine' must be vosk or whisper (or empty for automatic), not {cfg.engine!r}")
    if not 0 < cfg.target_call_s <= 24 * 3600:
        raise InputError(f"setting 'target_call_s' must be seconds between 1 and 86400, not {cfg.target_call_s}")


def _settings_file_problem(path: Path) -> str | None:
    if path.is_dir():
        return "is a folder, not a settings file (ASSIST_CONFIG must name a .toml file)"
    return None


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    problem = _settings_file_problem(path)
    if problem:
        raise InputError(problem, path)
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"invalid settings file: {e}", path) from None
    except OSError as e:
        raise InputError(f"cannot read the settings file: {e.strerror}", path) from None
    known = {f.name: f for f in fields(Config)}
    kw: dict[str, Any] = {}
    for k, v in data.items():
        if k not in known:
            raise InputError(f"unknown setting {k!r}", path)
        default = getattr(Config(), k)
        if type(default) is not type(v) and not (isinstance(default, int) and isinstance(v, int)):
            raise InputError(f"setting {k!r} must be a {type(default).__name__}", path)
        kw[k] = v
    cfg = Config(**kw)
    try:
        check_config(cfg)
    except InputError as e:
        raise InputError(e.detail, path) from None
    return cfg


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def save_config(cfg: Config, path: Path | None = None) -> Path:
    """Validate and write the settings atomically; the old file stays as it was on any error."""
    check_config(cfg)
    path = path or config_path()
    problem = _settings_file_problem(path)
    if problem:
        raise InputError(problem, path)
    body = "# assist settings (edit here or in the app: assist settings)\n" + "".join(
        f"{k} = {_toml_value(v)}\n" for k, v in asdict(cfg).items())
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)  # atomic: a crash never leaves a half-written settings file
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise InputError(f"cannot write the settings file: {e.strerror}", path) from None
    return path
