"""Medical record numbers after their context words (MRN, MR#, medical record number, unit no.)."""

from __future__ import annotations

from medllm.privacy.recognizers.base import PatternRecognizer, context_id


class MrnRecognizer(PatternRecognizer):
    name = "mrn"
    kinds = ("MRN",)
    patterns = (
        context_id(
            "MRN",
            r"mrn|mr|mr\#|med(?:ical)?\s*rec(?:ord)?s?|record\s*(?:number|no|\#)|chart|unit\s*(?:number|no)"
            r"|hospital\s*(?:number|no)|patient\s*id|pt\s*id",
            0.95,
        ),
    )
