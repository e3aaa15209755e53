"""assist.bidi: logical -> visual order for terminals that draw left to right, on mixed
Hebrew / English / numbers, width-safe for Rich and Textual cells; and the Markdown report of a
Hebrew call (dir="rtl", isolates)."""

from __future__ import annotations

import unicodedata

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from assist.bidi import (
    BidiText,
    direction,
    has_rtl,
    reorder_enabled,
    reorder_output,
    visual,
    visual_lines,
    visual_text,
    visual_text_lines,
    wrap_logical,
)
from assist.report.markdown import is_rtl_report, to_markdown

MIXED = [
    "שלום עולם",
    "הטכנאי יגיע ב-15:00",
    "ה-SLA שלנו הוא 99.9%",
    "Customer said שלום twice",
    "(ביום ה')",
    "אמרת ש-CRM לא עובד (שוב!) מאז 3/10?",
    "החיוב של 120 ש\"ח יוחזר עד יום חמישי, 14/11.",
    "זֶה לֹא הַתַּפְקִיד שֶׁלִּי",
    "\u200fשלום\u200e, the router",
    "I'll call you back on Thursday by 3 pm.",
]


@pytest.mark.parametrize("logical, shown", [
    ("שלום עולם", "םלוע םולש"),
    ("הטכנאי יגיע ב-15:00", "15:00-ב עיגי יאנכטה"),  # the time keeps its digit order
    ("ה-SLA שלנו הוא 99.9%", "99.9% אוה ונלש SLA-ה"),  # English and the number read left to right
    ("Customer said שלום twice", "Customer said םולש twice"),  # an English line stays left to right
    ("(ביום ה')", "('ה םויב)"),  # brackets mirrored: they still enclose the words
    ("אמרת ש-CRM לא עובד (שוב!) מאז 3/10?", "?3/10 זאמ (!בוש) דבוע אל CRM-ש תרמא"),
    ("\u200fשלום\u200e", "םולש"),  # direction marks gone
    ("I'll call you back on Thursday by 3 pm.", "I'll call you back on Thursday by 3 pm."),
])
def test_visual_order(logical: str, shown: str) -> None:
    assert visual(logical) == shown


@pytest.mark.parametrize("line", MIXED)
def test_same_cells_same_characters(line: str) -> None:
    """Width-safe: the visual line takes exactly the cells of the logical one (minus invisible
    marks), and holds the same characters (brackets may be mirrored)."""
    v = visual(line)
    clean = line.replace("\u200f", "").replace("\u200e", "")
    assert cell_len(v) == cell_len(clean)
    mirror = str.maketrans("()", "..")
    assert sorted(v.translate(mirror)) == sorted(clean.translate(mirror))


def test_niqqud_stays_on_its_letter() -> None:
    logical = "שָׁלוֹם"
    v = visual(logical)
    assert v == "םוֹלשָׁ"
    for i, ch in enumerate(v):
        if unicodedata.combining(ch):
            assert i > 0 and (unicodedata.combining(v[i - 1]) or v[i - 1].isalpha())
    assert cell_len(v) == cell_len(logical) == 4


def test_direction_and_detection() -> None:
    assert direction("הטכנאי יגיע ב-15:00") == "rtl"
    assert direction("15:00 הטכנאי") == "rtl"  # numbers are not strong: the first letter decides
    assert direction("the SLA הוא") == "ltr"
    assert direction("123") == "ltr"
    assert has_rtl("abc ש") and not has_rtl("abc 123")
    assert visual("שלום world", base="ltr") == "םולש world"
    assert visual("world שלום", base="rtl") == "םולש world"


def test_wrapping_happens_before_reordering() -> None:
    """A long Hebrew line wrapped for a narrow pane: the top line holds the start of the sentence,
    every line fits, and right-to-left lines are aligned to the right edge."""
    text = "הלקוח התקשר בפעם השלישית כי החיוב הכפול של 120 שקלים עדיין לא הוחזר, והוא ביקש לדבר עם מנהל"
    lines = visual_lines(text, 30)
    assert len(lines) > 1 and all(cell_len(x) == 30 for x in lines)
    assert lines[0].rstrip().endswith("חוקלה")  # "הלקוח", the first word, at the right end of line 1
    assert "120" in lines[1]  # numbers keep their order inside a reordered line
    logical = wrap_logical(text, 30)
    assert " ".join(logical) == text and all(cell_len(x) <= 30 for x in logical)
    assert [visual(x, base="rtl") for x in logical] == [x.lstrip() for x in lines]
    assert visual_lines("a short English line", 30) == ["a short English line"]


def test_a_word_longer_than_the_line_is_cut() -> None:
    assert wrap_logical("אאאאאאאאאא בב", 4) == ["אאאא", "אאאא", "אא", "בב"]


def test_rich_text_keeps_its_styles_on_the_same_words() -> None:
    t = Text("הלקוח אמר: ")
    t.append("זה לא התפקיד שלי", style="bold red")
    t.append(" (CRM)")
    v = visual_text(t)
    assert v.plain == visual(t.plain)
    styled = "".join(v.plain[s.start:s.end] for s in v.spans if "red" in str(s.style))
    assert styled == visual("זה לא התפקיד שלי")
    assert v.cell_len == t.cell_len


