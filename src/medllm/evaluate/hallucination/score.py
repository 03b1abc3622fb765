"""S7 free-text scoring: what each arm shows per item, whether it abstains, and whether what it
shows holds a claim that no evidence source supports (rag.check_answer).

Confidence per arm (None = abstained at any threshold):
- none, rag: 1 (they always answer);
- self_consistency: mean Jaccard overlap of the content stems of the greedy answer and of each
  sampled answer (1 = every sample says the same things);
- uncertainty: minus the mean token entropy (or plus the mean top-2 log-prob margin) of the answer;
- rag_abstention: the support score `rag.answer` gives the answer it shows, None where its
  gates withheld it.
In every arm an answer that says it does not know (ABSTAIN_TEXT) is an abstention, and a last
sentence the token limit cut off is left out when a whole one comes before it (`complete`).
Operating point: self_consistency and uncertainty answer where confidence ≥ the label-free
threshold that answers `target_coverage` of the answerable items; the same threshold is then
applied to the unanswerable and fake questions. The others answer wherever they do not abstain.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from medllm.evaluate.hallucination.config import HallucinationConfig
from medllm.evaluate.hallucination.risk import Conf, answered, curve, rate_ci, threshold_for
from medllm.evaluate.hallucination.signals import Item, Row, sources_of
from medllm.rag import ClaimCheck, split_claims

ABSTAIN_TEXT = re.compile(
    r"not sure|cannot answer|can ?not (?:find|provide|determine)|can't (?:answer|find|provide)"
    r"|unable to (?:answer|find|provide|determine)|(?:don't|do not) know"
    r"|not in (?:my|the) (?:sources|knowledge base)",
    re.IGNORECASE,
)
Checker = Callable[[str, list[Any]], list[ClaimCheck]]


def _stems(text: str) -> set[str]:
    return {w.lower() for c in split_claims(text) for w in re.findall(r"[A-Za-z0-9.:]+", c)}


def agreement(greedy: str, samples: list[str]) -> float:
    """Mean Jaccard overlap of the greedy answer's words with each sample's (claims only)."""
    g = _stems(greedy)
    scores = []
    for s in samples:
        o = _stems(s)
        scores.append(len(g & o) / len(g | o) if g | o else 1.0)
    return sum(scores) / len(scores) if scores else 0.0


_END = re.compile(r"[.!?](?=\s)")


def complete(text: str) -> str:
    """The answer without a last sentence cut off by the token limit (no end mark), when a whole
    sentence comes before it: a cut claim is no claim. A one-sentence cut answer stays."""
    t = text.strip()
    if not t or t.endswith((".", "!", "?")):
        return t
    ends = [m.end() for m in _END.finditer(t)]
    return t[: ends[-1]] if ends else t


def shown(arm: str, cfg: HallucinationConfig, sig: dict[str, Row]) -> tuple[str, Conf]:
    """(text the arm shows, confidence) for one item's signals."""
    if arm in ("rag", "rag_abstention"):
        r = sig["rag"]
        if arm == "rag_abstention":
            text, conf = r["shown"], (None if r["abstained"] else float(r["support"]))
        else:
            text, conf = r["text"], 1.0
    else:
        p = sig["plain"]
        text, conf = p["text"], 1.0
        if arm == "self_consistency":
            conf = agreement(p["text"], sig["samples"]["texts"])
        elif arm == "uncertainty":
            conf = -p["entropy"] if cfg.uncertainty == "entropy" else p["margin"]
    text = complete(text)
    if not text or ABSTAIN_TEXT.search(text):
        return text, None
    return text, conf


def _threshold(arm: str, conf: list[Conf], target: float) -> float:
    return threshold_for(conf, target) if arm in ("self_consistency", "uncertainty") else -math.inf


def arm_metrics(
    arm: str,
    cfg: HallucinationConfig,
    items: list[Item],
    signals: dict[str, dict[str, Row]],
    check: Checker,
) -> dict[str, Any]:
    """One arm's free-text figures: at the operating point and the whole coverage / risk curve."""
    groups: dict[str, list[tuple[str, Conf]]] = {"answerable": [], "unanswerable": [], "fake": []}
    ok_items = [i for i in items if i.group == "answerable"]
    for item in items:
        sig = {name: rows[item.id] for name, rows in signals.items() if item.id in rows}
        groups[item.group].append(shown(arm, cfg, sig))
    conf = [c for _, c in groups["answerable"]]
    checks = [
        check(text, sources_of(signals["evidence"][i.id]["sources"]))
        for i, (text, _) in zip(ok_items, groups["answerable"], strict=True)
    ]
    wrong = [any(not c.supported for c in cs) for cs in checks]
    t = _threshold(arm, conf, cfg.target_coverage)
    ans = answered(conf, t)
    wrong_ans = [w for a, w in zip(ans, wrong, strict=True) if a]
    rate, low, high = rate_ci(wrong_ans, seed=cfg.seed)
    grounded = [
        sum(c.supported for c in cs) / len(cs)
        for a, cs in zip(ans, checks, strict=True)
        if a and cs
    ]
    keyed = [
        any(k.lower() in text.lower() for k in i.keys)
        for a, i, (text, _) in zip(ans, ok_items, groups["answerable"], strict=True)
        if a
    ]

    def abstain_rate(group: str) -> float | None:
        rows = groups[group]
        return 1 - sum(answered([c for _, c in rows], t)) / len(rows) if rows else None

    return {
        "name": arm,
        "n": len(ok_items),
        "n_answered": len(wrong_ans),
        "coverage": len(wrong_ans) / len(ok_items),
        "hallucination_rate": rate,
        "ci_low": low,
        "ci_high": high,
        "threshold": None if math.isinf(t) else t,
        "groundedness": sum(grounded) / len(grounded) if grounded else None,
        "key_accuracy": sum(keyed) / len(keyed) if keyed else None,
        "abstain_unanswerable": abstain_rate("unanswerable"),
        "abstain_fake": abstain_rate("fake"),
        "claims": sum(len(cs) for cs in checks),
        "curve": curve(conf, wrong),
        "answered": ans,
        "wrong": wrong,
    }
