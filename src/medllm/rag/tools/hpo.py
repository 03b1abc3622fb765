"""HPO term lookup: an HP id, or a term's name or synonym (as typed: plural, one typo) → the term's
definition, synonyms, parents and comment, quoted verbatim (the HPO licence forbids altering it).

The name index here is also what the differential reads phenotypes from a question with.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from medllm.rag.tools.base import Found, entry, lines
from medllm.rag.tools.text import FILLER, PhraseIndex

if TYPE_CHECKING:
    from medllm.knowledge import HpoTerm

NAME = "hpo"
ROOT = "HP:0000001"
URL = "https://hpo.jax.org/browse/term/{}"
HP_ID = re.compile(r"\bHP[:_ ]?(\d{7})\b", re.IGNORECASE)
# Question wording that is also an HPO synonym ("fits" = Seizure, "findings", ...): never read as
# a phenotype on its own.
WORDING = frozenset(
    [
        "fit",
        "fits",
        "finding",
        "findings",
        "sign",
        "signs",
        "symptom",
        "symptoms",
        "feature",
        "features",
        "patient",
        "patients",
        "disease",
        "diseases",
        "syndrome",
        "syndromes",
        "condition",
        "conditions",
        "term",
        "terms",
        "phenotype",
        "phenotypes",
        "definition",
        "def",
        "define",
        "code",
        "codes",
        "abnormality",
        "abnormal",
    ]
)


@lru_cache(maxsize=1)
def all_terms() -> dict[str, HpoTerm]:
    """Every term, obsolete ones included (read once per process)."""
    from medllm.knowledge import load_terms

    return load_terms()


@lru_cache(maxsize=1)
def terms() -> dict[str, HpoTerm]:
    """The current terms, without the root "All"."""
    return {i: t for i, t in all_terms().items() if not t.obsolete and i != ROOT}


@lru_cache(maxsize=1)
def names() -> PhraseIndex:
    """Every current term's name and synonyms → its id."""
    return PhraseIndex((n, t.id) for t in terms().values() for n in (t.name, *t.synonyms))


def ids_in(text: str) -> list[str]:
    """HP ids written in `text` ("HP:0001250", "hp_0001250") that are current terms."""
    found = [f"HP:{m.group(1)}" for m in HP_ID.finditer(text)]
    return list(dict.fromkeys(i for i in found if i in terms()))


def phenotypes_in(text: str) -> list[tuple[str, str]]:
    """(matched words, HP id) for each term name or synonym in `text`, longest first at each
    position; a lone question word ("findings", "fits") is not a phenotype."""
    out = []
    for m in names().find(text):
        if set(m.text.split()) - WORDING - FILLER:
            out.append((m.text, m.ids[0]))
    return out


def entry_text(t: HpoTerm, all_terms: dict[str, HpoTerm]) -> str:
    out = [f"HPO {t.id}: {t.name}"]
    if t.definition:
        out.append(f"Definition: {t.definition}")
    out += lines("Synonyms", t.synonyms)
    parents = [f"{p} {all_terms[p].name}" for p in t.is_a if p in all_terms]
    out += lines("Is a", parents)
    if t.comment:
        out.append(f"Comment: {t.comment}")
    return "\n".join(out)


class HpoTool:
    name = NAME

    def entry(self, term_id: str, score: float = 1.0) -> Found:
        t = terms()[term_id]
        text = entry_text(t, all_terms())
        chunk = entry(f"hpo:{t.id}", NAME, text, f"{t.name} ({t.id})", NAME, URL.format(t.id))
        return Found(chunk, score)

    def run(self, query: str, k: int = 3) -> list[Found]:
        if ids := ids_in(query):
            return [self.entry(i) for i in ids[:k]]
        return [self.entry(i, score) for i, score in names().lookup(query, k)]