def test_rich_text_lines_render_in_a_console_at_the_right_width() -> None:
    t = Text("הטכנאי יגיע מחר בין 8 ל-12 ויתקין את ה-router החדש ", style="on blue")
    t.append("בחינם", style="bold")
    lines = visual_text_lines(t, 24)
    console = Console(width=24, record=True, color_system=None, legacy_windows=False)
    for line in lines:
        assert line.cell_len == 24
        console.print(line)
    exported = console.export_text()
    shown = exported.splitlines()
    assert shown[0].rstrip().endswith("יאנכטה") and len(shown) == len(lines)
    assert "router" in exported
    bold = [s for line in lines for s in line.spans if "bold" in str(s.style)]
    assert any(line.plain[s.start:s.end] == "םניחב" for line in lines for s in line.spans if "bold" in str(s.style))
    assert bold


def test_without_python_bidi_text_stays_logical(monkeypatch: pytest.MonkeyPatch) -> None:
    import assist.bidi as B

    monkeypatch.setattr(B, "available", lambda: False)
    B._reorder.cache_clear()
    try:
        assert B.visual("שלום עולם") == "שלום עולם"
    finally:
        B._reorder.cache_clear()


def test_the_switch_for_terminals_that_do_their_own_bidi() -> None:
    assert reorder_enabled({}) is True
    assert reorder_enabled({"ASSIST_BIDI": "logical"}) is False
    assert reorder_enabled({"ASSIST_BIDI": "visual"}) is True


def test_printed_text_is_visual_on_a_terminal_logical_in_a_pipe_unless_told() -> None:
    assert reorder_output(True, {}) is True and reorder_output(False, {}) is False
    assert reorder_output(True, {"ASSIST_BIDI": "logical"}) is False
    assert reorder_output(False, {"ASSIST_BIDI": "visual"}) is True


def _drawn(renderable: object, width: int) -> list[str]:
    c = Console(width=width, force_terminal=False, color_system=None)
    with c.capture() as cap:
        c.print(renderable)
    return cap.get().splitlines()


def test_bidi_text_wraps_at_the_width_it_is_given_then_reorders() -> None:
    line = "אני אחזור אליך ביום חמישי ב-3 pm, מספר 12345"
    drawn = _drawn(BidiText(line, enabled=True), 24)
    assert [x.rstrip() for x in drawn] == visual_lines(line, 24)
    assert drawn[0].rstrip().endswith("ינא")  # the sentence starts at the top right
    assert all(len(x.rstrip()) == 24 for x in drawn)  # right-aligned
    # a wrapped line of a right-to-left paragraph without Hebrew keeps the paragraph's direction
    assert _drawn(BidiText("עד 15:00.", enabled=True), 6)[1].strip() == ".15:00"
    # English, or reordering off: the Text as it was
    assert _drawn(BidiText("the router is fine", enabled=True), 10) == _drawn(Text("the router is fine"), 10)
    assert _drawn(BidiText(line, enabled=False), 24) == _drawn(Text(line), 24)


def test_bidi_text_in_a_compact_table_and_cut_lines() -> None:
    from rich.table import Table

    t = Table.grid()
    t.add_row("x", BidiText("שלום", enabled=True, fill=False))
    assert _drawn(t, 40) == ["xםולש"]  # measured by its words, the table stays compact
    # a no_wrap line is cut in logical order: the ellipsis at the end of the Hebrew, its start kept
    cut = _drawn(BidiText(Text("00:13 — “זה לא התפקיד שלי”", no_wrap=True), base="ltr", enabled=True), 14)
    assert cut == ["00:13 — “ל הז…"], cut


# ----------------------------------------------------------------------------- Markdown
def _report(language: str, texts: list[str]) -> dict:
    return {
        "schema": "assist.report/1",
        "call": {"source": "call.txt", "duration_s": 30.0, "language": language},
        "utterances": [{"index": i, "speaker": "agent", "start": float(i), "end": i + 1.0, "text": t}
                       for i, t in enumerate(texts)],
        "events": [{"type": "flag", "category": "not-my-job", "rule": "he.not-my-job", "utterance": 1,
                    "speaker": "agent", "start": 1.0, "end": 2.0, "match": "זה לא התפקיד שלי",
                    "suggestion": "אמצא את האדם הנכון ואשאר איתך עד שזה יסתדר.", "detector": "lexical"}],
        "checklist": {"callback": {"status": "done", "at": 2.0, "commitment": "ביום ה' ב-15:00"}},
        "metrics": {}, "score": 80,
    }


def test_markdown_of_a_hebrew_call_is_right_to_left_with_isolated_text() -> None:
    md = to_markdown(_report("he", ["שלום, כאן דנה", "זה לא התפקיד שלי", "אחזור אליך ביום ה' ב-15:00"]))
    assert md.startswith("# Call report — call.txt\n")
    assert '\n<div dir="rtl">\n\n' in md and md.rstrip().endswith("</div>")
    assert "\u2068זה לא התפקיד שלי\u2069" in md  # the match, isolated
    assert "Better: \u2068אמצא את האדם הנכון" in md
    assert "| callback | done | 0:02 | \u2068ביום ה' ב-15:00\u2069 |" in md
    assert md.count("\u2068") == md.count("\u2069")


def test_markdown_of_an_english_call_is_unchanged() -> None:
    r = _report("en", ["Hello, Acme, Dana speaking", "That's not my job", "I'll call you on Thursday at 3"])
    md = to_markdown(r)
    assert "dir=" not in md and "\u2068" not in md and not is_rtl_report(r)
    # a call whose language was not recorded but is mostly Hebrew is still right-to-left
    assert is_rtl_report(_report("", ["שלום", "מה שלומך", "hello"]))
