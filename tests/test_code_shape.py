"""The shape issue 12 gave the code, kept: nothing below the command edge sees the command-line
parser's objects (a typed CallSpec goes down instead), and no class or function in assist/ grows
past what a reader takes in at once — except the ones named here, each with its reason."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assist"
CLASS_LINES = 250
FUNCTION_LINES = 60
# file:name -> why it may be longer
EXCEPTIONS = {
    "assist/engine/lexicon.py:parse_lexicon": "one pass of validation that names file, rule and field; "
                                              "owned by the lexicon work (issue 14), not split here",
    "assist/speech/diarize.py:split_mono": "the voice split's one pass (issue 15's work), not split here",
}


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_parser_objects_below_the_command_edge() -> None:
    edge = {PACKAGE / "cli.py"}
    found = []
    for p in _sources():
        if p in edge or (PACKAGE / "commands") in p.parents:
            continue
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bargparse\b|\bNamespace\b", line):
                found.append(f"{p.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_classes_and_functions_stay_readable() -> None:
    too_long = []
    for p in _sources():
        rel = p.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                limit = CLASS_LINES
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                limit = FUNCTION_LINES
            else:
                continue
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            if size > limit and f"{rel}:{node.name}" not in EXCEPTIONS:
                too_long.append(f"{rel}:{node.name} is {size} lines (limit {limit})")
    assert not too_long, "\n".join(too_long)


def test_the_exceptions_are_still_needed() -> None:
    sizes = {}
    for key in EXCEPTIONS:
        rel, name = key.split(":")
        for node in ast.walk(ast.parse((ROOT / rel).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                sizes[key] = (node.end_lineno or node.lineno) - node.lineno + 1
    assert all(sizes.get(k, 0) > FUNCTION_LINES for k in EXCEPTIONS), sizes
