"""Disease → its annotated phenotypes (most frequent first, with their frequencies), modes of
inheritance, and phenotypes annotated as absent, from the HPO annotations (`phenotype.hpoa`).

A disease is named by id (OMIM:154700, ORPHA:558, DECIPHER:1; "MIM 154700") or by its name as
typed (one typo per word allowed); a name shared by an OMIM and an Orphanet entry gives both.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from medllm.rag.tools.base import Found, entry, lines
from medllm.rag.tools.text import PhraseIndex, lookup_named

if TYPE_CHECKING:
    from medllm.knowledge import HpoDisease

NAME = "disease"
URL = "https://hpo.jax.org/browse/disease/{}"
DISEASE_ID = re.compile(
    r"\b(OMIM|MIM|ORPHA|ORPHANET|DECIPHER)\s*[:#]?\s*(\d{1,7})\b", re.IGNORECASE
)
_PREFIX = {
    "omim": "OMIM",
    "mim": "OMIM",
    "orpha": "ORPHA",
    "orphanet": "ORPHA",
    "decipher": "DECIPHER",
}


@lru_cache(maxsize=1)
def diseases() -> dict[str, HpoDisease]:
    from medllm.knowledge import load_diseases

    return load_diseases()


@lru_cache(maxsize=1)
def names() -> PhraseIndex:
    # of the entries sharing a name, OMIM's first (the most specific), then Orphanet's, DECIPHER's
    rank = {"OMIM": 0, "ORPHA": 1, "DECIPHER": 2}
    ordered = sorted(diseases().values(), key=lambda d: rank.get(d.id.partition(":")[0], 3))
    return PhraseIndex((d.name, d.id) for d in ordered)


def ids_in(text: str) -> list[str]:
    found = [f"{_PREFIX[m.group(1).lower()]}:{m.group(2)}" for m in DISEASE_ID.finditer(text)]
    return list(dict.fromkeys(i for i in found if i in diseases()))


def _frequency_key(freq: str) -> float:
    """Sort key, most frequent first: named classes by rank, "n/m" and "p%" by their share."""
    if "/" in freq:
        a, _, b = freq.partition("/")
        if a.isdigit() and b.isdigit() and int(b):
            return -int(a) / int(b)
    if freq.endswith("%"):
        try:
            return -float(freq[:-1]) / 100
        except ValueError:
            pass
    from medllm.knowledge import FREQ_RANK

    share = {0: 1.0, 1: 0.9, 2: 0.55, 3: 0.3, 4: 0.17, 5: 0.02}
    return -share.get(FREQ_RANK.get(freq, 3), 0.3)


def entry_text(d: HpoDisease) -> str:
    present = sorted(
        {a.hpo_id: a for a in d.phenotypes if not a.negated}.values(),
        key=lambda a: (_frequency_key(a.frequency), a.name),
    )
    shown = [f"{a.name} ({a.frequency})" if a.frequency else a.name for a in present]
    out = [f"Disease {d.id}: {d.name}"]
    out += lines("Inheritance", d.inheritance)
    out.append(f"Annotated phenotypes ({len(present)}, most frequent first):")
    out += lines("Phenotypes", shown, limit=25)
    out += lines("Not present", [a.name for a in d.phenotypes if a.negated], limit=8)
    return "\n".join(out)


class DiseaseTool:
    name = NAME

    def entry(self, disease_id: str, score: float = 1.0) -> Found:
        d = diseases()[disease_id]
        text = entry_text(d)
        chunk = entry(
            f"hpo_disease:{d.id}", NAME, text, f"{d.name} ({d.id})", "hpo_disease", URL.format(d.id)
        )
        return Found(chunk, score)

    def run(self, query: str, k: int = 3) -> list[Found]:
        if ids := ids_in(query):
            return [self.entry(i) for i in ids[:k]]
        return [self.entry(i, score) for i, score in lookup_named(names(), query, k)]
