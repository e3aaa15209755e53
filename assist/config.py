"""User settings (company, agent name, lexicon, devices, engine, target call length, where reports go).

A small TOML file under the user's config dir (`ASSIST_CONFIG` overrides the path, which tests use).
Command-line options win over the file; the file wins over built-in defaults.
"""

from __future__ import annotations

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


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"invalid settings file: {e}", path) from None
    known = {f.name: f for f in fields(Config)}
    kw: dict[str, Any] = {}
    for k, v in data.items():
        if k not in known:
            raise InputError(f"unknown setting {k!r}", path)
        default = getattr(Config(), k)
        if type(default) is not type(v) and not (isinstance(default, int) and isinstance(v, int)):
            raise InputError(f"setting {k!r} must be a {type(default).__name__}", path)
        kw[k] = v
    return Config(**kw)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def save_config(cfg: Config, path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "# assist settings (edit here or in the app: assist settings)\n" + "".join(
        f"{k} = {_toml_value(v)}\n" for k, v in asdict(cfg).items())
    tmp = path.with_suffix(".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)  # atomic: a crash never leaves a half-written settings file
    return path
