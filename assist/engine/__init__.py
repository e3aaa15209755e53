"""The coaching core: lexicon, rules, checklist, metrics, score. No UI, no audio (DESIGN.md)."""
