"""Suggestion templates: `{company}`, `{agent_name}`, `{customer_name}`, `{day}`, `{time}` filled
from the call and the lexicon's defaults (the next business day by the lexicon's weekend)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from assist.engine.lexicon import Lexicon


class Templates:
    def __init__(self, lexicon: Lexicon, company: str | None, agent_name: str | None, today: _dt.date) -> None:
        self.lexicon = lexicon
        self.company = company
        self.agent_name = agent_name
        self.today = today
        self._day_cache: tuple[tuple[Any, ...], str] | None = None

    def fill(self, template: str) -> str:
        d = self.lexicon.defaults
        values = {
            "company": self.company or d.get("company", "[company]"),
            "agent_name": self.agent_name or d.get("agent_name", "[your name]"),
            "customer_name": d.get("customer_name", ""),
            "day": self.next_business_day(),
            "time": d.get("time", "3 pm"),
        }
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template

    def next_business_day(self) -> str:
        # Asked for on every event's suggestion; the answer only changes with these inputs.
        d = self.lexicon.defaults
        key = (self.today, d.get("weekdays"), d.get("weekend"), d.get("day"))
        if self._day_cache is None or self._day_cache[0] != key:
            self._day_cache = (key, self._compute_next_business_day())
        return self._day_cache[1]

    def _compute_next_business_day(self) -> str:
        names = [x.strip() for x in self.lexicon.defaults.get("weekdays", "").split(",") if x.strip()]
        if len(names) != 7:
            return self.lexicon.defaults.get("day", "Thursday")
        # The weekend differs by country (Israel: Friday and Saturday); lexicons say which days.
        weekend = {5, 6}
        spec = self.lexicon.defaults.get("weekend")
        if spec is not None:  # validated at load (lexicon.py): digits 0-6, comma-separated
            weekend = {int(x) for x in spec.split(",") if x.strip()}
        day = self.today + _dt.timedelta(days=1)
        for _ in range(7):
            if day.weekday() not in weekend:
                break
            day += _dt.timedelta(days=1)
        return names[day.weekday()]
