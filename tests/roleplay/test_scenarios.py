"""Scenario files: every shipped one validates; broken ones give one line naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.errors import InputError, LexiconError
from assist.roleplay.scenario import Scenario, list_scenarios, load_scenario, load_scenario_file

from .conftest import DATA, SHIPPED

GOOD = Path(__file__).resolve().parents[2] / "lexicon" / "scenarios" / "double-billing.toml"


def test_shipped_scenarios_validate_and_cover_the_issue(scenarios: dict[str, Scenario]) -> None:
    assert set(scenarios) == set(SHIPPED)
    en = [s for s in scenarios.values() if s.language == "en"]
    he = [s for s in scenarios.values() if s.language == "he"]
    assert len(en) >= 6 and len(he) >= 2
    for s in scenarios.values():
        assert s.opening and s.lines["neutral"] and s.lines["calmer"] and s.lines["angrier"]
        assert set(s.end) == {"satisfied", "hangup", "timeout"}
        assert s.goals and s.persona.anger_limit > s.start_anger
        # every scenario has answers for the tests below
        assert (DATA / f"{s.id}.good.txt").exists() and (DATA / f"{s.id}.bad.txt").exists()


def test_load_by_id_and_by_path() -> None:
    assert load_scenario("double-billing").id == "double-billing"
    assert load_scenario(str(GOOD)).title == "Angry customer charged twice"
    with pytest.raises(InputError, match="no such scenario 'nope'.*double-billing"):
        load_scenario("nope")


def _broken(tmp_path: Path, old: str, new: str, name: str = "double-billing") -> Path:
    text = GOOD.read_text(encoding="utf-8")
    assert old in text, old
    p = tmp_path / f"{name}.toml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("old,new,field,words", [
    ('mood = "angry"', 'mood = "grumpy"', "persona.mood", "unknown mood 'grumpy'"),
    ('opening = "Finally!', 'openin = "Finally!', "openin", "unknown field"),
    ('expected = ["greeting", "empathy", "callback"]', 'expected = ["greeting", "smile"]', "goals.expected",
     "unknown checklist item 'smile'"),
    ('time_limit_s = 300', 'time_limit_s = "five minutes"', "time_limit_s", "must be a number"),
    ('anger_limit = 6', 'anger_limit = 2', "persona.anger_limit", "above the starting anger"),
    ('[lines]\nneutral = [', '[lines]\nneutrl = [', "lines.neutrl", "unknown field"),
    ('commitments = ["(?:i have', 'commitments = ["((?:i have', "goals.commitments[0]", "bad regular expression"),
    ('satisfied = "Okay, that', 'satisfied = 3 #', "end.satisfied", "non-empty string"),
    ('id = "double-billing"', 'id = "double billing"', "id", "lowercase"),
    ('calmer = [\n', 'calmer = [ "",\n', "lines.calmer[0]", "non-empty string"),
])
def test_broken_field_is_named(tmp_path: Path, old: str, new: str, field: str, words: str) -> None:
    p = _broken(tmp_path, old, new)
    with pytest.raises(LexiconError) as ei:
        load_scenario_file(p)
    msg = str(ei.value)
    assert msg.startswith(f"{p}: field {field!r}: "), msg
    assert words in msg and "\n" not in msg


def test_missing_table_and_lines(tmp_path: Path) -> None:
    p = tmp_path / "x.toml"
    p.write_text('id = "x"\ntitle = "X"\nlanguage = "en"\nopening = "hi"\n', encoding="utf-8")
    with pytest.raises(LexiconError, match=r"x.toml: field 'persona': missing table"):
        load_scenario_file(p)
    p = _broken(tmp_path, 'angrier = [', 'other = [')
    with pytest.raises(LexiconError, match="field 'lines.other': unknown field"):
        load_scenario_file(p)


def test_bad_toml_and_id_mismatch(tmp_path: Path) -> None:
    p = tmp_path / "double-billing.toml"
    p.write_text('id = "double-billing"\ntitle = \n', encoding="utf-8")
    with pytest.raises(LexiconError, match="double-billing.toml: invalid TOML"):
        load_scenario_file(p)
    p = _broken(tmp_path, 'x', 'x', name="renamed")
    with pytest.raises(LexiconError, match="renamed.toml: field 'id': 'double-billing' must match the file name"):
        load_scenario_file(p)


def test_one_broken_file_stops_the_list(tmp_path: Path) -> None:
    _broken(tmp_path, 'mood = "angry"', 'mood = 5')
    with pytest.raises(LexiconError, match="field 'persona.mood'"):
        list_scenarios(tmp_path)
