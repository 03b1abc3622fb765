"""Phenotypes → a ranked differential of diseases, by semantic similarity over the HPO annotations
(Köhler et al. 2009, "Clinical diagnostics in human genetics with semantic similarity searches in
ontologies", the Phenomizer).

- Phenotypes: the HP ids written in the question and the term names / synonyms found in it (only
  terms under "Phenotypic abnormality", HP:0000118).
- Information content: IC(t) = -ln(p(t)), p(t) = the share of the 12,680 annotated diseases
  annotated with t or a descendant of t (the true-path rule), from `phenotype.hpoa` (present, not
  NOT-qualified annotations) and the is-a graph of `hp.obo`, both read by the knowledge stage.
- sim(q, t) = IC of the most informative common ancestor of q and t (Resnik).
- score(Q, D) = best-match average: ½ (mean over q ∈ Q of max over t ∈ D sim(q, t) + mean over
  t ∈ D of max over q ∈ Q sim(q, t)) with `method="bma"`; `method="query"` keeps the first half
  only (Phenomizer's asymmetric Q → D score). Which one is the default is measured, see
  docs/rag.md.

Computed for all diseases at once with numpy: ancestors and annotations are CSR arrays, so a
query costs two gathers and two `reduceat`s per phenotype (milliseconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from medllm.rag.tools.abbreviations import expand
from medllm.rag.tools.base import Found, entry, lines
from medllm.rag.tools.hpo import ids_in, phenotypes_in, terms

if TYPE_CHECKING:
    from medllm.knowledge import HpoDisease

NAME = "differential"
PHENOTYPIC_ABNORMALITY = "HP:0000118"
URL = "https://hpo.jax.org/browse/disease/{}"
DEFAULT_METHOD = "query"


@dataclass(frozen=True)
class Ranked:
    disease: HpoDisease
    score: float  # the method's similarity, in IC units (nats)
    share: float  # Q → D part / mean IC of the query: 1 = every phenotype matched exactly
    rank: int  # 1-based
    matches: tuple[tuple[str, str, float], ...]  # (query term, best disease term, sim) per query


class Annotations:
    """The HPO graph and the disease annotations as arrays (built once per process, see docs/rag.md)."""

    def __init__(self) -> None:
        current = terms()
        self.ids = sorted(current)
        self.index = {t: i for i, t in enumerate(self.ids)}
        anc = _closure(self.ids, {t: current[t].is_a for t in self.ids})
        self.anc_ptr = np.cumsum([0] + [len(a) for a in anc])
        self.anc_idx = np.concatenate([np.array(sorted(a), dtype=np.int64) for a in anc])
        self.diseases: list[HpoDisease] = []
        rows: list[list[int]] = []
        index = self.index
        # present: not NOT-qualified, and not observed in none of the patients counted ("0/32")
        from medllm.knowledge import load_diseases

        for d in load_diseases().values():
            present = sorted(
                {
                    index.get(a.hpo_id, -1)
                    for a in d.phenotypes
                    if not a.negated and not a.frequency.startswith("0/")
                }
                - {-1}
            )
            if present:
                self.diseases.append(d)
                rows.append(present)
        self.dis_ptr = np.cumsum([0] + [len(r) for r in rows])
        self.dis_idx = np.concatenate([np.array(r, dtype=np.int64) for r in rows])
        self.ic = self._information_content()
        below = self.index[PHENOTYPIC_ABNORMALITY]
        self.phenotypic = {
            t for i, t in enumerate(self.ids) if i != below and below in self.ancestors(i)
        }

    def ancestors(self, i: int) -> np.ndarray:
        return self.anc_idx[self.anc_ptr[i] : self.anc_ptr[i + 1]]

    def _information_content(self) -> np.ndarray:
        """-ln(share of diseases annotated with the term or a descendant), for every term."""
        lengths = np.diff(self.anc_ptr)[self.dis_idx]  # ancestors of each annotation
        starts = self.anc_ptr[:-1][self.dis_idx]
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        anc = self.anc_idx[offsets + np.arange(int(lengths.sum()))]
        disease = np.repeat(
            np.repeat(np.arange(len(self.diseases)), np.diff(self.dis_ptr)), lengths
        )
        pairs = np.sort(disease * len(self.ids) + anc)
        once = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]  # each (disease, ancestor) once
        count = np.bincount(once % len(self.ids), minlength=len(self.ids))
        n = len(self.diseases)
        return np.where(count > 0, -np.log(np.maximum(count, 1) / n), math.log(n))

    def similarity(self, q: int) -> np.ndarray:
        """sim(q, t) for every term t: the IC of their most informative common ancestor."""
        mask = np.zeros(len(self.ids))
        a = self.ancestors(q)
        mask[a] = self.ic[a]
        return np.maximum.reduceat(mask[self.anc_idx], self.anc_ptr[:-1])

    def rank(self, query: list[str], method: str = DEFAULT_METHOD, k: int = 10) -> list[Ranked]:
        qs = [self.index[t] for t in dict.fromkeys(query) if t in self.index]
        if not qs:
            return []
        sims = np.stack([self.similarity(q) for q in qs])  # (query terms, all terms)
        starts = self.dis_ptr[:-1]
        per_q = np.stack([np.maximum.reduceat(s[self.dis_idx], starts) for s in sims])
        q_to_d = per_q.mean(axis=0)  # (diseases,)
        best = sims.max(axis=0)[self.dis_idx]
        d_to_q = np.add.reduceat(best, starts) / np.diff(self.dis_ptr)
        bma = (q_to_d + d_to_q) / 2
        score = bma if method == "bma" else q_to_d
        # ties (common with Q → D: every disease annotated with all the asked terms scores the
        # same) are broken by the best-match average, then by id order
        order = np.lexsort((np.arange(len(score)), -bma, -score))[:k]
        top = float(np.mean(self.ic[qs]))
        return [
            Ranked(
                self.diseases[d],
                float(score[d]),
                float(q_to_d[d]) / top if top else 0.0,
                r,
                self._matches(qs, sims, int(d)),
            )
            for r, d in enumerate(order, start=1)
        ]

    def _matches(
        self, qs: list[int], sims: np.ndarray, d: int
    ) -> tuple[tuple[str, str, float], ...]:
        own = self.dis_idx[self.dis_ptr[d] : self.dis_ptr[d + 1]]
        out = []
        for q, s in zip(qs, sims, strict=True):
            best = int(own[np.argmax(s[own])])
            out.append((self.ids[q], self.ids[best], float(s[best])))
        return tuple(out)


def _closure(ids: list[str], parents: dict[str, tuple[str, ...]]) -> list[set[int]]:
    """Each term's ancestors (itself included), by index, memoised over the is-a DAG."""
    index = {t: i for i, t in enumerate(ids)}
    memo: dict[str, set[int]] = {}

    def up(t: str) -> set[int]:
        if t not in memo:
            out = {index[t]}
            for p in parents[t]:
                if p in index:
                    out |= up(p)
            memo[t] = out
        return memo[t]

    return [up(t) for t in ids]


