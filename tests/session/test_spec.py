"""The call spec is resolved in one place: the command-line option, else the setting, else the
default — for every field a call uses — and the result travels (pickled) to batch workers whole."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from assist.cli import make_parser
from assist.commands.options import call_options
from assist.config import Config
from assist.engine.coach import Coach
from assist.errors import InputError
from assist.session.spec import CallOptions, resolve_spec
from assist.transcript import Utterance

SETTINGS = Config(company="Initech", agent_name="Sam", lexicon="he", engine="vosk", model="m-from-settings",
                  agent_device="usb-headset", customer_device="loopback", db_url="sqlite:///settings.db",
                  redact=False, semantic=False, target_call_s=240, reports_dir="/tmp/assist-reports")


def test_defaults_when_nothing_is_given() -> None:
    spec = resolve_spec(CallOptions(), Config())
    assert spec.lexicon.language == "en" and spec.language == "en"
    assert (spec.company, spec.agent_name, spec.engine, spec.model) == (None, None, None, None)
    assert spec.semantic and spec.redact and spec.store_url is None
    assert (spec.channels.swap, spec.channels.mono_speaker) == (False, "agent")
    assert (spec.devices.agent, spec.devices.customer) == (None, None)
    assert spec.hotwords == () and spec.source is None and not spec.realtime


def test_settings_fill_what_the_command_line_left_out() -> None:
    spec = resolve_spec(CallOptions(), SETTINGS)
    assert spec.lexicon.language == "he" and spec.language == "he"
    assert (spec.company, spec.agent_name) == ("Initech", "Sam") and spec.hotwords == ("Initech", "Sam")
    assert (spec.engine, spec.model) == ("vosk", "m-from-settings")
    assert (spec.devices.agent, spec.devices.customer) == ("usb-headset", "loopback")
    assert not spec.semantic and not spec.redact and spec.store_url == "sqlite:///settings.db"
    assert spec.reports_dir == Path("/tmp/assist-reports") and spec.target_call_s == 240


def test_the_command_line_wins_over_the_settings() -> None:
    args = make_parser().parse_args(["replay", "call.ogg", "--lexicon", "en", "--company", "Acme", "--agent-name",
                                     "Dana", "--engine", "whisper", "--model", "whisper-tiny.en", "--swap",
                                     "--mono-speaker", "customer", "--realtime", "--speed", "2"])
    spec = resolve_spec(call_options(args), SETTINGS)
    assert spec.source == "call.ogg" and spec.realtime and spec.speed == 2.0
    assert spec.lexicon.language == "en" and (spec.company, spec.agent_name) == ("Acme", "Dana")
    assert (spec.engine, spec.model) == ("whisper", "whisper-tiny.en")
    assert spec.channels.swap and spec.channels.mono_speaker == "customer"
    args = make_parser().parse_args(["batch", "calls", "--out", "o", "--no-redact", "--no-semantic", "--db", "x.db"])
    spec = resolve_spec(call_options(args), Config())
    assert not spec.redact and not spec.semantic and spec.store_url == "x.db"
    args = make_parser().parse_args(["live", "--agent-device", "2", "--customer-device", "monitor"])
    spec = resolve_spec(call_options(args, realtime=True), SETTINGS)
    assert (spec.devices.agent, spec.devices.customer) == ("2", "monitor") and spec.source is None


def test_the_language_is_the_option_else_the_lexicons_normalised_and_checked() -> None:
    assert resolve_spec(CallOptions(lexicon="he"), Config()).language == "he"
    assert resolve_spec(CallOptions(lexicon="en", language="he-IL"), Config()).language == "he"
    args = make_parser().parse_args(["analyze", "call.txt", "--language", "iw"])
    assert resolve_spec(call_options(args), Config()).language == "he"
    with pytest.raises(InputError, match="unknown language code 'xx'"):
        resolve_spec(CallOptions(language="xx"), Config())


def test_a_role_play_takes_the_scenario_lexicon_and_company_not_the_settings() -> None:
    spec = resolve_spec(CallOptions(), SETTINGS, scenario_lexicon="en", scenario_company="Acme Telecom")
    assert spec.lexicon.language == "en" and spec.company == "Acme Telecom" and spec.agent_name == "Sam"
    spec = resolve_spec(CallOptions(company="Globex"), SETTINGS, scenario_lexicon="en", scenario_company="Acme")
    assert spec.company == "Globex"


def test_names_answered_later_and_extra_hotwords() -> None:
    spec = resolve_spec(CallOptions(hotwords=("broadband", "")), Config())
    assert spec.hotwords == ("broadband",)
    named = spec.with_names("Acme", "Dana")
    assert named.hotwords == ("Acme", "Dana", "broadband") and spec.company is None


def test_bad_values_are_one_line_input_errors() -> None:
    with pytest.raises(InputError, match="mono-speaker"):
        resolve_spec(CallOptions(mono_speaker="both"), Config())
    assert resolve_spec(CallOptions(mono_speaker="voice"), Config()).channels.mono_speaker == "voice"
    with pytest.raises(InputError, match="speed"):
        resolve_spec(CallOptions(speed=0.0), Config())
    with pytest.raises(InputError, match="no-such-lexicon"):
        resolve_spec(CallOptions(lexicon="no-such-lexicon"), Config())


def test_a_spec_travels_to_a_worker_whole() -> None:
    spec = resolve_spec(CallOptions(company="Acme", agent_name="Dana"), SETTINGS)
    back = pickle.loads(pickle.dumps(spec))
    assert replace(back, lexicon=spec.lexicon) == spec
    assert back.lexicon.sha256 == spec.lexicon.sha256 and back.lexicon.path == spec.lexicon.path
    assert [r.id for r in back.lexicon.rules] == [r.id for r in spec.lexicon.rules]
    # the lexicon arrives working: the same line gets the same flags
    line = Utterance(0, "agent", 0.0, 2.0, "No, that's not my job, I'll see what I can do.")
    assert [e.rule for e in Coach(back.lexicon).feed(line)] == [e.rule for e in Coach(spec.lexicon).feed(line)]
