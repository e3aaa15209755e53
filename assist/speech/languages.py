"""The language of a call, as the recogniser needs it.

`call_language(option, lexicon_language)` is what the command edge calls: the `--language` option
if given, else the lexicon's language, normalised ("he-IL", "HE", the old code "iw" -> "he") and
checked against the languages Whisper knows, so a typo is one line of bad input before any model
loads, not a traceback from the decoder half-way through a call.
"""

from __future__ import annotations

from assist.errors import InputError

# Whisper's language codes (openai/whisper tokenizer.py, the same list faster-whisper carries),
# with the English names used in messages for the ones this tool ships lexicons or models for.
WHISPER_CODES = frozenset([
    "af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy", "da", "de", "el",
    "en", "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw", "he", "hi", "hr", "ht", "hu", "hy",
    "id", "is", "it", "ja", "jw", "ka", "kk", "km", "kn", "ko", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi",
    "mk", "ml", "mn", "mr", "ms", "mt", "my", "ne", "nl", "nn", "no", "oc", "pa", "pl", "ps", "pt", "ro", "ru",
    "sa", "sd", "si", "sk", "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl",
    "tr", "tt", "uk", "ur", "uz", "vi", "yi", "yo", "yue", "zh"
])
NAMES = {"en": "English", "he": "Hebrew", "ar": "Arabic", "ru": "Russian", "ko": "Korean", "fr": "French",
         "es": "Spanish", "de": "German", "am": "Amharic", "yi": "Yiddish"}
# Old or regional spellings people type; Whisper wants the left-hand side's value.
ALIASES = {"iw": "he", "heb": "he", "hebrew": "he", "eng": "en", "english": "en", "ji": "yi", "in": "id"}


def normalize_language(code: str | None) -> str:
    """"he-IL" -> "he", "IW" -> "he", "" or None -> "" (no language given)."""
    c = (code or "").strip().lower().replace("_", "-")
    if not c:
        return ""
    c = ALIASES.get(c, c)
    base = c.split("-")[0]
    return ALIASES.get(base, base)


def language_name(code: str) -> str:
    """A readable name for messages: "Hebrew (he)"."""
    name = NAMES.get(code)
    return f"{name} ({code})" if name else repr(code)


def call_language(option: str | None, lexicon_language: str) -> str:
    """The language a call is transcribed in: `--language` if given, else the lexicon's language."""
    code = normalize_language(option) or normalize_language(lexicon_language) or "en"
    if code not in WHISPER_CODES:
        given = option if option else lexicon_language
        raise InputError(f"unknown language code {given!r} for --language (use an ISO 639-1 code such as "
                         "en, he, ar, ru)")
    return code
