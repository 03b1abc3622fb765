"""Dates in the forms clinical notes use; every element but the year is PHI under Safe Harbor.

2024-03-14, 03/14/2024, 3/14/24, 3-14-24, 14.03.2024, March 14, 2024, Mar 14th, 14 Mar 2024,
14-Mar-2024, March 2024, "in 7/91" (month/year), "on 4/23" (month/day), "since November",
"Spring 2019", ISO timestamps (2023-11-20T08:40:12Z) and a time written after any date
("2025-01-09 06:40", "Jan 9 2025 9:03 PM"), ordinal days ("the 9th", "monday the 28th"), month
names alone (capitalised or lower-case, "late Apr"), weekdays and holidays. Short forms without a
year need a context word or a table cell, since "4/23" can also be a ratio. Numeric parts are
range-checked. A bare year ("since 2019") is not PHI under Safe Harbor and is left alone.
"""

from __future__ import annotations

import re

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx, trie_alternation

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_M = r"(?:" + MONTHS + r"|" + MONTHS.upper() + r")\.?"
_D = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_Y = r"(?:1[89]\d{2}|2[01]\d{2})"
_CTX_WORDS = [
    "on",
    "in",
    "since",
    "from",
    "until",
    "till",
    "through",
    "thru",
    "to",
    "of",
    "dated",
    "date",
    "before",
    "after",
    "by",
    "with",
    "starting",
    "started",
    "last",
    "next",
    "due",
    "around",
    "circa",
    "early",
    "mid",
    "late",
    "between",
    "and",
    "dos",
    "doa",
    "dod",
    "dob",
    # a past-tense charting verb before a bare m/d (dev_g, 2026-12-07): "placed 4/9", "signed
    # 7/8"; not dose verbs ("given 1/2 tab", "increased 1/2")
    "placed",
    "signed",
    "read",
    "added",
    "changed",
    "drawn",
    "collected",
    "done",
    "seen",
    "stopped",
    "resumed",
    "held",
    "performed",
    "reply",
    "replied",
    "admitted",
    "discharged",
    "admit",
    "adm",
]
# trie-shaped: five date patterns start with these words, tried at every position of a note
_CTX = r"(?i:\b" + trie_alternation(_CTX_WORDS) + r"\b)[:\s\-]+"
_WEEKDAY_FULL = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_WEEKDAY = r"(?i:" + _WEEKDAY_FULL + r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
# "the 3rd line", "the 4th ventricle", "the 5th digit": ordinals that are not days.
_NOT_ORDINAL_NEXT = (
    r"(?![ \t]+(?i:line|dose|doses|time|times|day|days|week|weeks|month|trimester|percentile|ventricle"
    r"|rib|ribs|digit|finger|toe|metatarsal|metacarpal|intercostal|nerve|cranial|degree|grade|cycle"
    r"|round|attempt|generation|floor|stage|lumbar|cervical|thoracic|sacral|vertebra|space|year|grader"
    r"|edition|place|child|pregnancy|admission|episode|visit|fraction|session|course|dimension)\b)"
)
# A time written after a date: "T08:40", " 06:40", " 9:03 PM", "T08:12:55Z", " 14:02:11+01:00".
_TIME_AFTER = re.compile(
    r"(?:T|[ \t]+(?:at[ \t]+)?|,[ \t]*)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[ \t]?(?i:[ap]\.?m\.?|[ap](?![\w])))?"
    r"(?:[ \t]+(?:[ECMP][SD]T|UTC|GMT|BST|CET|AEST|NZST)(?![\w]))?"
    r"(?:Z|[+\-]\d{2}:?\d{2})?(?![\w]|:\d)"
    r"|[ \t]+(?:[01]\d|2[0-3])[0-5]\d(?:[ \t]*(?i:h|hrs))?(?![\w:/.])"
)
_NUMERIC = re.compile(r"(\d{1,4})[/\-.](\d{1,2})(?:[/\-.](\d{2,4}))?$")


