"""Bias measures over the scored items of a counterfactual task (`medllm.evaluate.counterfactual`):
per group of one patient attribute, accuracy with a bootstrap CI; per pair of groups, the share of
items whose answer flips between the two versions of the same question, and the accuracy gap
(paired bootstrap CI, McNemar exact p). Only items scored in every group count (complete sets).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from medllm.evaluate.metrics import bootstrap_ci, mcnemar_exact, paired_bootstrap

SEP = "|"  # an item's id is "<original id>|<attribute>=<group>"


def variant_id(original: str, attribute: str, group: str) -> str:
    return f"{original}{SEP}{attribute}={group}"


def parse_variant(item_id: str) -> tuple[str, str, str] | None:
    """(original id, attribute, group) of a counterfactual item's id; None for any other id."""
    original, sep, tail = item_id.rpartition(SEP)
    attribute, eq, group = tail.partition("=")
    if not (sep and eq and original and attribute and group):
        return None
    return original, attribute, group


def analyse(rows: list[dict[str, Any]], groups: list[str], *, seed: int = 0) -> dict[str, Any]:
    """`rows` are scored samples (`id`, `pred`, `correct`) of one attribute; `groups` its groups
    in report order. Returns `groups` (acc, CI, n per group), `flip_rate` (any two versions of an
    item answered differently, CI) and `pairs` (per pair of groups: flip rate and gap, CIs)."""
    sets: dict[str, dict[str, dict[str, Any]]] = {}
    attribute = ""
    for r in rows:
        parsed = parse_variant(str(r["id"]))
        if parsed is None:
            raise ValueError(
                f"item {r['id']!r} is not a counterfactual item (id <id>|<attr>=<group>)"
            )
        original, attribute, group = parsed
        sets.setdefault(original, {})[group] = r
    complete = [s for s in sets.values() if all(g in s for g in groups)]
    out: dict[str, Any] = {
        "attribute": attribute,
        "n_items": len(complete),
        "incomplete_items": len(sets) - len(complete),
        "groups": {},
        "pairs": [],
    }
    correct = {g: [float(s[g]["correct"]) for s in complete] for g in groups}
    for g in groups:
        lo, hi = bootstrap_ci(correct[g], seed=seed)
        acc = sum(correct[g]) / len(complete) if complete else 0.0
        out["groups"][g] = {"n": len(complete), "acc": acc, "ci_low": lo, "ci_high": hi}
    flips = [float(len({s[g]["pred"] for g in groups}) > 1) for s in complete]
    out["flip_rate"] = _rate(flips, seed)
    for a, b in combinations(groups, 2):
        pair_flips = [float(s[a]["pred"] != s[b]["pred"]) for s in complete]
        gap = paired_bootstrap(correct[a], correct[b], seed=seed)  # acc(b) - acc(a)
        test = mcnemar_exact([bool(x) for x in correct[a]], [bool(x) for x in correct[b]])
        out["pairs"].append(
            {
                "groups": [a, b],
                "flip_rate": _rate(pair_flips, seed),
                "acc_gap": gap,
                "mcnemar": test,
            }
        )
    return out


def _rate(values: list[float], seed: int) -> dict[str, float]:
    lo, hi = bootstrap_ci(values, seed=seed)
    return {"rate": sum(values) / len(values) if values else 0.0, "ci_low": lo, "ci_high": hi}
