"""Writes tests/data/pii.jsonl: labelled personal data, spoken and written, en and he, with negatives.

    python3 tests/data/make_pii.py tests/data/pii.jsonl

Each row's split (tune / report) is fixed by a hash of its id, before any tuning. Add rows at the
end (new ids) so that existing rows keep their split. Batch 1 was written before the redaction
code, batch 2 after its first measurement (batch 2's report half was measured blind).
"""
import collections
import hashlib
import json
import sys

C, A = "customer", "agent"
rows = []

def add(lang, form, utts, pii=(), note=""):
    """utts: list of (speaker, text); pii: list of (kind, [(utt_index, substring), ...])."""
    for _kind, parts in pii:
        for ui, sub in parts:
            assert sub in utts[ui][1], (sub, utts[ui][1])
    rows.append({"lang": lang, "form": form, "utterances": [{"speaker": s, "text": t} for s, t in utts],
                 "pii": [{"kind": k, "parts": [[ui, sub] for ui, sub in parts]} for k, parts in pii], "note": note})

def one(lang, form, speaker, text, kind=None, sub=None, note=""):
    add(lang, form, [(speaker, text)], [(kind, [(0, sub)])] if kind else [], note)

# ---------------------------------------------------------------- English, written
one("en", "written", C, "my card is 4111 1111 1111 1111 thanks", "card", "4111 1111 1111 1111")
one("en", "written", C, "It's 5500-0000-0000-0004, expiry next May.", "card", "5500-0000-0000-0004")
one("en", "written", C, "card number 4012888888881881", "card", "4012888888881881")
one("en", "written", C, "The Amex is 3782 822463 10005.", "card", "3782 822463 10005")
one("en", "written", C, "call me on +44 20 7946 0958", "phone", "+44 20 7946 0958")
one("en", "written", C, "my number is (555) 123-4567", "phone", "(555) 123-4567")
one("en", "written", C, "You can reach me at 555-0123 after six.", "phone", "555-0123")
one("en", "written", C, "mobile 07700 900123", "phone", "07700 900123")
one("en", "written", C, "email jo.smith@example.com please", "email", "jo.smith@example.com")
one("en", "written", C, "Send it to DANA_COHEN72@Example.co.uk", "email", "DANA_COHEN72@Example.co.uk")
one("en", "written", C, "my ssn is 123-45-6789", "id", "123-45-6789")
one("en", "written", C, "National Insurance number AB 12 34 56 C", "id", "AB 12 34 56 C")
one("en", "written", C, "NI QQ123456C", "id", "QQ123456C")
one("en", "written", C, "my ID number is 592451959", "id", "592451959")
one("en", "written", A, "I have your phone as 020 7946 0958, is that right?", "phone", "020 7946 0958")
one("en", "written", C, "Ring me: 212.555.0199", "phone", "212.555.0199")
# ---------------------------------------------------------------- English, spoken (recogniser text)
one("en", "spoken", C, "my card is four one one one one one one one one one one one one one one one", "card",
    "four one one one one one one one one one one one one one one one")
one("en", "spoken", C, "it's forty one eleven, eleven eleven, eleven eleven, eleven eleven", "card",
    "forty one eleven, eleven eleven, eleven eleven, eleven eleven")
one("en", "spoken", C, "the number is four two four two four two four two four two four two four two four two", "card",
    "four two four two four two four two four two four two four two four two")
one("en", "spoken", C, "fifty five hundred zero zero zero zero zero zero zero zero zero zero zero four", "card",
    "fifty five hundred zero zero zero zero zero zero zero zero zero zero zero four")
one("en", "spoken", C, "ok it's four oh one two eighty eight eighty eight eighty eight eighty eight eighteen eighty one", "card",
    "four oh one two eighty eight eighty eight eighty eight eighty eight eighteen eighty one")
one("en", "spoken", C, "six oh one one eleven eleven eleven eleven eleven seventeen", "card",
    "six oh one one eleven eleven eleven eleven eleven seventeen")
one("en", "spoken", C, "my phone number is oh two oh seven nine four six oh nine five eight", "phone",
    "oh two oh seven nine four six oh nine five eight")
one("en", "spoken", C, "you can call me on five five five oh one two three", "phone", "five five five oh one two three")
one("en", "spoken", C, "it's double oh four four twenty seventy nine four six oh nine five eight", "phone",
    "double oh four four twenty seventy nine four six oh nine five eight")
