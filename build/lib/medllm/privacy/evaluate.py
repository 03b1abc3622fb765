"""De-identification metrics: span- and token-level precision / recall / F1 per PHI type.

- span strict: a prediction counts only with the gold span's exact offsets and kind;
- span relaxed: same kind and overlapping offsets;
- token: each word token (`\\w+`) is labelled with the kind of the span covering it; per kind;
- token binary ("is it PHI at all", the measure Philter reports): kinds ignored; what matters for
  de-identification is that no PHI token is left in clear;
- span covered: the share of gold spans whose every token is inside some prediction (any kind),
  i.e. spans that were removed completely.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from medllm.core import Span

_TOKEN = re.compile(r"\w+")


@dataclass
class _Counts:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0
    tp_gold: int = 0  # relaxed matching counts recall and precision hits separately

    def prf(self) -> dict[str, float]:
        p = self.tp / self.n_pred if self.n_pred else 1.0
        r = (self.tp_gold or self.tp) / self.n_gold if self.n_gold else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


@dataclass
class Scorer:
    """Accumulates counts over notes; `report()` gives overall and per-type figures."""

    strict: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    relaxed: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    token: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    binary: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    covered: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    notes: int = 0

    def add(self, text: str, gold: Sequence[Span], pred: Sequence[Span]) -> None:
        self.notes += 1
        self._spans(gold, pred)
        self._tokens(text, gold, pred)

    def _spans(self, gold: Sequence[Span], pred: Sequence[Span]) -> None:
        exact = {(s.start, s.end, s.kind) for s in gold}
        for p in pred:
            for table in (self.strict, self.relaxed):
                table[p.kind].n_pred += 1
                table["ALL"].n_pred += 1
            hit = (p.start, p.end, p.kind) in exact
            ovl = any(g.kind == p.kind and g.start < p.end and p.start < g.end for g in gold)
            for key in (p.kind, "ALL"):
                self.strict[key].tp += hit
                self.relaxed[key].tp += ovl
        for g in gold:
            found = any(g.kind == p.kind and g.start < p.end and p.start < g.end for p in pred)
            for key in (g.kind, "ALL"):
                self.strict[key].n_gold += 1
                self.relaxed[key].n_gold += 1
                self.relaxed[key].tp_gold += found

    def _tokens(self, text: str, gold: Sequence[Span], pred: Sequence[Span]) -> None:
        toks = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        g_lab = _labels(toks, gold)
        p_lab = _labels(toks, pred)
        for g, p in zip(g_lab, p_lab, strict=True):
            if p:
                self.token[p].n_pred += 1
                self.token["ALL"].n_pred += 1
                self.binary["ALL"].n_pred += 1
            if g:
                for key in (g, "ALL"):
                    self.token[key].n_gold += 1
                    self.token[key].tp += g == p
                    self.binary[key].n_gold += 1
                    self.binary[key].tp_gold += bool(p)
                if p:
                    self.binary["ALL"].tp += 1
        for s in gold:
            inside = [i for i, (a, b) in enumerate(toks) if a < s.end and s.start < b]
            ok = all(p_lab[i] for i in inside)
            for key in (s.kind, "ALL"):
                self.covered[key].n_gold += 1
                self.covered[key].tp_gold += ok

    def report(self) -> dict[str, Any]:
        kinds = sorted(k for k in {*self.strict, *self.token} if k != "ALL")

        def figures(k: str) -> dict[str, Any]:
            return {
                "gold_spans": self.strict[k].n_gold,
                "pred_spans": self.strict[k].n_pred,
                "span_strict": self.strict[k].prf(),
                "span_relaxed": self.relaxed[k].prf(),
                "token": self.token[k].prf(),
                "token_binary_recall": self.binary[k].prf()["recall"],
                "span_covered_recall": self.covered[k].prf()["recall"],
            }

        overall = figures("ALL")
        overall["token_binary"] = self.binary["ALL"].prf() | {
            "precision": round(self.binary["ALL"].tp / self.binary["ALL"].n_pred, 4)
            if self.binary["ALL"].n_pred
            else 1.0
        }
        overall["token_binary"]["f1"] = _f1(overall["token_binary"])
        return {"notes": self.notes, "overall": overall, "per_type": {k: figures(k) for k in kinds}}


def _f1(d: dict[str, float]) -> float:
    p, r = d["precision"], d["recall"]
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def _labels(toks: list[tuple[int, int]], spans: Sequence[Span]) -> list[str]:
    """The kind covering each token ('' for none); spans are few, tokens many."""
    out = [""] * len(toks)
    starts = [a for a, _ in toks]
    import bisect

    for s in spans:
        i = max(0, bisect.bisect_right(starts, s.start) - 1)
        while i < len(toks) and toks[i][0] < s.end:
            if toks[i][1] > s.start:
                out[i] = out[i] or s.kind
            i += 1
    return out


def evaluate(notes: Iterable[Any], detect: Callable[[str], Sequence[Span]]) -> dict[str, Any]:
    """Score `detect` on gold notes (objects with `.text` and `.spans`); adds notes/s."""
    scorer = Scorer()
    elapsed = 0.0
    chars = 0
    for note in notes:
        t0 = time.perf_counter()
        pred = detect(note.text)
        elapsed += time.perf_counter() - t0
        chars += len(note.text)
        scorer.add(note.text, note.spans, pred)
    rep = scorer.report()
    rep["seconds"] = round(elapsed, 3)
    rep["notes_per_s"] = round(scorer.notes / elapsed, 1) if elapsed else None
    rep["chars"] = chars
    return rep


def kind_counts(spans: Iterable[Span]) -> dict[str, int]:
    return dict(Counter(s.kind for s in spans))
