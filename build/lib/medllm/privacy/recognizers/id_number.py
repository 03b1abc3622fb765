"""Other unique identifying numbers (Safe Harbor identifier 18).

After context words (ID, accession, specimen, encounter, order, case, job...), and, without
context, strings that can only be identifiers: 7+ digit runs and digit groups joined by dashes or
slashes carrying 6+ digits that are not dates or phone numbers (e.g. "560-40-78-5", "XW277/90683").
"""

from __future__ import annotations

import re

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, context_id, digits, rx

_DATE_LIKE = re.compile(r"^\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4}$")


def _bare_ok(s: str) -> bool:
    return len(digits(s)) >= 6 and not _DATE_LIKE.match(s)


class IdNumberRecognizer(PatternRecognizer):
    name = "id_number"
    kinds = ("ID",)
    patterns = (
        context_id(
            "ID",
            r"id|identifier|accession(?:\s*(?:number|no|\#))?|specimen(?:\s*(?:number|no|\#))?"
            r"|encounter(?:\s*(?:number|no|\#|id))?|visit\s*(?:number|no|\#|id)|order(?:\s*(?:number|no|\#))"
            r"|case\s*(?:number|no|\#)|job\s*(?:number|no|\#)?|document\s*(?:number|no|\#|id)"
            r"|requisition(?:\s*(?:number|no|\#))?|reference\s*(?:number|no|\#)|ref\s*\#|claim(?:\s*(?:number|no|\#))?",
            0.85,
        ),
        Pattern("ID", rx(r"(?<![\w.\-/])\d{7,}(?![\w.\-/])"), 0.7),
        Pattern(
            "ID",
            rx(r"(?<![\w.\-/])[A-Z]{0,4}\d+[A-Z]*(?:[\-/][A-Z]*\d+[A-Z]*){1,4}(?![\w.\-/])"),
            0.6,
            _bare_ok,
        ),
    )
