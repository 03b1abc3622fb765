"""Web addresses (Safe Harbor identifier 14): scheme URLs, www. hosts, host names without a scheme
(`portal.example.org/path`, `mychart.example-health.org`) and bare domains in letterheads
(`example.co.uk`), by their top-level domain."""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

# XML namespace names (FHIR narratives carry `xmlns="http://www.w3.org/1999/xhtml"`): fixed public
# identifiers of a markup language, never of a person; redacting them breaks the narrative's XHTML.
NAMESPACES = r"(?:https?://)?www\.w3\.org/(?:1999/xhtml|2000/svg|1998/Math/MathML)\b"
_NAMESPACE = r"(?!" + NAMESPACES + r")"


# Top-level domains common in letterheads; a bare "word.word" needs one of them ("e.g." does not).
_TLDS = (
    r"com|org|net|edu|gov|mil|int|health|io|info|biz|us|ca|uk|co\.uk|org\.uk|nhs\.uk|ac\.uk"
    r"|gov\.uk|au|com\.au|nz|ie|de|fr|nl|es|it|ch|se|no|dk|fi|in|me|app|care|clinic|hospital"
    r"|doctor|online|site|cv|ly|tv"
)


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
                r"(?<![@\w./\-])" + _NAMESPACE + r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+"
                r"(?:" + _TLDS + r")(?![\w\-@])(?:/[^\s<>\"')\]]*[^\s<>\"')\].,;:])?"
            ),
            0.8,
        ),
        # a host of any top-level domain followed by a path: "portal.labs.example/results"
        Pattern(
            "URL",
            rx(
                r"(?<![@\w./\-])" + _NAMESPACE + r"[A-Za-z][A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]{2,})*"
                r"\.[A-Za-z]{2,24}/[^\s<>\"')\]]*[^\s<>\"')\].,;:]"
            ),
            0.75,
        ),
    )
