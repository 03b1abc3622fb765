"""Health-plan beneficiary numbers: member / subscriber / policy / Medicare / Medicaid ids.

Also the Medicare Beneficiary Identifier (MBI) on its own: 11 characters in the CMS layout
(digit, letter, letter-or-digit, digit, letter, ...; no S, L, O, I, B, Z), with or without dashes,
e.g. "7QW2-KD4-MX61".
"""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, context_id, rx

_A = r"[AC-HJKMNP-RT-Y]"
_AN = r"[AC-HJKMNP-RT-Y0-9]"
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
            r"|ohip|phn|personal\s+health\s+number|insurer|insured\s*id|plan",
            0.9,
        ),
        Pattern("HEALTHPLAN", rx(r"(?<![\w\-])" + MBI + r"(?![\w\-])"), 0.85),
    )
