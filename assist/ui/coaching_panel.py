"""The side of the call screen: the coaching card, the checklist and the earlier cards, kept in
agreement. Which card shows and which goes to "Earlier" is decided here, from the coach's events:
a newer card pushes the shown one down; a retracted flag leaves (the newest earlier card comes
back up); a checklist item done clears the cards that asked for it."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical

from assist.engine.events import Event
from assist.ui.widgets import CardItem, ChecklistView, CoachingCard, FlagHistory, card_worthy


class CoachingPanel(Vertical):
    def compose(self) -> ComposeResult:
        yield CoachingCard(id="card")
        yield ChecklistView(id="checklist")
        yield FlagHistory(id="history")

    @property
    def card(self) -> CoachingCard:
        return self.query_one("#card", CoachingCard)

    @property
    def checklist(self) -> ChecklistView:
        return self.query_one("#checklist", ChecklistView)

    @property
    def history(self) -> FlagHistory:
        return self.query_one("#history", FlagHistory)

    def event(self, ev: Event) -> None:
        """A flag, cue, checklist change or suggestion from the coach."""
        self.checklist.apply(ev)
        if ev.type == "checklist" and ev.data.get("status") in ("done", "not-needed"):
            self.settle(str(ev.data.get("item", ev.category)))
        if card_worthy(ev):
            item = CardItem.from_event(ev)
            cur = self.card.item
            if cur is not None and cur.id != item.id:
                self.history.push(cur)
            self.card.item = item

    def retract(self, ev: Event) -> None:
        """A flag the final text did not bear out leaves the card and the history."""
        cur = self.card.item
        if cur is not None and cur.id == ev.id:
            nxt = self.history.items[0] if self.history.items else None
            if nxt is not None:
                self.history.remove_id(nxt.id)
            self.card.item = nxt
        else:
            self.history.remove_id(ev.id)

    def settle(self, item: str) -> None:
        """A checklist item was just done: the cards that asked for it ("Empathy: due now") are
        answered, so they leave the card and the history instead of contradicting the checklist."""
        def asked(i: CardItem) -> bool:
            return i.category == item and i.kind == "checklist" and i.status == "pending"

        for old in [i for i in self.history.items if asked(i)]:
            self.history.remove_id(old.id)
        cur = self.card.item
        if cur is not None and (asked(cur) or (cur.category == item and cur.kind == "suggest")):
            self.card.item = None

    def final_checklist(self, checklist: dict[str, Any]) -> None:
        """The report's checklist is the engine's last word: it also decides items no event settled
        during the call ("not-needed" empathy, a callback never promised)."""
        self.checklist.set_state(checklist)
        for item, d in checklist.items():
            if isinstance(d, dict) and d.get("status") in ("done", "not-needed"):
                self.settle(item)

    def reset(self) -> None:
        self.card.reset()
        self.history.reset()
        self.checklist.reset()
