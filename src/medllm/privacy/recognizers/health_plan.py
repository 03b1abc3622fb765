"""Health-plan beneficiary numbers: member / subscriber / policy / Medicare / Medicaid ids.

Also the Medicare Beneficiary Identifier (MBI) on its own: 11 characters in the CMS layout
(digit, letter, letter-or-digit, digit, letter, ...; no S, L, O, I, B, Z), with or without dashes,
e.g. "7QW2-KD4-MX61".
"""

from __future__ import annotations

import re

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, context_id, rx

_A = r"[AC-HJKMNP-RT-Y]"
_AN = r"[AC-HJKMNP-RT-Y0-9]"
# Capitalised words of a plan's name, up to six ("Ambetter from Peach State Health Plan")
_PLAN_WORDS = r"[A-Z][\w&'\-]*(?:(?:[ \t]+(?:of|from|for|the))?[ \t]+[A-Z][\w&'\-]*){0,5}(?![\w'])"
# the option after a plan's name: "Discovery Health Medical Scheme / Classic Comprehensive",
# "GEMS (Emerald Value)"
_OPTION_AFTER = re.compile(
    r"[ \t]*(?:/|\()[ \t]*(?P<o>[A-Z][a-z]+(?:[ \t][A-Z][a-z]+){0,2})(?=\)|[ \t]*$|\n)", re.M
)
# words that do not start a plan's name in lower case ("ask your health plan", "the state health plan")
_NOT_PLAN_WORD = (
    r"(?!(?:the|your|my|our|his|her|their|a|an|this|that|new|old|same|which|what|any|each|every"
    r"|no|one|other|state|federal|public|private|employer|group|medicaid|medicare|primary"
    r"|secondary|current|former|previous|but|and|for|from|with|via|through|says|said|then|calls"
    r"|called|whose|under|about|into|onto|since|until|ask|asked|call|check|contact|tell|told)[ \t])"
)
MBI = r"[1-9]" + _A + _AN + r"\d-?" + _A + _AN + r"\d-?" + _A + _A + r"\d\d"


