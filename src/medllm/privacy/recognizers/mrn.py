"""Medical record numbers after their context words (MRN, MR#, medical record number, unit no.,
"Hospital No.", wristband, chart); spaced values ("Unit No. KT 301 552") are one span."""

from __future__ import annotations

from medllm.privacy.recognizers.base import PatternRecognizer, context_id


class MrnRecognizer(PatternRecognizer):
    name = "mrn"
    kinds = ("MRN",)
    patterns = (
        *context_id(
            "MRN",
            r"mrn|mr|mr\#|med(?:ical)?\s*rec(?:ord)?s?|record\s*(?:number|no|\#)|chart|unit\s*(?:number|no)"
            r"|hospital\s*(?:number|no|id)|patient\s*(?:id|number|no)|pt\s*id|wristband|armband"
            r"|case\s*note\s*(?:number|no)|k\s*number|rm\s*no",
            0.95,
        ),
    )