@lru_cache(maxsize=1)
def annotated() -> Annotations:
    return Annotations()


def query_terms(text: str) -> list[str]:
    """The phenotypic-abnormality terms a question names: HP ids, then names and synonyms."""
    phenotypic = annotated().phenotypic
    found = ids_in(text) + [i for _, i in phenotypes_in(expand(text))]
    return [t for t in dict.fromkeys(found) if t in phenotypic]


def entry_text(r: Ranked, n_diseases: int, method: str) -> str:
    names = terms()
    d = r.disease
    matched = [
        f"{names[q].name} = {names[t].name}" if q == t else f"{names[q].name} ~ {names[t].name}"
        for q, t, _ in r.matches
    ]
    freq = {a.hpo_id: a.frequency for a in d.phenotypes if not a.negated}
    shown = {t for _, t, _ in r.matches}
    others = [a for a in d.phenotypes if not a.negated and a.hpo_id not in shown]
    out = [
        f"Disease {d.id}: {d.name}",
        f"Differential rank {r.rank} of {n_diseases:,} for the phenotypes given "
        f"(HPO semantic similarity, {method}: {r.score:.2f}; "
        f"{r.share:.0%} of the phenotypes' information matched).",
    ]
    out += lines("Phenotypes matched (asked = annotated)", matched)
    out += lines("Inheritance", d.inheritance)
    out += lines(
        "Frequencies of the matched", [f"{names[t].name}: {freq[t]}" for t in shown if freq.get(t)]
    )
    out += lines("Other annotated phenotypes", [a.name for a in others], limit=10)
    return "\n".join(out)


class DifferentialTool:
    name = NAME

    def __init__(self, method: str = DEFAULT_METHOD) -> None:
        self.method = method

    def run(self, query: str, k: int = 3) -> list[Found]:
        return self.rank_terms(query_terms(query), k)

    def rank_terms(self, hpo_ids: list[str], k: int = 3) -> list[Found]:
        ann = annotated()
        out = []
        # one finding is no differential (hundreds of diseases have it): its candidates are shown
        # but never count as an exact answer
        weight = min(1.0, len(set(hpo_ids)) / 2)
        for r in ann.rank(hpo_ids, self.method, k):
            text = entry_text(r, len(ann.diseases), self.method)
            doc = f"hpo_disease:{r.disease.id}"
            title = f"{r.disease.name} ({r.disease.id})"
            out.append(
                Found(
                    entry(doc, NAME, text, title, "hpo_disease", URL.format(r.disease.id)),
                    r.share * weight,
                )
            )
        return out
