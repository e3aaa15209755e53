"""The call history against SQLite and a real PostgreSQL server: round trip, filters, resumability
(no duplicates), redaction of stored text, transactions, migrations, aggregates."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from assist.errors import AssistError, InputError
from assist.store import open_store, schema
from assist.store.store import Store

CARD = "4111 1111 1111 1111"  # passes Luhn
PHONE = "+44 20 7946 0958"
EMAIL = "dana.smith@example.com"
SSN = "078-05-1120"


def make_report(agent: str = "Dana", score: int = 80, flags: tuple[str, ...] = ("vague-promise",),
                source: str = "call.wav", greeting: str = "done", extra_text: str = "") -> dict[str, Any]:
    utts = [
        {"index": 0, "speaker": "agent", "start": 0.4, "end": 3.1, "text": "thank you for calling acme this is dana"},
        {"index": 1, "speaker": "customer", "start": 3.5, "end": 8.0, "text": f"my card is {CARD} {extra_text}"},
        {"index": 2, "speaker": "agent", "start": 8.5, "end": 11.0, "text": "i'll see what i can do"},
    ]
    events = [{"type": "flag", "category": c, "rule": f"en.{c}", "utterance": 2, "speaker": "agent", "start": 8.5,
               "end": 11.0, "match": "i'll see what i can do", "suggestion": "I'll call you back on Thursday.",
               "severity": "warning", "detector": "lexical"} for c in flags]
    events.append({"type": "cue", "category": "customer-frustration", "rule": "en.cue", "utterance": 1,
                   "speaker": "customer", "start": 3.5, "end": 8.0, "match": "ridiculous", "suggestion": "",
                   "severity": "info", "detector": "lexical"})
    return {"schema": "assist.report/1",
            "call": {"source": source, "duration_s": 61.0, "language": "en", "company": "Acme", "agent_name": agent},
            "utterances": utts, "events": events,
            "checklist": {"greeting": {"status": greeting, "at": 0.4}, "empathy": {"status": "missed", "required_at": 8.0},
                          "callback": {"status": "done", "at": 9.0, "commitment": "Thursday"}},
            "metrics": {"agent_talk_ratio": 0.58, "agent_wpm": 162, "silence_s": 4.2, "overtalk_s": 0.0},
            "score": score, "future_field": {"kept": True}}


@pytest.fixture
def store(db_url: str) -> Any:
    s = open_store(db_url)
    yield s
    s.close()


def test_round_trip_and_summary(store: Store) -> None:
    rep = make_report()
    cid = store.save_call(rep, kind="batch", content_hash="h1", lexicon_hash="L", redact=False)
    got = store.get_report(cid)
    assert got["utterances"] == rep["utterances"] and got["events"] == rep["events"]
    assert got["future_field"] == {"kept": True}  # fields the store does not know survive
    [s] = store.list_calls()
    assert (s.id, s.kind, s.agent_name, s.source, s.score, s.duration_s) == (cid, "batch", "Dana", "call.wav", 80, 61.0)
    assert isinstance(s.created_at, datetime)
    assert json.loads(json.dumps(s.to_dict()))["created_at"].endswith("Z")
    with pytest.raises(InputError, match="no call with id 999"):
        store.get_report(999)


def test_normalised_rows_are_written(store: Store) -> None:
    cid = store.save_call(make_report(flags=("vague-promise", "jargon")), kind="live")
    with store.engine.connect() as c:
        n = {t.name: c.execute(select(t).where(t.c.call_id == cid)).all()
             for t in (schema.utterances, schema.events, schema.checklist, schema.metrics)}
    assert len(n["utterances"]) == 3 and len(n["events"]) == 3
    assert {r.item: r.status for r in n["checklist"]} == {"greeting": "done", "empathy": "missed", "callback": "done"}
    assert {r.name for r in n["metrics"]} == {"agent_talk_ratio", "agent_wpm", "silence_s", "overtalk_s"}


def test_filters(store: Store) -> None:
    t0 = datetime(2026, 11, 1, 9, 0)
    a = store.save_call(make_report("Dana"), kind="batch", created_at=t0)
    b = store.save_call(make_report("Omar"), kind="live", created_at=t0 + timedelta(days=3))
    c = store.save_call(make_report("Dana"), kind="roleplay", scenario="refund", created_at=t0 + timedelta(days=5))
    assert [x.id for x in store.list_calls()] == [c, b, a]  # newest first
    assert [x.id for x in store.list_calls(agent="Dana")] == [c, a]
    assert [x.id for x in store.list_calls(since="2026-11-04")] == [c, b]
    assert [x.id for x in store.list_calls(since=datetime(2026, 11, 4, 9, 0))] == [c, b]
    assert [x.id for x in store.list_calls(kind="live")] == [b]
    assert [x.id for x in store.list_calls(scenario="refund")] == [c]
    assert store.list_calls(agent="Nobody") == []
    with pytest.raises(InputError, match="not a date"):
        store.list_calls(since="last tuesday")


def test_same_content_and_lexicon_is_one_call(store: Store) -> None:
    rep = make_report()
    first = store.save_call(rep, kind="batch", content_hash="abc", lexicon_hash="L1")
    assert store.has_call("abc", "L1") and not store.has_call("abc", "L2") and not store.has_call("zzz", "L1")
    assert store.save_call(rep, kind="batch", content_hash="abc", lexicon_hash="L1") == first
    other = store.save_call(rep, kind="batch", content_hash="abc", lexicon_hash="L2")  # new lexicon: new score
    assert other != first
    # live calls have no content hash and are all kept
    store.save_call(rep, kind="live")
    store.save_call(rep, kind="live")
    assert store.count_calls() == 4


def test_stored_text_is_redacted(store: Store) -> None:
    rep = make_report(extra_text=f"call me on {PHONE} or mail {EMAIL}, ssn {SSN}")
    cid = store.save_call(rep, kind="replay")
    secrets = ("4111", "7946", "dana.smith", "example.com", "078-05")
    with store.engine.connect() as c:
        raw = c.execute(select(schema.calls.c.report_json).where(schema.calls.c.id == cid)).scalar_one()
        texts = " ".join(c.execute(select(schema.utterances.c.text)).scalars())
    for s in secrets:
        assert s not in raw and s not in texts, s
    assert "[card]" in texts and "[phone]" in texts and "[email]" in texts and "[id]" in texts
    got = store.get_report(cid)
    assert got["call"]["redacted"] is True and "[card]" in got["utterances"][1]["text"]
    assert rep["utterances"][1]["text"].startswith("my card is 4111")  # the caller's dict is untouched
    # opting out keeps the words
    raw_id = store.save_call(rep, kind="replay", redact=False)
    assert CARD in store.get_report(raw_id)["utterances"][1]["text"]


def test_a_failed_save_leaves_nothing(store: Store) -> None:
    bad = make_report()
    bad["utterances"].append(copy.deepcopy(bad["utterances"][0]))  # duplicate index: the child insert fails
    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError type differs per database
        store.save_call(bad, kind="live")
    assert store.count_calls() == 0
    with store.engine.connect() as c:
        assert c.execute(select(schema.utterances)).all() == []
    store.save_call(make_report(), kind="live")  # and the store still works
    assert store.count_calls() == 1


def test_migrations_upgrade_an_old_database(db_url: str) -> None:
    old = open_store(db_url, migrate=False)
    assert old.schema_version() == 0
    assert old.migrate(target=1) == [1]
    assert old.schema_version() == 1
    cid = old.save_call(make_report(), kind="batch", content_hash="x", lexicon_hash="y")
    names = {ix["name"] for ix in inspect(old.engine).get_indexes("calls")}
    assert "ix_calls_agent_created" not in names
    old.close()
    new = open_store(db_url)  # opening upgrades, keeping the data
    assert new.schema_version() == schema.LATEST == 2
    assert {ix["name"] for ix in inspect(new.engine).get_indexes("calls")} >= {"ix_calls_agent_created",
                                                                              "ix_calls_created"}
    assert new.get_report(cid)["score"] == 80
    assert new.migrate() == []  # idempotent
    with new.engine.begin() as c:
        c.execute(text("INSERT INTO assist_schema (version, applied_at, description) VALUES (99, :t, 'future')"),
                  {"t": datetime(2030, 1, 1)})
    new.close()
    with pytest.raises(AssistError, match="newer than this assist understands"):
        open_store(db_url)


def test_aggregates(store: Store) -> None:
    store.save_call(make_report("Dana", 80, ("vague-promise",)), kind="batch")
    store.save_call(make_report("Dana", 60, ("vague-promise", "jargon"), greeting="missed"), kind="batch")
    store.save_call(make_report("Omar", 90, ()), kind="live")
    agg = store.aggregates()
    by_agent = {r["agent"]: r for r in agg["by_agent"]}
    assert by_agent["Dana"]["calls"] == 2 and by_agent["Dana"]["avg_score"] == pytest.approx(70.0)
    assert by_agent["Omar"]["calls"] == 1 and by_agent["Omar"]["avg_score"] == pytest.approx(90.0)
    cats: dict[str, int] = {}
    for r in agg["by_category"]:
        cats[r["category"]] = cats.get(r["category"], 0) + r["count"]
    assert cats == {"vague-promise": 2, "jargon": 1, "customer-frustration": 3}
    greet = {(r["agent"], r["status"]): r["count"] for r in agg["checklist"] if r["item"] == "greeting"}
    assert greet == {("Dana", "done"): 1, ("Dana", "missed"): 1, ("Omar", "done"): 1}
    assert len(agg["points"]) == 3
    only = store.aggregates(agent="Omar")
    assert [r["agent"] for r in only["by_agent"]] == ["Omar"]
    assert sum(r["count"] for r in only["by_category"]) == 1


def test_bad_urls_are_one_line_errors(tmp_path: Any) -> None:
    with pytest.raises(InputError, match="not a database URL|cannot use"):
        open_store("nosuchdialect://x/y")
    with pytest.raises(AssistError, match="cannot open the call history") as ei:
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "\n" not in str(ei.value)
    # a bare path is a SQLite file
    s = open_store(str(tmp_path / "sub" / "h.db"))
    assert s.engine.dialect.name == "sqlite" and (tmp_path / "sub" / "h.db").exists()
    s.close()