one("en", "spoken", C, "my email is billing at acme dot biz", "email", "billing at acme dot biz")
one("en", "spoken", C, "it's dana dot cohen at example dot com", "email", "dana dot cohen at example dot com")
one("en", "spoken", C, "send it to j smith underscore seventy two at gmail dot com", "email",
    "smith underscore seventy two at gmail dot com")
one("en", "spoken", C, "the address is support at my company dot co dot uk", "email", "support at my company dot co dot uk")
one("en", "spoken", C, "my social security number is one two three four five six seven eight nine", "id",
    "one two three four five six seven eight nine")
one("en", "spoken", C, "the reference they gave me is my ID five nine two four five one nine five nine", "id",
    "five nine two four five one nine five nine")
one("en", "spoken", C, "my cell is seven one eight, five five five, zero one nine nine", "phone",
    "seven one eight, five five five, zero one nine nine")
# ---------------------------------------------------------------- English, split across utterances
add("en", "written", [(C, "My phone is 054 -123."), (C, "4 5 6 7")],
    [("phone", [(0, "054 -123"), (1, "4 5 6 7")])], "split by the recogniser")
add("en", "spoken", [(C, "the card is four one one one one one one one"), (C, "one one one one one one one one")],
    [("card", [(0, "four one one one one one one one"), (1, "one one one one one one one one")])])
add("en", "spoken", [(C, "my email is dana dot cohen at"), (A, "mm hm"), (C, "example dot com")],
    [("email", [(0, "dana dot cohen at"), (2, "example dot com")])], "the agent's backchannel in between")
add("en", "written", [(C, "it's 4111 1111"), (C, "1111 1111")], [("card", [(0, "4111 1111"), (1, "1111 1111")])])
add("en", "spoken", [(C, "my number is oh seven seven oh oh"), (C, "nine oh oh one two three")],
    [("phone", [(0, "oh seven seven oh oh"), (1, "nine oh oh one two three")])])
# ---------------------------------------------------------------- Hebrew, written
one("he", "written", C, "מספר הכרטיס שלי 4111 1111 1111 1111", "card", "4111 1111 1111 1111")
one("he", "written", C, "הכרטיס הוא 5105-1051-0510-5100 בתוקף עד 2027", "card", "5105-1051-0510-5100")
one("he", "written", C, "הטלפון שלי 054-1234567", "phone", "054-1234567")
one("he", "written", C, "תתקשרו אליי ל-03-6123456 בבקשה", "phone", "03-6123456")
one("he", "written", C, "המספר שלי הוא +972-52-765-4321", "phone", "+972-52-765-4321")
one("he", "written", C, "המייל שלי dana@walla.co.il", "email", "dana@walla.co.il")
one("he", "written", C, "תעודת זהות 123456782", "id", "123456782")
one("he", "written", C, "ת.ז. שלי 986830784 אם צריך", "id", "986830784")
# ---------------------------------------------------------------- Hebrew, spoken
one("he", "spoken", C, "הכרטיס שלי ארבע אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת", "card",
    "ארבע אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת")
one("he", "spoken", C, "זה ארבעים ואחת אחת עשרה אחת עשרה אחת עשרה אחת עשרה אחת עשרה אחת עשרה אחת עשרה", "card",
    "ארבעים ואחת אחת עשרה אחת עשרה אחת עשרה אחת עשרה אחת עשרה אחת עשרה אחת עשרה")
one("he", "spoken", C, "חמש חמש אפס אפס אפס אפס אפס אפס אפס אפס אפס אפס אפס אפס אפס ארבע", "card",
    "חמש חמש אפס אפס אפס אפס אפס אפס אפס אפס אפס אפס אפס אפס אפס ארבע")
one("he", "spoken", C, "הטלפון שלי אפס חמש ארבע אחת שתיים שלוש ארבע חמש שש שבע", "phone",
    "אפס חמש ארבע אחת שתיים שלוש ארבע חמש שש שבע")
one("he", "spoken", C, "אפשר להתקשר לאפס חמישים ושתיים שבע שש חמש ארבע שלוש שתיים אחת", "phone",
    "חמישים ושתיים שבע שש חמש ארבע שלוש שתיים אחת")
one("he", "spoken", C, "המייל שלי דנה שטרודל ג'ימייל נקודה קום", "email", "דנה שטרודל ג'ימייל נקודה קום")
one("he", "spoken", C, "כתובת המייל yossi dot levi at walla dot co dot il", "email", "yossi dot levi at walla dot co dot il")
one("he", "spoken", C, "מספר תעודת הזהות שלי חמש תשע שתיים ארבע חמש אחת תשע חמש תשע", "id",
    "חמש תשע שתיים ארבע חמש אחת תשע חמש תשע")
