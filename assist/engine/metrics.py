"""Call metrics from utterance times: talk ratio, pace, silence, overtalk, longest monologue."""

from __future__ import annotations

from collections.abc import Iterable

from assist.transcript import Utterance

# Agent utterances separated by less than this (and no customer speech) are one monologue.
MONOLOGUE_GAP_S = 2.0


def _union(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _total(iv: list[tuple[float, float]]) -> float:
    return sum(b - a for a, b in iv)


def _intersection(x: list[tuple[float, float]], y: list[tuple[float, float]]) -> float:
    i = j = 0
    tot = 0.0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if b > a:
            tot += b - a
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return tot


def compute_metrics(utts: list[Utterance], duration_s: float | None = None) -> dict[str, float | int | None]:
    agent = _union((u.start, u.end) for u in utts if u.speaker == "agent")
    cust = _union((u.start, u.end) for u in utts if u.speaker == "customer")
    speech = _union(agent + cust)
    a_time, c_time = _total(agent), _total(cust)
    end = max([duration_s or 0.0] + [u.end for u in utts])
    start = 0.0
    agent_words = sum(len(u.text.split()) for u in utts if u.speaker == "agent")
    # Silence counts gaps of over a second: shorter ones are ordinary breathing between words.
    silence = 0.0
    t = start
    for a, b in speech:
        if a - t > 1.0:
            silence += a - t
        t = max(t, b)
    if end - t > 1.0:
        silence += end - t
    longest = 0.0
    run_start: float | None = None
    run_end = 0.0
    for u in sorted(utts, key=lambda x: x.start):
        if u.speaker != "agent" or (run_start is not None and u.start - run_end > MONOLOGUE_GAP_S):
            if run_start is not None:
                longest = max(longest, run_end - run_start)
            run_start = None
            if u.speaker != "agent":
                continue
        if run_start is None:
            run_start, run_end = u.start, u.end
        else:
            run_end = max(run_end, u.end)
    if run_start is not None:
        longest = max(longest, run_end - run_start)
    return {
        "agent_talk_ratio": round(a_time / (a_time + c_time), 2) if a_time + c_time > 0 else None,
        "agent_wpm": round(agent_words / (a_time / 60.0)) if a_time > 0 else None,
        "silence_s": round(silence, 1),
        "overtalk_s": round(_intersection(agent, cust), 1),
        "longest_agent_monologue_s": round(longest, 1),
        "agent_speech_s": round(a_time, 1),
        "customer_speech_s": round(c_time, 1),
        "agent_words": agent_words,
    }
