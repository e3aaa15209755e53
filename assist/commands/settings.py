"""`assist settings` — show, change or edit the settings file (company, agent name, lexicon,
devices, engine, target call length, where reports go).

    assist settings                 # opens the settings screen (a terminal is needed)
    assist settings --show          # prints the file's path and values
    assist settings company=Acme agent_name=Dana target_call_s=240
"""

from __future__ import annotations

import argparse
from dataclasses import fields, replace
from typing import Any

from assist.config import Config, config_path, load_config, save_config
from assist.errors import InputError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("settings", help="show or change settings (company, agent name, engine, …)",
                       description="Without arguments, open the settings screen. KEY=VALUE pairs set values directly.")
    p.add_argument("pairs", nargs="*", metavar="KEY=VALUE", help="settings to change, e.g. company=Acme")
    p.add_argument("--show", action="store_true", help="print the settings file path and values")
    p.set_defaults(func=run)


def _parse(cfg: Config, pairs: list[str]) -> Config:
    known = {f.name: f for f in fields(Config)}
    kw: dict[str, Any] = {}
    for pair in pairs:
        key, sep, val = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep:
            raise InputError(f"expected KEY=VALUE, got {pair!r}")
        if key not in known:
            raise InputError(f"unknown setting {key!r} (known: {', '.join(known)})")
        default = getattr(Config(), key)
        if isinstance(default, bool):
            if val.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise InputError(f"setting {key!r} must be true or false")
            kw[key] = val.lower() in ("true", "yes", "1")
        elif isinstance(default, int):
            if not val.strip().isdigit():
                raise InputError(f"setting {key!r} must be a whole number")
            kw[key] = int(val)
        else:
            kw[key] = val
    return replace(cfg, **kw)


def run(args: argparse.Namespace) -> int:
    cfg = load_config()
    if args.pairs:
        path = save_config(_parse(cfg, args.pairs))
        print(f"saved {path}")
        return 0
    if args.show:
        print(f"# {config_path()}")
        for f in fields(Config):
            print(f"{f.name} = {getattr(cfg, f.name)!r}")
        return 0
    from textual.app import App

    from assist.ui.screens import SettingsScreen

    class _SettingsApp(App[int]):
        CSS_PATH = "../ui/app.tcss"

        def on_mount(self) -> None:
            self.push_screen(SettingsScreen(cfg), lambda c: self.exit(0))

    _SettingsApp().run()
    return 0
