"""Certificate and licence numbers: driver's licence, medical licence, DEA, NPI, certificates."""

from __future__ import annotations

from medllm.privacy.recognizers.base import PatternRecognizer, context_id


class LicenseRecognizer(PatternRecognizer):
    name = "license"
    kinds = ("LICENSE",)
    patterns = (
        context_id(
            "LICENSE",
            r"(?:driver'?s?\s*)?licen[cs]e(?:\s*(?:number|no|\#))?|dl|dea(?:\s*(?:number|no|\#))?"
            r"|npi|certificate(?:\s*(?:number|no))?|cert\s*\#?|board\s*certification",
            0.9,
        ),
    )
