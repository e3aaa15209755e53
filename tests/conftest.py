"""Suite-wide switches.

ASSIST_REQUIRE_ALL=1 (CI sets it): a skipped test is a failed test. Tests skip when something they
need is missing (PostgreSQL, espeak-ng, Chromium, the semantic model, an audio device); on a
developer's laptop that is a convenience, in CI it would be a green run that proved nothing.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

REQUIRE_ALL = os.environ.get("ASSIST_REQUIRE_ALL", "") not in ("", "0")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, and ASSIST_REQUIRE_ALL=1 forbids skips: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    # A whole module skipped at import (importorskip, allow_module_level) is a skip too.
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if REQUIRE_ALL and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, and ASSIST_REQUIRE_ALL=1 forbids skips: {reason}"


class Figures:
    """Measured figures a test wants in the CI log (accuracy tables and the like), printed in the
    terminal summary whether the test passed or failed."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, title: str, text: str) -> None:
        self.items.append((title, text))


_FIGURES = Figures()


@pytest.fixture(scope="session")
def figures() -> Figures:
    return _FIGURES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for title, text in _FIGURES.items:
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(text)
