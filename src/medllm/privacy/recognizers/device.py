"""Device identifiers and serial numbers (pacemakers, implants, pumps, UDI, lot numbers).

After a label ("serial", "s/n", "lot") or right after a device word ("pacemaker XK4417-209",
"insulin pump #PM88213"): a value holding letters and digits.
"""

from __future__ import annotations

import re

from medllm.privacy.recognizers.base import ID_VALUE, Pattern, PatternRecognizer, context_id, rx

_DEVICES = (
    r"pacemaker|defibrillator|icd|crt-?d|lvad|pump|port|concentrator|monitor|cgm|sensor|transmitter"
    r"|implant|stimulator|glucometer|meter|cpap|bipap|ventilator|hearing\s+aid|processor|catheter"
    r"|wheelchair|walker|nebuli[sz]er|inhaler|device|generator|lead|valve|stent"
)


def _serial_like(s: str) -> bool:
    """Letters with digits, or 6+ digits; not a measure ("2.5cm", "40mg")."""
    if not any(c.isdigit() for c in s) or re.fullmatch(r"\d+(?:\.\d+)?(?:[A-Za-z]{1,4})?", s):
        return len(s) >= 6 and s.isdigit()
    return len(s) >= 5


class DeviceRecognizer(PatternRecognizer):
    name = "device"
    kinds = ("DEVICE",)
    patterns = (
        *context_id(
            "DEVICE",
            r"serial(?:\s*(?:number|no|\#))?|s/n|sn|udi|device\s*(?:id|number|no|\#)|lot(?:\s*(?:number|no|\#))?"
            r"|model\s*(?:number|no|\#)|implant\s*(?:id|number|no)",
            0.9,
        ),
        Pattern(
            "DEVICE",
            rx(
                r"(?i:\b(?:"
                + _DEVICES
                + r")\b)[ \t]*(?:\#|(?i:id|no\.?)[ \t]*:?)?[ \t]*"
                + ID_VALUE
            ),
            0.75,
            _serial_like,
        ),
    )
