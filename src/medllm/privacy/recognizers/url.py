"""Web addresses (Safe Harbor identifier 14): scheme URLs, www. hosts, bare domains with a path."""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

# XML namespace names (FHIR narratives carry `xmlns="http://www.w3.org/1999/xhtml"`): fixed public
# identifiers of a markup language, never of a person; redacting them breaks the narrative's XHTML.
_NAMESPACE = r"(?!(?:https?://)?www\.w3\.org/(?:1999/xhtml|2000/svg|1998/Math/MathML)\b)"


class UrlRecognizer(PatternRecognizer):
    name = "url"
    kinds = ("URL",)
    patterns = (
        Pattern(
            "URL", rx(_NAMESPACE + r"\b(?:https?|ftp)://[^\s<>\"')\]]+[^\s<>\"')\].,;:]"), 0.95
        ),
        Pattern(
            "URL",
            rx(
                r"(?<![@\w.])"
                + _NAMESPACE
                + r"www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s<>\"')]*)?"
            ),
            0.9,
        ),
        Pattern(
            "URL",
            rx(
                r"(?<![@\w./])[a-z0-9-]+\.(?:com|org|net|edu|gov|health|io)/[^\s<>\"')]*[^\s<>\"').,;:]"
            ),
            0.8,
        ),
    )
