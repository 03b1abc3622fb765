"""The notice every answer carries, wherever it is shown (CLI, server, web chat)."""

from __future__ import annotations

DISCLAIMER = "Not medical advice: answers come from a language model and may be wrong."
# Letters of multiple-choice options, in order (A = first option); tasks allow up to ten options.
LETTERS = "ABCDEFGHIJ"
