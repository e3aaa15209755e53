"""The call spec: everything one call needs to know, typed and resolved once, at the command's edge.

    options = call_options(args)                 # assist/commands/options.py: the only reader of the parsed CLI
    spec = resolve_spec(options, load_config())  # here: the option, else the setting, else the default

Nothing below `assist/commands/` sees the command-line parser's objects; the session, pipeline, batch, UI and role-play take
a `CallSpec`. A spec is immutable and picklable (it travels to batch workers, and to a cluster's
workers, with the loaded lexicon inside it); `with_names()` and `dataclasses.replace` derive another.

Fields waiting for the work of other issues are here already, so that work plugs in without
reshaping the call: `language` (issue 16, `--language`), `hotwords` (issue 17: names and extra words
for the recogniser), `channels.mono_speaker = "voice"` (issue 15: split a mono recording by voice),
`redact` (issue 14, `--no-redact`), `store_url`, `embed_audio` (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assist.config import Config
from assist.engine.lexicon import Lexicon, load_lexicon, parse_lexicon
from assist.errors import InputError

MONO_SPEAKERS = ("agent", "customer", "voice")  # as assist.speech.audio.load_call takes them


@dataclass(frozen=True)
class CallOptions:
    """What the command line said about a call; None (or the default) where it said nothing."""

    source: str | None = None  # a recording or transcript; None: the microphone
    realtime: bool = False  # pace a recording as if live (the live path)
    speed: float = 1.0  # with realtime: this many times faster than real time (demos, tests)
    lexicon: str | None = None  # a path or a language code
    company: str | None = None
    agent_name: str | None = None
    engine: str | None = None  # vosk | whisper
    model: str | None = None  # a catalogue name or a folder
    language: str | None = None  # the recogniser's language (default: the lexicon's)
    hotwords: tuple[str, ...] = ()  # extra words the recogniser should expect (besides the names)
    semantic: bool | None = None  # False: --no-semantic
    redact: bool | None = None  # False: --no-redact
    store_url: str | None = None  # --db
    swap: bool = False  # stereo: customer left, agent right
    mono_speaker: str | None = None  # agent | customer | voice (split by voice); None: the default ("agent")
    channels: tuple[int, int] | None = None  # --channels A,C: (agent, customer) of a >2-channel recording
    agent_device: str | None = None
    customer_device: str | None = None
    embed_audio: bool = False  # HTML reports carry the recording inside the page


@dataclass(frozen=True)
class Channels:
    """Which speaker is on which channel of a recording (DESIGN.md: speakers and channels)."""

    swap: bool = False
    # Who a mono recording is: "agent" or "customer", or "voice" to split the two voices
    # (assist.speech.diarize). The default stays "agent" until the command line offers the split.
    mono_speaker: str = "agent"
    # (agent, customer) channel numbers (from 0) of a recording with more than two; None: mono/stereo
    pick: tuple[int, int] | None = None


@dataclass(frozen=True)
class Devices:
    agent: str | None = None  # None: the system's default input
    customer: str | None = None  # None: no second device (the agent's microphone only)


@dataclass(frozen=True)
class CallSpec:
    lexicon: Lexicon
    company: str | None = None
    agent_name: str | None = None
    source: str | None = None  # as given (reports name the file as the user typed it)
    realtime: bool = False
    speed: float = 1.0
    engine: str | None = None  # None: automatic (live prefers Vosk, recordings Whisper)
    model: str | None = None
    language: str = "en"
    extra_hotwords: tuple[str, ...] = ()
    semantic: bool = True
    redact: bool = True
    store_url: str | None = None  # None: the settings' db_url, else SQLite in the data dir (the store decides)
    channels: Channels = field(default_factory=Channels)
    devices: Devices = field(default_factory=Devices)
    embed_audio: bool = False
    reports_dir: Path = Path("reports")
    target_call_s: int = 300

    @property
    def hotwords(self) -> tuple[str, ...]:
        """Words the recogniser should expect: the names in the greeting first, then any extra."""
        return tuple(h for h in (self.company, self.agent_name, *self.extra_hotwords) if h)

    def with_names(self, company: str | None = None, agent_name: str | None = None) -> CallSpec:
        """The same call with these names (given ones only), e.g. answered on the first-run screen."""
        return replace(self, company=company or self.company, agent_name=agent_name or self.agent_name)

    # A lexicon's compiled patterns (RE2) do not pickle: the lexicon travels as the data it was
    # parsed from (Lexicon.raw, already validated) and is parsed again on arrival.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        lex: Lexicon = state.pop("lexicon")
        state["_lexicon_source"] = (lex.raw, str(lex.path), lex.sha256)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        raw, path, sha256 = state.pop("_lexicon_source")
        object.__setattr__(self, "lexicon", parse_lexicon(raw, Path(path), sha256))
        for k, v in state.items():
            object.__setattr__(self, k, v)


def _language(option: str | None, lexicon_language: str) -> str:
    from assist.speech.languages import call_language  # pure (no audio): normalises and checks the code

    return call_language(option, lexicon_language)


def resolve_spec(options: CallOptions, config: Config, *, scenario_lexicon: str | None = None,
                 scenario_company: str | None = None) -> CallSpec:
    """The one place where a call's settings are decided: the command-line option, else the
    settings file, else the built-in default. The lexicon is loaded (and validated) here, so a bad
    one is refused before any audio is decoded or model loaded.

    A role-play scenario is set at a company with its own lexicon: `scenario_lexicon` and
    `scenario_company` then stand where the settings' lexicon and company would."""
    if options.mono_speaker not in (None, *MONO_SPEAKERS):
        raise InputError(f"--mono-speaker must be voice, agent or customer, not {options.mono_speaker!r}")
    if options.speed <= 0:
        raise InputError(f"--speed must be above 0, not {options.speed}")
    lexicon = load_lexicon(options.lexicon or scenario_lexicon or config.lexicon or "en")
    if scenario_lexicon is not None:
        company = options.company or scenario_company or None
    else:
        company = options.company or config.company or None
    return CallSpec(
        lexicon=lexicon,
        company=company,
        agent_name=options.agent_name or config.agent_name or None,
        source=options.source or None,
        realtime=options.realtime,
        speed=options.speed,
        engine=options.engine or config.engine or None,
        model=options.model or config.model or None,
        language=_language(options.language, lexicon.language),
        extra_hotwords=tuple(h for h in options.hotwords if h),
        semantic=config.semantic if options.semantic is None else options.semantic,
        redact=config.redact if options.redact is None else options.redact,
        store_url=options.store_url or config.db_url or None,
        channels=Channels(swap=options.swap, mono_speaker=options.mono_speaker or "agent", pick=options.channels),
        devices=Devices(agent=options.agent_device or config.agent_device or None,
                        customer=options.customer_device or config.customer_device or None),
        embed_audio=options.embed_audio,
        reports_dir=config.reports_path(),
        target_call_s=config.target_call_s,
    )
