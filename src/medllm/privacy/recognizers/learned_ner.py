"""The learned PHI tagger (`privacy/ner.py`) as an optional recognizer: `--recognizer +learned_ner`.

Not in the default set: it needs a model trained first (`medllm deid train-ner`) and it runs a
transformer over every note, several times slower than the rules.
"""

from __future__ import annotations

from typing import Any

from medllm.core import Span


class LearnedNerRecognizer:
    name = "learned_ner"
    kinds = ("NAME", "HOSPITAL", "CITY", "STREET", "DATE", "ID", "PROFESSION")

    def __init__(self) -> None:
        self._tagger: Any = None

    def analyze(self, text: str) -> list[Span]:
        if self._tagger is None:
            from medllm.privacy.ner import Tagger

            self._tagger = Tagger.load()
        return self._tagger.spans(text)  # type: ignore[no-any-return]
