"""IPv4 addresses (validated octets) and IPv6 addresses."""

from __future__ import annotations

import ipaddress

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx


def _valid(s: str) -> bool:
    try:
        ipaddress.ip_address(s)
    except ValueError:
        return False
    return True


class IpRecognizer(PatternRecognizer):
    name = "ip"
    kinds = ("IP",)
    patterns = (
        Pattern("IP", rx(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)"), 0.9, _valid),
        Pattern(
            "IP",
            rx(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?![\w:])"),
            0.8,
            _valid,
        ),
    )
