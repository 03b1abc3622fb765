"""Account and billing numbers after their context words ("Account HAR 5502918837")."""

from __future__ import annotations

from medllm.privacy.recognizers.base import PatternRecognizer, context_id


class AccountRecognizer(PatternRecognizer):
    name = "account"
    kinds = ("ACCOUNT",)
    patterns = (
        *context_id(
            "ACCOUNT",
            r"account|acct|billing|invoice|bank\s*account|routing|guarantor|har|fin",
            0.9,
        ),
    )
