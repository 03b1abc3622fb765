"""Street addresses: "1234 N. Elm Street, Apt 5", "77 5th Ave", "PO Box 123"."""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

SUFFIXES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter"
    r"|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Row|Path|Pike|Plaza|Alley|Loop|Crescent"
)
_WORD = r"(?:[A-Z][a-z]+|[A-Z]{2,}|\d{1,3}(?:st|nd|rd|th))"
# The unit word must end there and its number be a whole word: ", Flatbush" is a city, not
# floor "atbush". Spaces, not newlines: a street never runs across lines ("8, 2017\n\nDear Dr.").
_UNIT = (
    r"(?:,?[ \t]+(?:(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Fl|Floor)\b\.?|\#)[ \t]*\#?[ \t]*"
    r"[A-Za-z0-9\-]{1,6}\b)?"
)


class AddressRecognizer(PatternRecognizer):
    name = "address"
    kinds = ("STREET",)
    patterns = (
        Pattern(
            "STREET",
            rx(
                r"(?<![\w/.\-])\d{1,6}[A-Za-z]?[ \t]+"
                + r"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?[ \t]+)?"
                + r"(?:"
                + _WORD
                + r"[ \t]+){0,3}"
                + _WORD
                + r"[ \t]+(?:"
                + SUFFIXES
                + r"|"
                + SUFFIXES.upper()
                + r")\b\.?"
                + _UNIT
            ),
            0.9,
        ),
        Pattern(
            "STREET", rx(r"(?i:\b(?:P\.?\s?O\.?\s+Box|Post\s+Office\s+Box)\s+\d{1,6})\b"), 0.95
        ),
    )
