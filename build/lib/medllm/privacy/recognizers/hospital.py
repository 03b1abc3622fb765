"""Hospital and clinic names: capitalised words before a facility word ("Silver Ridge Hospital",
"SILVER RIDGE EMERGENCY DEPT", "St. Mary's Medical Center") or after "Hospital of"."""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

_FACILITY = (
    r"Hospital|Medical\s+Center|Medical\s+Centre|Health\s+Center|Health\s+Centre|Clinic|Health\s+System"
    r"|Healthcare|Health\s+Care|Infirmary|Memorial|Rehabilitation\s+(?:Center|Hospital)|Nursing\s+Home"
    r"|Medical\s+Group|Cancer\s+Center|Care\s+Center|Surgical\s+Center|Surgery\s+Center|Hospice"
    r"|Urgent\s+Care|Health|Physicians|Associates|Family\s+Practice|Pediatrics|Institute"
)
_UPPER_FACILITY = (
    r"HOSPITAL|MEDICAL\s+CENTER|HEALTH\s+CENTER|CLINIC|INFIRMARY|MEMORIAL|EMERGENCY\s+(?:DEPT|DEPARTMENT|ROOM)"
    r"|URGENT\s+CARE|HEALTH\s+SYSTEM"
)
_NOT_NAME = (
    r"(?!(?:The|THE|A|An|Emergency|EMERGENCY|General|GENERAL|Our|OUR|This|THIS|Your|YOUR)\b)"
)
_TITLE_WORDS = (
    r"(?:" + _NOT_NAME + r"(?:St\.|Saint|(?:Mc|Mac|O')?[A-Z][a-z]+(?:'s)?|[A-Z]\.)[ \t]+){1,4}"
)
_UPPER_WORDS = r"(?:" + _NOT_NAME + r"(?:ST\.?|[A-Z]{2,}(?:'S)?)[ \t]+){1,4}"


class HospitalRecognizer(PatternRecognizer):
    name = "hospital"
    kinds = ("HOSPITAL",)
    patterns = (
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<![\w])(?P<phi>"
                + _TITLE_WORDS
                + r"(?:General[ \t]+|Community[ \t]+|Regional[ \t]+|University[ \t]+|Children's[ \t]+|County[ \t]+|Memorial[ \t]+)*(?:"
                + _FACILITY
                + r"))\b"
            ),
            0.8,
        ),
        Pattern(
            "HOSPITAL",
            rx(
                r"(?<![\w])(?P<phi>"
                + _UPPER_WORDS
                + r")(?:GENERAL[ \t]+)?(?:"
                + _UPPER_FACILITY
                + r")\b"
            ),
            0.8,
        ),
        Pattern(
            "HOSPITAL",
            rx(
                r"\b(?:Hospital|Clinic|University|Center)\s+of\s+(?P<phi>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,3})"
            ),
            0.8,
        ),
    )