def _numeric_ok(s: str) -> bool:
    m = _NUMERIC.match(s)
    if not m:
        return False
    a, b, c = m.group(1), m.group(2), m.group(3)
    if len(a) == 4:  # year-month-day
        return 1 <= int(b) <= 12 and (c is None or 1 <= int(c) <= 31)
    if c is None:  # month/day or month/year
        return 1 <= int(a) <= 12 and (1 <= int(b) <= 31 or len(b) == 2)
    month_first = 1 <= int(a) <= 12 and 1 <= int(b) <= 31
    day_first = 1 <= int(b) <= 12 and 1 <= int(a) <= 31
    return month_first or day_first


_NOT_DATE_NEXT = re.compile(
    r"\s*(?i:pain|strength|murmur|scale|score|vision|tab|tablet|dose|of\b|x\b)"
)


_MODIFIER_BEFORE = re.compile(
    r"(?<![\w])(?:(?i:early|mid|late|last|next|this|end\s+of)[ \t\-]|\d{1,2}[\-–])\Z"
)
_PART_AFTER = re.compile(
    r"(?<=[A-Za-z])[ \t]+(?i:night|morning|evening|afternoon|am|pm)\b|(?<=\d)/\d{2}(?![\d/])"
)


class DateRecognizer(PatternRecognizer):
    name = "date"
    kinds = ("DATE",)
    patterns = (
        Pattern(
            "DATE",
            rx(r"(?<![\w/\-.])" + _Y + r"[/\-.]\d{1,2}[/\-.]\d{1,2}(?!(?!T\d)[\w/]|-\d|\.\d)"),
            0.95,
            _numeric_ok,
        ),
        Pattern(
            "DATE",
            rx(r"(?<![\w/\-.])\d{1,2}[/\-.]\d{1,2}[/\-.](?:\d{4}|\d{2})(?![\w/]|-\d|\.\d)"),
            0.9,
            _numeric_ok,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])(?:"
                + _M
                + r"\s+"
                + _D
                + r"(?:,?\s+"
                + _Y
                + r")?|"
                + _D
                + r"(?:\s+of)?[\s\-]"
                + _M
                + r"(?:,?[\s\-]"
                + _Y
                + r"|[\s\-]\d{2}(?!\d))?)(?![\w])"
            ),
            0.9,
        ),
        Pattern("DATE", rx(r"(?<![\w])" + _M + r",?\s+" + _Y + r"(?![\w])"), 0.9),
        Pattern(
            "DATE",
            rx(
                r"(?i:\b(?:spring|summer|fall|autumn|winter|christmas|thanksgiving)\s+(?:of\s+)?)"
                + _Y
                + r"\b"
            ),
            0.8,
        ),
        Pattern(
            "DATE", rx(_CTX + r"(?P<phi>\d{1,2}[/\-]\d{2,4})(?![\w/]|-\d|\.\d)"), 0.75, _numeric_ok
        ),
        # "echo 4/23": month/day with a two-digit day and no context; checked in `analyze`.
        # Also "colonoscopy 11/9" (months 10-12, any day) and day/month with a day over 12
        # ("flew back on 29/11"): no fraction or score is written so.
        Pattern(
            "DATE",
            rx(
                r"(?<![\w/\-.])(?:(?:1[0-2]|0?[1-9])/(?:0[1-9]|[12]\d|3[01])|1[0-2]/[1-9]"
                r"|(?:1[3-9]|2\d|3[01])/(?:1[0-2]|0?[1-9]))(?![\w/]|-\d|\.\d)"
            ),
            0.5,
        ),
        # "Tues 1st", "Tuesday 8th": a weekday and an ordinal day
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])"
                + _WEEKDAY
                + r"\.?,?[ \t]+(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b"
                + _NOT_ORDINAL_NEXT
            ),
            0.7,
        ),
        # "aug 20", "dec 19th": a short month in any case and a day
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])(?i:jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec)\.?[ \t]+"
                r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\w/:.])"
            ),
            0.65,
        ),
        Pattern(
            "DATE",
            rx(
                _CTX
                + r"(?P<phi>(?:January|February|March|April|May|June|July|August|September|October|November|December))\b"
            ),
            0.7,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])(?:January|February|April|June|July|August|September|October|November|December)(?![\w])"
            ),
            0.6,
        ),
        # m/d without a year after a context word or weekday ("on 5/11", "Tue 7/22"), or alone in
        # a table cell ("| 7/8 |").
        Pattern(
            "DATE",
            rx(
                r"(?:" + _CTX + r"|(?:" + _WEEKDAY + r")\.?,?[ \t]+|(?:^|\|)[ \t]*)"
                r"(?P<phi>(?:1[0-2]|0?[1-9])/(?:[12]\d|3[01]|0?[1-9]))(?=[ \t]*(?:\||$)|(?![\w/]|-\d|\.\d))",
                re.MULTILINE,
            ),
            0.7,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?i:\b(?:(?:"
                + _WEEKDAY
                + r")[ \t]+)?the[ \t]+)(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b"
                r"(?:[ \t]+of[ \t]+(?i:" + MONTHS + r"))?" + _NOT_ORDINAL_NEXT
            ),
            0.7,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?i:\b(?:on|by|until|till|from|since|before|after|due|next|last|this)[ \t]+)"
                r"(?P<phi>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))\b" + _NOT_ORDINAL_NEXT
            ),
            0.7,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])(?:january|february|april|june|july|august|september|october|november"
                r"|december)(?![\w])"
            ),
            0.6,
        ),
        Pattern(
            "DATE",
            rx(
                _CTX
                + r"(?P<phi>(?:(?i:jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec)|Mar|march|may)\.?)"
                r"(?![\w])"
            ),
            0.6,
        ),
        Pattern("DATE", rx(r"(?i:\b(?:" + _WEEKDAY_FULL + r")s?\b)"), 0.6),  # "comes thursdays"
        # a capitalised weekday abbreviation where only a day fits (dev_g, 2026-12-07): "til Mon",
        # "visits Mon/Thu", "weekly Sat AM", "Tues 0800"; not "Sat up in the chair"
        Pattern(
            "DATE",
            rx(
                r"(?:(?<=/)|(?<=(?i:til|ill|.on|.by|ery|ext|ast|his|its|kly)[ ]))"
                r"(?:Mon|Tue|Tues|Wed|Weds|Thu|Thur|Thurs|Fri|Sat|Sun)\.?(?![\w])"
                r"|(?<![\w])(?:Mon|Tue|Tues|Wed|Weds|Thu|Thur|Thurs|Fri|Sat|Sun)\.?"
                r"(?=/|[ \t]+(?:AM|PM|am|pm|a\.m\.|p\.m\.|morning|evening|night|\d))"
            ),
            0.6,
        ),
        # "back on sat", "since thurs": a short weekday in any case after a context word
        Pattern(
            "DATE",
            rx(
                r"(?i:\b(?:on|since|last|next|this|by|until|till|every|from)[ \t]+)"
                r"(?P<phi>(?i:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun))\.?(?![\w])"
            ),
            0.6,
        ),
        # French letters: "le 18 novembre 2026", "3 mars"
        Pattern(
            "DATE",
            rx(
                r"(?i:\b(?:[12]\d|3[01]|0?[1-9])(?:er)?[ \t]+(?:janvier|f[ée]vrier|mars|avril|mai|juin"
                r"|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre)(?:[ \t]+" + _Y + r")?)\b"
            ),
            0.75,
        ),
        # lab and military stamps: "28NOV26", "03DEC2026"
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])(?:[12]\d|3[01]|0[1-9])"
                + MONTHS.upper()
                + r"(?:\d{2}|"
                + _Y
                + r")(?![\w])"
            ),
            0.75,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?(?=,?[ \t]+\d)"
                # lower case only before a date: "fri 12/4/26", "sat, 5 dec"
                # "Tues Feb 10"; lower case after a word that takes a day: "redness started tues"
                r"|(?<![\w])(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?(?=,?[ \t]+(?:"
                + MONTHS
                + r")\b)"
                r"|(?<=started[ \t])(?:mon|tues?|wed|weds|thur?s?|fri)\b"
                r"|(?<![\w])(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?"
                r"(?=,?[ \t]+\d{1,2}(?:/\d|[ \t]+(?i:" + MONTHS + r")\b))"
                r"|(?<![\w])(?i:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?=[ \t]+\d)"
                # dev_i (2026-12-07): abbreviations no other word spells ("appt thurs", "(Thurs)"),
                # "Sat." with its point, and a short day before a part of it ("sat night")
                r"|(?<![\w])(?i:thurs|tues|weds)(?![\w])"
                r"|(?<![\w])(?:Mon|Fri|Sat|Sun)\.(?=[ \t,;)]|$)"
                r"|(?<![\w])(?i:mon|fri|sat|sun)(?=[ \t]+(?i:night|morning|evening|afternoon)\b)"
            ),
            0.6,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?i:\b(?:canadian\s+|american\s+|orthodox\s+)?(?:(?:thanksgiving|christmas|x-?mas|easter|new\s+y(?:ea)?r(?:'?s|s')?|halloween|valentine'?s)"
                r"(?:\s+(?:eve|day|weekend|week|sunday|monday|break|holidays?))?(?:\s+(?:19|20)\d{2})?"
                # dev_h (2026-12-07)
                r"|pancake\s+day|shrove\s+tuesday|family\s+day|st\.?\s+david'?s\s+day|nye"
                r"|fourth\s+of\s+july|july\s+4th|bank\s+holiday\s+monday"
                r"|independence\s+day|labou?r\s+day|memorial\s+day|boxing\s+day|hanukkah|diwali|eid|passover"
                r"|veterans'?\s+day|indigenous\s+peoples'?\s+day|columbus\s+day|presidents'?\s+day"
                r"|(?:mlk|martin\s+luther\s+king(?:\s+jr\.?)?)\s+day|juneteenth|anzac\s+day|australia\s+day"
                r"|canada\s+day|victoria\s+day|remembrance\s+(?:day|sunday)|st\.?\s+patrick'?s\s+day"
                r"|st\.?\s+stephen'?s\s+day|bonfire\s+night|guy\s+fawkes(?:\s+night)?|burns\s+night|hogmanay"
                r"|black\s+friday|cyber\s+monday|good\s+friday|mother'?s\s+day|father'?s\s+day"
                r"|valentine'?s(?:\s+day)?|lunar\s+new\s+year|chinese\s+new\s+year|ramadan|yom\s+kippur"
                r"|rosh\s+hashanah|kwanzaa|mardi\s+gras|x-?mas|midsummer|three\s+kings'?\s+day"
                r"|epiphany|pongal|holi|onam|navratri|waitangi\s+day|st\.?\s+andrew'?s\s+day"
                # dev_i (2026-12-07)
                r"|may\s+day|natal\s+day|civic\s+holiday|st\.?\s+paddy'?s\s+day)"
                r"(?:\s+(?:long\s+)?(?:weekend|bank\s+holiday|holiday))?\b)"
                r"|\bTet\b"
            ),
            0.6,
        ),
        # dictated dates in words: "november twenty third", "december fourth"
        Pattern(
            "DATE",
            rx(
                r"(?i:\b(?:" + MONTHS + r")[ \t]+(?:the[ \t]+)?(?:(?:twenty|thirty)[ \t\-])?"
                r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh"
                r"|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth"
                r"|nineteenth|twentieth|thirtieth)\b)"
            ),
            0.7,
        ),
    )

    def analyze(self, text: str) -> list[Span]:
        out = []
        for s in super().analyze(text):
            # "late July", "mid-Oct", "last Thursday", "14-17 Sept": the modifier or the range's
            # first day is part of the date; "Sun night", "Jan 29/27": so is what follows
            pre = _MODIFIER_BEFORE.search(text, max(0, s.start - 12), s.start)
            if pre is not None:
                s = Span(s.kind, pre.start(), s.end, s.score, s.source)
            post = _PART_AFTER.match(text, s.end)
            if post is not None:
                s = Span(s.kind, s.start, post.end(), s.score, s.source)
            t = _TIME_AFTER.match(text, s.end)
            if t and re.search(r"\d", text[s.end - 1 : s.end]):
                s = Span(s.kind, s.start, t.end(), s.score, s.source)
            short = re.fullmatch(r"\d{1,2}/\d{1,2}", text[s.start : s.end]) is not None
            if short and (
                _NOT_DATE_NEXT.match(text, s.end)
                or "pain" in text[max(0, s.start - 30) : s.start].lower()
            ):
                continue
            out.append(s)
        return out
