"""Device identifiers and serial numbers (pacemakers, implants, pumps, UDI, lot numbers)."""

from __future__ import annotations

from medllm.privacy.recognizers.base import PatternRecognizer, context_id


class DeviceRecognizer(PatternRecognizer):
    name = "device"
    kinds = ("DEVICE",)
    patterns = (
        context_id(
            "DEVICE",
            r"serial(?:\s*(?:number|no|\#))?|s/n|sn|udi|device\s*(?:id|number|no|\#)|lot(?:\s*(?:number|no|\#))?"
            r"|model\s*(?:number|no|\#)|implant\s*(?:id|number|no)",
            0.9,
        ),
    )
