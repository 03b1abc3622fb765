"""Web addresses (Safe Harbor identifier 14): scheme URLs, www. hosts, bare domains with a path."""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx


class UrlRecognizer(PatternRecognizer):
    name = "url"
    kinds = ("URL",)
    patterns = (
        Pattern("URL", rx(r"\b(?:https?|ftp)://[^\s<>\"')\]]+[^\s<>\"')\].,;:]"), 0.95),
        Pattern(
            "URL", rx(r"(?<![@\w.])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s<>\"')]*)?"), 0.9
        ),
        Pattern(
            "URL",
            rx(
                r"(?<![@\w./])[a-z0-9-]+\.(?:com|org|net|edu|gov|health|io)/[^\s<>\"')]*[^\s<>\"').,;:]"
            ),
            0.8,
        ),
    )
