"""Health-plan beneficiary numbers: member / subscriber / policy / Medicare / Medicaid ids."""

from __future__ import annotations

from medllm.privacy.recognizers.base import PatternRecognizer, context_id


class HealthPlanRecognizer(PatternRecognizer):
    name = "health_plan"
    kinds = ("HEALTHPLAN",)
    patterns = (
        context_id(
            "HEALTHPLAN",
            r"health\s*plan(?:\s*(?:id|number|no))?|member(?:\s*id)?|subscriber(?:\s*id)?|policy"
            r"|group\s*(?:number|no|\#)|beneficiary(?:\s*id)?|insurance\s*(?:id|number|no)"
            r"|medicare(?:\s*id)?|medicaid(?:\s*id)?|mbi|plan\s*id",
            0.9,
        ),
    )
