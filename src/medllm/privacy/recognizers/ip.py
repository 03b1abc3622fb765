"""IPv4 addresses (validated octets) and IPv6 addresses, full or compressed (`fe80::1c3a:ff:9b`)."""

from __future__ import annotations

import ipaddress

from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx


def _valid(s: str) -> bool:
    if s.count(":") and "::" not in s and s.count(":") < 7:
        return False  # "08:12:55" is a time; a full IPv6 address has 8 groups
    try:
        ipaddress.ip_address(s.split("%")[0])
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
            rx(
                r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|:)"
                r"(?:%[\w]+)?(?![\w:])"
            ),
            0.8,
            _valid,
        ),
    )