class HealthPlanRecognizer(PatternRecognizer):
    name = "health_plan"
    kinds = ("HEALTHPLAN",)
    patterns = (
        *context_id(
            "HEALTHPLAN",
            r"health\s*plan(?:\s*(?:id|number|no))?|member(?:\s*id)?|subscriber(?:\s*id)?|policy"
            r"|group(?:\s*(?:number|no|\#|id))?|beneficiary(?:\s*id)?|insurance\s*(?:id|number|no)?"
            r"|medicare(?:\s*(?:id|mbi))?|medicaid(?:\s*id)?|mbi|plan\s*id|health\s*card"
            r"|ohip|phn|personal\s+health\s+number|insurer|insured\s*id|plan|grp",
            0.9,
        ),
        Pattern("HEALTHPLAN", rx(r"(?<![\w\-])" + MBI + r"(?![\w\-])"), 0.85),
        # A plan's name after its label: "Insurance: Anthem BCBS Kentucky", "Payer: Suraksha
        # Health TPA", "coverage through Fair PharmaCare"; not a public programme's name alone.
        Pattern(
            "HEALTHPLAN",
            rx(
                r"(?i:\b(?:insurance|insurer|payer|payor|plan|part[ \t]*d|private|coverage"
                r"(?:[ \t]+through)?|benefits|primary[ \t]+ins\w*|secondary[ \t]+ins\w*|carrier"
                r"|changed[ \t]+(?:\w+[ \t]+){0,3}?(?:from|to)|medical[ \t]+aid|private[ \t]+cover"
                r"|coverage[ \t]+check)(?:[ \t]*:|[ \t]+(?:is|was))?[ \t]+)"
                r"(?!(?:Medicare|Medicaid|NHS|OHIP|None|N/A|Self[ \t\-]pay|Uninsured|Private|Public)"
                r"(?:[ \t]*[,;.)\n(]|$|[ \t]+(?:A|B|A/B|Part|MBI|ID|No|Number|\#)\b))"
                r"(?P<phi>" + _PLAN_WORDS + r")"
            ),
            0.75,
        ),
        # A plan's name by its head word, also in a table cell: "Humana Gold Choice",
        # "Buckeye Health Plan", "Molina Healthcare of Ohio", "Mutual of Omaha Plan G"
        Pattern(
            "HEALTHPLAN",
            rx(
                r"(?<![\w])(?P<phi>(?:(?:[A-Z][\w&'\-]*|of)[ \t]+){0,4}?"
                r"(?:Health[ \t]+Plan|Healthcare(?:[ \t]+of[ \t]+[A-Z][a-z]+)?|Medicare[ \t]+Supplement"
                r"|Medicare[ \t]+Advantage|Dual[ \t]+Complete|Gold[ \t]+(?:Choice|Plus)|Value[ \t]+Script"
                r"|BCBS(?:[ \t]+[A-Z][a-z]+)?|Blue[ \t]+Shield(?:[ \t]+of[ \t]+[A-Z][a-z]+)?"
                r"|Blue[ \t]+Cross(?:[ \t]+(?:and[ \t]+)?Blue[ \t]+Shield)?(?:[ \t]+of[ \t]+[A-Z][a-z]+)?"
                r"|Health[ \t]+Plans|Medical[ \t]+Scheme|Open[ \t]+Access"
                r"|HealthNet(?:[ \t]+for[ \t]+Kids)?|CCO|TPA|PharmaCare|Plan[ \t]+[A-GKLMN]\b"
                r"|Mutual[ \t]+of[ \t]+[A-Z][a-z]+|Medicaid[ \t]+MCO|MCO|Essential[ \t]+Plus))(?![\w])"
            ),
            0.75,
        ),
        # dev_h (2026-12-07): a state's programme ("Nevada Medicaid", "Missouri Medicaid card"),
        # Medicare and its parts before the id or after a billing label ("Billing: Medicare Part
        # B, MBI ...", "| Medicare 2TQ9-DF4-KW61 |"), "Aetna Better Health of WV", and a plan
        # named in lower case ("providence health plan needs your signature")
        Pattern(
            "HEALTHPLAN",
            rx(
                r"(?<![\w'])(?P<phi>(?!(?:The|Her|His|Their|Pending|Expanded|State|No|Has|Applied|On)\b)"
                r"[A-Z][a-z]{2,}(?:[ \t]+[A-Z][a-z]{2,})?[ \t]+Medicaid)(?![\w])"
            ),
            0.7,
        ),
        Pattern(
            "HEALTHPLAN",
            rx(
                r"(?:(?i:\b(?:billing|insurance|ins|payer|payor|coverage|primary|secondary)"
                r"[ \t]*:[ \t]*)|\|[ \t]*)"
                r"(?P<phi>Medic(?:are|aid)(?:[ \t]+Part[ \t]+[A-D](?:/[A-D])?)?)"
                r"(?=[ \t]*(?:[,;(|]|$|[ \t]+(?:MBI|ID)\b|[ \t]+[0-9][A-Z0-9\-]{5,}))"
            ),
            0.7,
        ),
        Pattern(
            "HEALTHPLAN",
            rx(
                r"(?<![\w])(?P<phi>(?:[A-Z][\w&'\-]*[ \t]+){1,3}Better[ \t]+Health"
                r"(?:[ \t]+of[ \t]+(?:[A-Z]{2}|[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?))?)(?![\w])"
            ),
            0.75,
        ),
        Pattern(
            "HEALTHPLAN",
            rx(
                r"(?<![\w])(?P<phi>(?:"
                + _NOT_PLAN_WORD
                + r"[a-z]{3,}[ \t]){1,2}health[ \t]+plan)(?![\w])"
            ),
            0.65,
        ),
        # An Australian Medicare number, 10 digits as 4-5-1 with an optional issue number
        # ("2953 81647 1-2"); an Irish medical card after its label
        Pattern("HEALTHPLAN", rx(r"(?<![\w\-])\d{4}[ ]\d{5}[ ]\d(?:-\d)?(?![\w\-])"), 0.8),
        Pattern(
            "HEALTHPLAN",
            rx(
                r"(?i:\bmedical[ \t]+card[ \t]*(?:no\.?|number|\#)?[ \t]*:?[ \t]*)(?P<phi>\d{6,8}[A-Z]{1,2})\b"
            ),
            0.85,
        ),
    )

    def analyze(self, text: str) -> list[Span]:
        spans = super().analyze(text)
        for s in list(spans):
            m = _OPTION_AFTER.match(text, s.end)
            if m and text[s.start : s.end][:1].isalpha():
                spans.append(Span("HEALTHPLAN", m.start("o"), m.end("o"), 0.7, self.name))
        return spans
