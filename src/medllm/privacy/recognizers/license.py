"""Certificate and licence numbers: driver's licence, medical licence, DEA, NPI, CLIA, certificates."""

from __future__ import annotations

from medllm.privacy.recognizers.base import PatternRecognizer, context_id


class LicenseRecognizer(PatternRecognizer):
    name = "license"
    kinds = ("LICENSE",)
    patterns = (
        *context_id(
            "LICENSE",
            r"(?:driver'?s?\s*)?licen[cs]e(?:\s*(?:number|no|\#))?|dl|dea(?:\s*(?:number|no|\#))?"
            r"|npi|clia|gmc(?:\s*(?:number|no))?|certificate(?:\s*(?:number|no))?|cert\s*\#?"
            r"|board\s*certification|registration\s*(?:number|no)",
            0.9,
        ),
    )