one("he", "spoken", C, "תעודת זהות שש שש שבע אפס שלוש שלוש שמונה ארבע תשע", "id",
    "שש שש שבע אפס שלוש שלוש שמונה ארבע תשע")
add("he", "spoken", [(C, "הטלפון שלי אפס חמש ארבע אחת שתיים"), (C, "שלוש ארבע חמש שש שבע")],
    [("phone", [(0, "אפס חמש ארבע אחת שתיים"), (1, "שלוש ארבע חמש שש שבע")])])
add("he", "written", [(C, "מספר הכרטיס 4242 4242"), (C, "4242 4242")],
    [("card", [(0, "4242 4242"), (1, "4242 4242")])])

# ---------------------------------------------------------------- negatives: must stay
neg_en = [
    "It costs 49.99 a month.", "The bill came to £1,250.00 this quarter.", "We'll credit you 12.50 today.",
    "Your contract started on 14/03/2023.", "The engineer comes on the 14th of March 2024.",
    "The appointment is at 10:30.", "We're open between 9 and 5.", "I'll call you back at three thirty pm tomorrow.",
    "order 1234567", "I'd like to order 250 units.", "We have 1,500 customers in your area.",
    "The speed is 500 megabits.", "It's the 2024 model.", "twenty twenty four was a bad year for us",
    "forty nine ninety nine a month", "a hundred and twenty pounds", "I've called 3 times in 2 weeks.",
    "about fifteen minutes", "Flat 4, 22 Baker Street.", "your plan is 2 years, 24 payments of 30 pounds",
    "I need 2, 3 and 4 of them.", "version 10.2.1 fixed it", "the router's address is 192.168.1.1",
    "the total is 1,234,567 points", "prices are 12.99, 14.99 and 19.99",
    "nineteen ninety nine to two thousand and four", "I waited from 9:15 to 10:45",
    "your last four digits are 1111", "that's three hundred and fifty gigabytes", "seven days a week, twenty four hours",
    "the case is 5512-8890", "tariff code 2024-03-14", "I'm at home dot, well, at home now",
    "she's at the office", "meet me at reception", "a 30% discount for 12 months",
    "on the first of April at nine am", "one two three, can you hear me?", "ten, nine, eight, seven, six, five",
    "we sold 3 4 5 of those last week",
]
neg_he = [
    "זה עולה 49.90 שקל בחודש", "הטכנאי יגיע בשעה שלוש וחצי", "ב-14 במרץ 2024 התחיל החוזה",
    "הזמנתי שלושים יחידות", "החבילה עולה מאה ועשרים שקלים בחודש", "יש לך 5 גיגה גלישה",
    "נחזור אליך תוך 48 שעות", "החשבון יצא 1,250 שקל", "הפגישה ב-10:30", "התקשרתי 3 פעמים השבוע",
    "המחיר 29.90 ל-12 חודשים", "עשרים וארבע שעות ביממה, שבעה ימים בשבוע", "שנת 2023 הייתה קשה",
    "ארבע הספרות האחרונות הן 1111", "קומה 4, דירה 12", "שלושים אחוז הנחה", "אחת, שתיים, שלוש, שומעים?",
    "גרסה 2.4.1", "החבילה של 500 מגה", "בין 8 ל-17",
]
for t in neg_en:
    one("en", "written" if any(ch.isdigit() for ch in t) else "spoken", C, t, None, None, "negative")
for t in neg_he:
    one("he", "written" if any(ch.isdigit() for ch in t) else "spoken", C, t, None, None, "negative")
# a number in one utterance and another in the next that must not be joined into a phone
add("en", "written", [(C, "I'm in flat 12."), (C, "34 is the building")], [], "negative: two short numbers in a row")
add("en", "written", [(A, "That's 29.99"), (A, "for 12 months")], [], "negative")

# ================================================================ batch 2 (written after the first
# measurement; its report half is measured blind)
one("en", "spoken", C, "yeah the card's five one oh five one oh five one oh five one oh five one oh oh", "card",
    "five one oh five one oh five one oh five one oh five one oh oh")
one("en", "written", C, "the full number is 4000 0566 5566 5556", "card", "4000 0566 5566 5556")
one("en", "spoken", C, "it's three five three oh, one one one three, three three three oh, oh oh oh oh", "card",
    "three five three oh, one one one three, three three three oh, oh oh oh oh")
