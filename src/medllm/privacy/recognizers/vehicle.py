"""Vehicle identifiers: 17-character VINs (check digit verified) and plates after context words."""

from __future__ import annotations

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, context_id, rx

_VALUES = {c: i for i, c in enumerate("0123456789")}
_VALUES.update(zip("ABCDEFGH", range(1, 9), strict=True))
_VALUES.update(zip("JKLMN", range(1, 6), strict=True))
_VALUES.update({"P": 7, "R": 9})
_VALUES.update(zip("STUVWXYZ", range(2, 10), strict=True))
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_ok(vin: str) -> bool:
    """ISO 3779 check digit (position 9); North American VINs carry it."""
    v = vin.upper()
    if len(v) != 17 or any(c not in _VALUES for c in v):
        return False
    total = sum(_VALUES[c] * w for c, w in zip(v, _WEIGHTS, strict=True)) % 11
    return v[8] == ("X" if total == 10 else str(total))


class VehicleRecognizer(PatternRecognizer):
    name = "vehicle"
    kinds = ("VEHICLE",)
    patterns = (
        Pattern("VEHICLE", rx(r"\b[A-HJ-NPR-Z0-9]{17}\b"), 0.9, vin_ok),
        Pattern("VEHICLE", rx(r"(?i:\bvin\b)[\s:#]*(?P<phi>[A-HJ-NPR-Z0-9]{11,17})\b"), 0.95),
        *context_id(
            "VEHICLE", r"licen[cs]e\s*plate|plate(?:\s*(?:number|no|\#))?|tag\s*number", 0.9
        ),
        # A plate written in two groups: "plate 7KD 3381", "plate GHT-4471".
        Pattern(
            "VEHICLE",
            rx(
                r"(?i:\bplate(?:\s*(?:number|no\.?|\#))?)[ \t:]*"
                r"(?P<phi>[A-Z0-9]{1,4}[ \t\-][A-Z0-9]{2,4})(?![\w\-])"
            ),
            0.9,
            lambda s: any(c.isdigit() for c in s),
        ),
    )
