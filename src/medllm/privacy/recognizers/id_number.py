"""Other unique identifying numbers (Safe Harbor identifier 18).

After context words (ID, accession, specimen, encounter, order, requisition, Rx, case, claim,
police / incident report, impound, NHS / CHI number, sample, reference...), and, without context,
strings that can only be identifiers: 7+ digit runs and digit groups joined by dashes or slashes
carrying 6+ digits that are not dates or phone numbers (e.g. "318-27-64-9", "QJ514/26078"), and a
short capital prefix written before such a number ("HAR 5502918837", "AET W22918403").
"""

from __future__ import annotations

import re

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, context_id, digits, rx

_DATE_LIKE = re.compile(r"^\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4}$")
_N = r"(?:\s*(?:number|no|\#|num))?"
_REQ = r"(?=\s*(?:\#|number|no|num|id))(?:\s*(?:number|no|num|id))?"
# Labels that have their own recognizer: a prefix "MRN 1234567" is not part of the value.
_NOT_PREFIX = (
    r"(?!(?:MRN|MR|DOB|SSN|NPI|DEA|ID|CLIA|DL|FAX|TEL|PH|PHONE|CELL|PAGER|EXT|BP|HR|RR|WBC|PLT"
    r"|INR|BMI|ICD|CPT|ACCT|LOT|SN|VIN|DOS|MBI|NHS|CHI|PO|RX|ZIP)\b)"
)


def _bare_ok(s: str) -> bool:
    if re.fullmatch(r"\d{1,3}-\d{1,3}", s):
        return False  # a reference range: "135-145"
    return len(digits(s)) >= 6 and not _DATE_LIKE.match(s)


class IdNumberRecognizer(PatternRecognizer):
    name = "id_number"
    kinds = ("ID",)
    patterns = (
        *context_id(
            "ID",
            r"id|identifier|accession"
            + _N
            + r"|specimen"
            + _N
            + r"|requisition"
            + _N
            + r"|claim"
            + _N
            + r"|impound"
            + _N
            + r"|nhs"
            + _N
            + r"|chi"
            + _N
            + r"|encounter(?:\s*(?:number|no|\#|id))?|visit\s*(?:number|no|\#|id)|job"
            + _N
            + r"|document\s*(?:number|no|\#|id)|ref\s*\#|enc|csn|barcode"
            + r"|(?:order|case|sample|report|rx|prescription|req|reference|ticket|confirmation"
            r"|authori[sz]ation|auth|tracking|referral|batch|kit)"
            + _REQ
            + r"|(?:police|incident|crash|accident)\s+report"
            + _N,
            0.85,
        ),
        Pattern("ID", rx(r"(?<![\w.\-/])\d{7,}(?![\w\-/]|\.\w)"), 0.7),
        # a prescription number written straight after "Rx" in a table cell: "Rx 6620184"
        Pattern("ID", rx(r"(?<![\w])Rx[ \t]*\#?[ \t]*\d{5,}(?![\w\-/])"), 0.8),
        Pattern(
            "ID",
            rx(r"(?<![\w.\-/])[A-Z]{0,4}\d+[A-Z]*(?:[\-/][A-Z]*\d+[A-Z]*){1,4}(?![\w\-/]|\.\w)"),
            0.6,
            _bare_ok,
        ),
        # Letters then digits, with dashes: "BX-NL-004817", "TB-0725-14", "RAD7731905".
        Pattern(
            "ID",
            rx(r"(?<![\w.\-/])[A-Z]{1,4}(?:-[A-Z]{1,4})*-?\d{4,}(?:-\d+)*(?![\w\-/]|\.\w)"),
            0.6,
            lambda s: len(digits(s)) >= 5,
        ),
        Pattern(
            "ID",
            rx(
                r"(?<![\w.\-/])(?P<phi>" + _NOT_PREFIX + r"[A-Z]{2,5}[ \t]+[A-Z]?\d{6,})"
                r"(?![\w\-/]|\.\w)"
            ),
            0.65,
        ),
        # A capital prefix and spaced digit groups, as table cells write plan ids: "KPA 4410 2291 7".
        Pattern(
            "ID",
            rx(
                r"(?<![\w\-])" + _NOT_PREFIX + r"[A-Z]{2,5}[ \t]\d{3,5}(?:[ \t]\d{1,5}){1,3}"
                r"(?![\w\-]|\.\d)"
            ),
            0.6,
            lambda s: len(digits(s)) >= 8,
        ),
    )