one("en", "spoken", C, "my mobile's oh seven seven double oh nine double oh one two three", "phone",
    "oh seven seven double oh nine double oh one two three")
one("en", "written", A, "The number to call is 1-800-555-0199.", "phone", "1-800-555-0199")
one("en", "written", C, "call me back on +1 (212) 555 0147", "phone", "+1 (212) 555 0147")
one("en", "written", C, "It's 020-7946-0018.", "phone", "020-7946-0018")
one("en", "written", C, "my e-mail address is sarah.o'neil@mail.example.org", "email", "sarah.o'neil@mail.example.org")
one("en", "spoken", C, "drop me a line at tom99 at example dot org", "email", "tom99 at example dot org")
one("en", "spoken", C, "email is info at acme-widgets dot com", "email", "info at acme-widgets dot com")
one("en", "spoken", C, "my address is m dot jones at outlook dot com", "email", "m dot jones at outlook dot com")
one("en", "written", C, "SSN 078-05-1120", "id", "078-05-1120")
one("en", "spoken", C, "my social is zero seven eight zero five one one two zero", "id",
    "zero seven eight zero five one one two zero")
one("en", "written", C, "National Insurance QQ 12 34 56 C", "id", "QQ 12 34 56 C")
add("en", "written", [(C, "my card number is 5500 0000"), (C, "0000 0004")],
    [("card", [(0, "5500 0000"), (1, "0000 0004")])])
add("en", "spoken", [(C, "call me on five five five"), (C, "oh one nine nine")],
    [("phone", [(0, "five five five"), (1, "oh one nine nine")])])
one("en", "written", A, "So that's 054-765-4321, yes?", "phone", "054-765-4321")
one("he", "written", C, "כרטיס אשראי 4000-0566-5566-5556", "card", "4000-0566-5566-5556")
one("he", "written", C, "הנייד שלי 052-9876543", "phone", "052-9876543")
one("he", "written", C, "תרשום 0529876543", "phone", "0529876543")
one("he", "spoken", C, "המספר שלי אפס חמישים ושתיים, תשע שמונה שבע, שש חמש ארבע שלוש", "phone",
    "אפס חמישים ושתיים, תשע שמונה שבע, שש חמש ארבע שלוש")
one("he", "written", C, "ת.ז 683626998", "id", "683626998")
one("he", "written", C, "המייל שלי moshe.k@gmail.com", "email", "moshe.k@gmail.com")
one("he", "spoken", C, "המייל שלי משה נקודה כהן שטרודל וואלה נקודה קום", "email",
    "משה נקודה כהן שטרודל וואלה נקודה קום")
add("he", "spoken", [(C, "הכרטיס שלי ארבע אחת אחת אחת"), (C, "אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת")],
    [("card", [(0, "ארבע אחת אחת אחת"), (1, "אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת אחת")])])
for t in ["Your new plan is 39.99, down from 44.99.", "That's 2,400 minutes a month.",
          "It was fixed on 3 March at 14:20.", "the balance is one thousand two hundred and forty pounds",
          "we've had four thousand five hundred complaints", "there are twelve hundred homes affected",
          "a two year contract at twenty nine ninety nine", "the reference is AB123456",
          "I've been a customer since nineteen eighty seven", "ticket number 48213377", "invoice 2024-00017",
          "that's three times this month", "I live at one two three main street",
          "we can do it for a hundred and nine ninety nine", "it's extension two four five", "box 7 of 12"]:
    one("en", "written" if any(ch.isdigit() for ch in t) else "spoken", C, t, None, None, "negative")
for t in ["המחיר עלה מ-59 ל-69 שקל", "ביום שלישי בשעה 17:00", "אלף מאתיים וארבעים שקל",
          "יש לנו ארבעת אלפים לקוחות באזור", "אני לקוח משנת 1998", "קוד ההנחה SAVE20",
          "מאה ועשרים שקלים לחודש", "תוך שלושה ימי עסקים"]:
    one("he", "written" if any(ch.isdigit() for ch in t) else "spoken", C, t, None, None, "negative")

out = []
for n, r in enumerate(rows, start=1):
    rid = f"pii-{n:03d}"
    # The split is fixed by the id's hash, before any tuning: half to tune on, half to report.
    split = "tune" if hashlib.sha256(rid.encode()).digest()[0] % 2 == 0 else "report"
    out.append({"id": rid, "split": split, **r})
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for r in out:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(out), collections.Counter((r["split"], bool(r["pii"])) for r in out), collections.Counter(r["lang"] for r in out))
