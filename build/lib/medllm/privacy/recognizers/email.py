"""E-mail addresses."""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx


class EmailRecognizer(PatternRecognizer):
    name = "email"
    kinds = ("EMAIL",)
    patterns = (
        Pattern(
            "EMAIL",
            rx(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
            0.95,
        ),
    )
