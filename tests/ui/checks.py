"""Checks of what the agent's screen shows, shared by the UI tests (fake and real pipelines)."""

from __future__ import annotations

from assist.ui.app import AssistApp


def assert_card_agrees_with_checklist(app: AssistApp) -> None:
    """A checklist item ticked done must not sit next to a card (or an "Earlier" line) that still
    asks for it — the screen once said "✓ empathy done" beside "Empathy: due now"."""
    screen = app.call
    card = screen.card.item
    for item in ("greeting", "empathy", "callback"):
        if screen.checklist.status(item) != "done":
            continue
        # "due now" anywhere; "say it now" on the card (in the history it is a dated record of a miss)
        asking = [i.title for i in screen.history.items if i.category == item and i.kind == "checklist"
                  and i.status == "pending"]
        if card is not None and card.category == item and (card.kind == "suggest" or card.status == "pending"):
            asking.append(card.title)
        assert not asking, f"checklist says {item} done, the screen still asks for it: {asking}"
